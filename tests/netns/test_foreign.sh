#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Foreign stages: plain tc programs (no TCC_STAGE) in the last slot of a
# chain, behind parse and acl.  The chain runs up to them, their verdict
# (drop, bpf_redirect to the peer) applies, show and stats call them
# foreign/terminal and never count their packets as `next`, and a foreign
# stage is refused where it would hide other stages.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
N=200

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
# Datagrams B's receiver got out of N sent from A.
got() { udp_count "$A" "$VETH_B4" "$B" "$1" "$N"; }
stat() { tcc -j stats | jq -r ".[0] | $1"; }
slot() { tcc -j stats | jq -r ".[0].slots[] | select(.slot == $1) | $2"; }
stage() { tcc -j stage show | jq -r ".[0].stages[] | select(.slot == $1) | $2"; }
quiet() {
	local a b
	a=$(tcc -j stats); sleep 0.1; b=$(tcc -j stats)
	[ "$a" = "$b" ]
}
a0_rx() { ip -n "$A" -j -s link show a0 | jq '.[0].stats64.rx.packets'; }

chain_add "$B" b0 ingress
capture tcc stage set 0 parse &&
capture tcc stage set 1 acl &&
capture tcc acl add drop src 0.0.0.0/0 udp dport 5002 ||
	log_test "foreign: chain setup (parse, acl)" 1

# ---- a plain program that drops ----------------------------------------
check_ok "foreign: stage set 31 foreign_drop.bpf.o (no SDK)" tcc stage set 31 "$P/foreign_drop.bpf.o"
check_eq "foreign: stage set says it is foreign and terminal" \
	"$(grep -c "Note: 'foreign_drop' is not a tcchain stage (no TCC_STAGE): loaded as a foreign, terminal stage" "$TCC_STDERR")" 1
check_eq "foreign: show -j says foreign and terminal" "$(stage 31 '[.foreign, .terminal] | @csv')" "true,true"
check_eq "foreign: show -j says parse is not foreign" "$(stage 0 '[.foreign, .terminal] | @csv')" "false,false"
capture tcc stage show
check_eq "foreign: show text says foreign terminal" \
	"$(grep -c 'slot 31: foreign_drop foreign terminal id' "$TCC_STDOUT")" 1

check_eq "foreign: drop: no datagram reaches B" "$(got 5001)" 0
wait_until 5 quiet
check_range "foreign: drop: the chain ran up to it (parse passed them on)" "$(slot 0 .next)" "$N" "$((N + 20))"
check_range "foreign: drop: the chain ran up to it (acl passed them on)" "$(slot 1 .next)" "$N" "$((N + 20))"
check_range "foreign: drop: packets that reached the foreign stage" "$(slot 31 .packets)" "$N" "$((N + 20))"
check_eq "foreign: drop: stats -j: next 0, verdicts null, foreign/terminal" \
	"$(slot 31 '[.next, .pass, .drop, .redirect, .other, .foreign, .terminal] | @csv')" "0,,,,,true,true"
check_eq "foreign: drop: the chain's verdicts do not count them" "$(stat .verdicts.drop)" 0
check_range "foreign: drop: the chain's verdicts say they ended in a foreign stage" \
	"$(stat .verdicts.foreign)" "$N" "$((N + 20))"
capture tcc stats
check_eq "foreign: stats text marks the row, no zero verdicts" \
	"$(grep -Ec '^ +31 foreign_drop .* - +- +- +- +0 +0  foreign: terminal, verdicts not counted$' "$TCC_STDOUT")" 1
check_eq "foreign: stats text: the verdicts line has foreign" \
	"$(grep -Ec 'verdicts: .* foreign [0-9]+$' "$TCC_STDOUT")" 1

# The acl in front still decides first: its drops are its own.
before=$(slot 31 .packets)
check_eq "foreign: acl before it drops its own packets" "$(got 5002)" 0
wait_until 5 quiet
check_range "foreign: acl counted its drops" "$(slot 1 .drop)" "$N" "$((N + 20))"
check_range "foreign: the acl's drops never reached the foreign stage" \
	"$(( $(slot 31 .packets) - before ))" 0 20

# ---- placement ------------------------------------------------------------
before=$(tcc -j stage show)
check_fail "foreign: refused before other stages (names them)" \
	"'foreign_drop' is a foreign tc program .*the stages after slot 0 would never run: 1 \(acl\), 31 \(foreign_drop\)" \
	tcc stage set 0 "$P/foreign_drop.bpf.o"
check_fail "foreign: refused before the last stage" \
	"stages after slot 30 would never run: 31 \(foreign_drop\)" \
	tcc stage set 30 "$P/foreign_redirect.bpf.o"
