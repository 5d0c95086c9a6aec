#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Self-test of tests/netns/lib.sh and tests/tools/traffic, with no tcchain
# involved: if these fail, every other netns test is suspect.
source "$(dirname "$0")/lib.sh"
require_traffic

lib=$PWD/tests/netns/lib.sh
[ -r "$lib" ] || lib=$(cd "$(dirname "$0")" && pwd)/lib.sh

setup_ns a b
setup_veth "$a" veth0 "$b" veth1

# ---- traffic over a veth pair -------------------------------------------------
check_eq "traffic: udp_count IPv4, 1000 datagrams, all arrive" \
	"$(udp_count "$a" "$VETH_B4" "$b" 5000 1000)" 1000

check_eq "traffic: udp_count IPv6, 1000 datagrams, all arrive" \
	"$(udp_count "$a" "$VETH_B6" "$b" 5000 1000 -6)" 1000

# Pacing: report the timing, assert only a wide band (the machine is shared).
got=$(udp_count "$a" "$VETH_B4" "$b" 5001 2000 -4 --rate 2000)
elapsed=$(jq -r '.elapsed // empty' "$UDP_SEND_JSON")
echo "#   --rate 2000 --count 2000: sender $elapsed s" \
     "$(jq -r '"(\(.pps) pps)"' "$UDP_SEND_JSON")," \
     "receiver $got datagrams $(jq -r '"over \(.span) s (\(.pps) pps)"' "$UDP_RECV_JSON")"
[ "$got" = 2000 ] || { note "received $got of 2000"; elapsed=lost; }
check_range "traffic: --rate 2000 --count 2000 takes 0.5 .. 3 s" \
	"$elapsed" 0.5 3

# One flow per port of the range: 1000 datagrams, 100 on each of 10 ports.
got=$(udp_count "$a" "$VETH_B4" "$b" 5010-5019 1000)
check_eq "traffic: --port 5010-5019, 1000 datagrams, 100 per port" \
	"$got $(jq -c '[.ports | length, ([.[]] | unique)]' "$UDP_RECV_JSON")" \
	"1000 [10,[100]]"

# ---- lib.sh itself, in child scripts sharing our mount namespace --------------
tmp=$TCC_TMP/self
mkdir -p "$tmp"

# Verdicts of check_ok/check_fail/log_skip on commands with known output.
cat >"$tmp/verdicts.sh" <<'EOF'
source "$LIB"
check_fail c1 'no such' sh -c 'echo "Error: no such chain" >&2; exit 1'
check_fail c2 'x' sh -c 'exit 1'
check_fail c3 'x' sh -c 'echo "Error: x" >&2; echo more >&2; exit 1'
check_fail c4 'x' sh -c 'echo "Error: x" >&2; exit 0'
check_fail c5 'x' sh -c 'echo "Error: x" >&2; kill -SEGV $$'
check_fail c6 'y' sh -c 'echo "Error: x" >&2; exit 1'
check_fail c7 'x' sh -c 'echo "error: x" >&2; exit 1'
check_ok c8 true
check_ok c9 sh -c 'echo "[ OK ] looks like a result"; exit 1'
log_skip c10 "why"
EOF
TCC_ISOLATED=1 LIB=$lib bash "$tmp/verdicts.sh" >"$tmp/verdicts.out" 2>&1
rc=$?
verdicts=$(sed -n 's/^TEST: \(c[0-9]*\) .*\[\(....\)\].*/\1=\2/p' "$tmp/verdicts.out" |
	   tr '\n' ' ')
capture cat "$tmp/verdicts.out"
check_eq "lib: check_ok/check_fail/log_skip verdicts, exit status" \
	"$verdicts rc=$rc dumps=$(grep -c '^    .*\[ OK \]' "$tmp/verdicts.out")" \
	"c1= OK  c2=FAIL c3=FAIL c4=FAIL c5=FAIL c6=FAIL c7=FAIL c8= OK  c9=FAIL c10=SKIP  rc=1 dumps=0"

# Cleanup: a test that fails, and one killed by SIGTERM mid-way, each with
# namespaces, a veth and a receiver it deferred killing, leave no namespace
# and no receiver behind.
cat >"$tmp/cleanup.sh" <<'EOF'
source "$LIB"
setup_ns x y
setup_veth "$x" v0 "$y" v1
ip netns list >"$LIST"
nsenter --net="/run/netns/$y" -- "$TRAFFIC" recv --port 6000 --timeout 30 \
	>/dev/null &
defer stop_bg $!
echo $! >"$LIST.pid"
case $1 in
fail)	check_eq "forced failure" 1 2 ;;
term)	kill -TERM $$; sleep 5 ;;
esac
EOF
# The receiver is gone once its pid is no longer a live 'traffic' (a zombie
# waiting for its new parent to reap it counts as gone).
gone()
{
	[ "$(cat "/proc/$1/comm" 2>/dev/null)" != traffic ] ||
		grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
before=$(ip netns list | cut -d ' ' -f 1)
rc=0
for mode in fail term; do
	TCC_ISOLATED=1 LIB=$lib LIST=$tmp/ns.$mode bash "$tmp/cleanup.sh" \
		"$mode" >"$tmp/cleanup.$mode.out" 2>&1
	status=$?
	made=$(cut -d ' ' -f 1 "$tmp/ns.$mode" 2>/dev/null |
	       grep -cvxF -f <(echo "$before"))
	pid=$(cat "$tmp/ns.$mode.pid" 2>/dev/null)
	note "$mode: exit status $status, receiver ${pid:-?}, ${made:-no} namespaces:" \
		"$(cat "$tmp/ns.$mode" 2>/dev/null)" "$(cat "$tmp/cleanup.$mode.out")"
	if [ "$status" -eq 0 ]; then
		note "$mode: the test exited 0"; rc=1
	elif [ "${made:-0}" -ne 2 ]; then
		note "$mode: made ${made:-no} namespaces, want 2"; rc=1
	elif [ -z "$pid" ]; then
		note "$mode: the receiver never started"; rc=1
	elif ! wait_until 5 gone "$pid"; then
		note "$mode: receiver $pid still running after 5 s:" \
			"$(grep -E '^(State|PPid)' "/proc/$pid/status" 2>/dev/null)"
		rc=1
	fi
done
after=$(ip netns list | cut -d ' ' -f 1)
if [ "$before" != "$after" ]; then
	note "ip netns list before:" "$before" "after:" "$after"
	rc=1
fi
log_test "lib: cleanup removes namespaces of a failed or killed test" "$rc"
