#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tcchain trace (doc/observe.md): known packets through parse -> acl ->
# ratelimit, each one's path, verdicts and slots checked exactly; the trace
# flag in the chain's config is off after `count N`, after SIGINT, and
# after a SIGKILL of the tracer once the next command has run.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd bpftool

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
# The data plane's trace flag (TCC_CFG_F_TRACE) as the config map holds it.
trace_flag() {
	bpftool -j map dump pinned "$(ls -d /sys/fs/bpf/tcchain/"$COOKIE"/*/ingress)/config" |
		jq -r '.[0].formatted.value.flags / 2 % 2 | floor'
}
flag_on() { [ "$(trace_flag)" = 1 ]; }
flag_off() { [ "$(trace_flag)" = 0 ]; }
tracers=()
kill_tracers() { local p; for p in "${tracers[@]}"; do kill -9 "$p" 2>/dev/null; done; return 0; }
defer kill_tracers
# Start a tracer in the background (its pid in $tpid, output in $TCC_TMP/trace.*).
start_trace() {
	"$TCCHAIN" -n "$B" "$@" >"$TCC_TMP/trace.out" 2>"$TCC_TMP/trace.err" &
	tpid=$!
	tracers+=("$tpid")
	wait_until 5 flag_on
}
# Wait for the tracer to end by itself (10 s at most, then SIGINT); its status.
dead() { ! kill -0 "$tpid" 2>/dev/null; }
finish() {
	wait_until 10 dead || { note "tracer $tpid did not end by itself"; kill -INT "$tpid"; }
	wait "$tpid"
}
send() { udp_count "$A" "$VETH_B4" "$B" "$1" 1 >/dev/null; }

COOKIE=$(netns_cookie "$B")
chain_add "$B" b0 ingress
check_ok "trace: stage set 0 parse" tcc stage set 0 parse
check_ok "trace: stage set 1 acl" tcc stage set 1 acl
check_ok "trace: stage set 2 ratelimit" tcc stage set 2 ratelimit param rate=100000pps burst=1000
check_ok "trace: acl drops udp dport 7000" tcc acl add drop src "$VETH_A4/32" udp dport 7000
check_eq "trace: the flag is off before any trace" "$(trace_flag)" 0

# -- count N: one packet dropped by acl, one passed to the end -------------------
check_ok "trace: a tracer turns the flag on" start_trace -j trace count 2 proto udp
check_fail "trace: a second tracer on the same chain is refused" \
	"another trace is running" tcc trace count 1
send 7000
send 5001
finish
rc=$?
capture cat "$TCC_TMP/trace.out" "$TCC_TMP/trace.err"
check_eq "trace: count 2 ends the tracer by itself (exit 0)" "$rc" 0
check_eq "trace: flag off after count N" "$(trace_flag)" 0
out=$TCC_TMP/trace.out
check_eq "trace: two packets printed" "$(jq length "$out")" 2
check_eq "trace: dropped packet: path parse -> acl" \
	"$(jq -c '.[0].hops | map([.slot, .stage, .verdict])' "$out")" \
	'[[0,"parse","next"],[1,"acl","drop"]]'
check_eq "trace: dropped packet: verdict drop by a stage at slot 1" \
	"$(jq -c '.[0] | [.verdict, .by, .slot]' "$out")" '["drop","stage",1]'
check_eq "trace: dropped packet: its 5-tuple" \
	"$(jq -c '.[0].pkt | [.proto, .src, .dst, .dport]' "$out")" \
	"[\"udp\",\"$VETH_A4\",\"$VETH_B4\",7000]"
check_eq "trace: passed packet: path parse -> acl -> ratelimit" \
	"$(jq -c '.[1].hops | map([.slot, .stage, .verdict])' "$out")" \
	'[[0,"parse","next"],[1,"acl","next"],[2,"ratelimit","next"]]'
check_eq "trace: passed packet: end verdict pass" \
	"$(jq -c '.[1] | [.verdict, .by, .slot, .pkt.dport]' "$out")" '["pass","end",null,5001]'
check_eq "trace: hop times add up to the time in stages, within the wall time" \
	"$(jq "[.[] | ([.hops[].ns] | add) == .ns and .ns <= .wall_ns] | all" "$out")" true
check_eq "trace: the framework's cb word marks the packet traced" \
	"$(jq -c '[.[].hops[].cb[4]] | unique' "$out")" '[2]'

# -- text output -------------------------------------------------------------------
check_ok "trace: text output" start_trace trace count 1 proto udp dport 5001
send 5001
finish
capture cat "$TCC_TMP/trace.out"
check_eq "trace: text shows the path and the verdict" \
	"$(grep -cE '^  slot (0 +parse|1 +acl|2 +ratelimit) +next|^  verdict pass by the end of the chain' \
	   "$TCC_TMP/trace.out")" 4

# -- filters: a packet that does not match is not printed ---------------------------
check_ok "trace: a filtered tracer" start_trace -j trace count 1 proto udp dport 5001
send 7000
send 5001
finish
check_eq "trace: the filter skips the other packet" \
	"$(jq -c '[.[] | .pkt.dport]' "$TCC_TMP/trace.out")" "[5001]"

# -- SIGINT --------------------------------------------------------------------------
check_ok "trace: a tracer for Ctrl-C" start_trace trace
kill -INT "$tpid"
wait "$tpid"
check_eq "trace: Ctrl-C: exit status 0" "$?" 0
check_eq "trace: Ctrl-C: flag off" "$(trace_flag)" 0

# -- SIGKILL -------------------------------------------------------------------------
check_ok "trace: a tracer for kill -9" start_trace trace
kill -9 "$tpid"
wait "$tpid" 2>/dev/null
check_eq "trace: kill -9: the flag is still on (nobody ran yet)" "$(trace_flag)" 1
check_ok "trace: kill -9: the next command runs" tcc show
check_eq "trace: kill -9: the next command turned the flag off" "$(trace_flag)" 0
check_ok "trace: kill -9 again" start_trace trace
kill -9 "$tpid"
wait "$tpid" 2>/dev/null
check_ok "trace: kill -9: a new trace starts over the dead one" start_trace -j trace count 1 proto udp
send 5001
finish
check_eq "trace: kill -9: the new trace works" "$(jq -c '[.[] | .pkt.dport]' "$TCC_TMP/trace.out")" "[5001]"
check_eq "trace: kill -9: and leaves the flag off" "$(trace_flag)" 0

# -- bad input -------------------------------------------------------------------------
check_fail "trace: rate not a power of two" "not a power of two" tcc trace rate 3
check_fail "trace: count 0" "count" tcc trace count 0
check_fail "trace: unknown protocol" "unknown protocol 'bogus'" tcc trace proto bogus
check_fail "trace: bad address" "not an IPv4 or IPv6 address" tcc trace src 10.0.0.300
check_fail "trace: port out of range" "dport" tcc trace dport 70000
check_fail "trace: count twice" "given twice" tcc trace count 1 count 2
check_fail "trace: a keyword without its value" "needs an argument" tcc trace count
check_fail "trace: unknown keyword" "unknown keyword 'bogus'" tcc trace bogus
check_fail "trace: a device with no chain" "" tcc trace dev b0 egress
check_eq "trace: refused traces leave the flag off" "$(trace_flag)" 0
check_ok "trace help" tcc trace help