check_eq "foreign: refusals changed nothing" "$(tcc -j stage show)" "$before"
check_ok "foreign: slot 31 emptied" tcc stage del 31
check_ok "foreign: set in slot 20, now the last" tcc stage set 20 "$P/foreign_drop.bpf.o"
before=$(tcc -j stage show)
check_fail "foreign: a stage after a foreign stage is refused" \
	"slot 20 holds 'foreign_drop', a foreign tc program whose verdict ends the chain: a stage in slot 25 would never run" \
	tcc stage set 25 "$P/pass_all.bpf.o"
check_eq "foreign: that refusal changed nothing" "$(tcc -j stage show)" "$before"
check_ok "foreign: a stage before it is fine" tcc stage set 10 "$P/pass_all.bpf.o"
check_ok "foreign: stage del 10" tcc stage del 10
check_ok "foreign: stage del 20" tcc stage del 20
check_fail "foreign: an XDP program is still refused, by type" \
	"program 'xdp_prog' is of type xdp, not a tc program" \
	tcc stage set 31 "$P/no_tc_prog.bpf.o" prog xdp_prog

# ---- a plain program that redirects to the peer ----------------------------
tcc stats reset >/dev/null
ifindex=$(ip -n "$B" -j link show b0 | jq '.[0].ifindex')
check_ok "foreign: stage set 31 foreign_redirect.bpf.o param ifindex=b0" \
	tcc stage set 31 "$P/foreign_redirect.bpf.o" param ifindex="$ifindex"
check_eq "foreign: redirect: its param is shown" "$(stage 31 .params.ifindex)" "$ifindex"
rx=$(a0_rx)
check_eq "foreign: redirect: no datagram reaches B" "$(got 5001)" 0
check_range "foreign: redirect: they came back out of b0 to the peer a0" \
	"$(( $(a0_rx) - rx ))" "$N" "$((N + 40))"
wait_until 5 quiet
check_range "foreign: redirect: acl passed them on" "$(slot 1 .next)" "$N" "$((N + 20))"
check_range "foreign: redirect: packets that reached it" "$(slot 31 .packets)" "$N" "$((N + 20))"
check_eq "foreign: redirect: never counted as next" "$(slot 31 '[.next, .redirect, .foreign] | @csv')" "0,,true"
check_range "foreign: redirect: its own map, pinned under the slot, read by map show" \
	"$(tcc -j map show 31 redirected | jq '.[0].entries[0].value')" "$N" "$((N + 20))"

# ---- <tcchain.h> but no TCC_STAGE ---------------------------------------
tcc stats reset >/dev/null
check_ok "foreign: sdk_plain (includes <tcchain.h>, plain SEC(\"tc\")) is loaded" \
	tcc stage set 31 "$P/sdk_plain.bpf.o"
check_eq "foreign: sdk_plain: taken as foreign" \
	"$(grep -c "Note: 'sdk_plain' is not a tcchain stage" "$TCC_STDERR")" 1
check_eq "foreign: sdk_plain: show -j foreign/terminal" "$(stage 31 '[.foreign, .terminal] | @csv')" "true,true"
check_eq "foreign: sdk_plain: it drops" "$(got 5001)" 0
wait_until 5 quiet
check_range "foreign: sdk_plain: packets that reached it" "$(slot 31 .packets)" "$N" "$((N + 20))"
check_eq "foreign: sdk_plain: its drops are never next" "$(slot 31 '[.next, .drop, .foreign] | @csv')" "0,,true"
check_eq "foreign: sdk_plain: the chain's verdicts never show them as passed" \
	"$(stat '[.verdicts.pass, .end.pass] | @csv')" "0,0"
check_range "foreign: sdk_plain: ... but as ended in a foreign stage" \
	"$(stat .verdicts.foreign)" "$N" "$((N + 20))"

# ---- a real SDK stage in its place counts again ---------------------------
check_ok "foreign: replaced by an SDK stage" tcc stage set 31 "$P/drop_all.bpf.o"
check_eq "foreign: the SDK stage is not foreign" "$(stage 31 '[.foreign, .terminal] | @csv')" "false,false"
check_eq "foreign: no note for an SDK stage" "$(grep -c Note "$TCC_STDERR")" 0
check_eq "foreign: the SDK stage starts from zero, the foreign packets are not its next" \
	"$(slot 31 '[.packets < 5, .next] | @csv')" "true,0"
check_eq "foreign: replaced: nothing reaches B" "$(got 5001)" 0
wait_until 5 quiet
check_range "foreign: replaced: the SDK stage counts its drops" "$(slot 31 .drop)" "$N" "$((N + 20))"
check_eq "foreign: replaced: and no next" "$(slot 31 .next)" 0
