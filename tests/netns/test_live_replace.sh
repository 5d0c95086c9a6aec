#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Live replace: while a bounded sender streams UDP through a chain, slot 2
# is replaced 200 times (pass-through stage versions A and B alternating).
# The receiver must get every packet, and the counters must add up to
# exactly what was sent: no packet lost, none seen twice, no miss.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

P=$TCC_OUTDIR/tests/progs
SWAPS=200
COUNT=${LIVE_COUNT:-30000}
RATE=${LIVE_RATE:-6000}

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" "$@"; }

# Only the test's datagrams may cross the link, or the exact counts below
# would count someone else's packets: no IPv6 (no ND, no MLD), and
# permanent neighbours (no ARP).
quiet_link()
{
	local mac_a mac_b

	mac_a=$(ip -n "$A" -j link show dev a0 | jq -r '.[0].address')
	mac_b=$(ip -n "$B" -j link show dev b0 | jq -r '.[0].address')
	in_ns "$A" sysctl -qw net.ipv6.conf.a0.disable_ipv6=1 &&
	in_ns "$B" sysctl -qw net.ipv6.conf.b0.disable_ipv6=1 &&
	ip -n "$A" neigh replace "$VETH_B4" lladdr "$mac_b" dev a0 nud permanent &&
	ip -n "$B" neigh replace "$VETH_A4" lladdr "$mac_a" dev b0 nud permanent
}

# Replace slot 2 SWAPS times; report when it started and ended.
swapper()
{
	local i v t0 t1

	t0=$EPOCHREALTIME
	for ((i = 0; i < SWAPS; i++)); do
		v=$(( i % 2 ? 2 : 1 ))
		"$TCCHAIN" -n "$B" stage set 2 "$P/pass_all.bpf.o" param version=$v ||
			{ echo "swap $i failed"; return 1; }
	done
	t1=$EPOCHREALTIME
	echo "$t0 $t1"
}

check_ok "live replace: quiet link (no IPv6, permanent neighbours)" quiet_link
chain_add "$B" b0 ingress
check_ok "live replace: stage set 1 and 2 (pass-through)" eval \
	"tcc -n $B stage set 1 $P/pass_all.bpf.o && tcc -n $B stage set 2 $P/pass_all.bpf.o param version=2"

# The swapper starts once the stream runs: wait for the first packets.
(
	wait_until 10 eval "[ \$($TCCHAIN -n $B -j stats | jq '.[0].packets') -gt 0 ]" &&
		swapper >"$TCC_TMP/swaps"
) &
swap_pid=$!
got=$(udp_count "$A" "$VETH_B4" "$B" 5001 "$COUNT" -4 --rate "$RATE")
wait "$swap_pid"
swap_rc=$?

read -r t0 t1 <"$TCC_TMP/swaps" 2>/dev/null
check_eq "live replace: $SWAPS replacements of slot 2 succeeded" "$swap_rc" 0
note "swaps from $t0 to $t1; sender: $(cat "$UDP_SEND_JSON")"
sent=$(jq -r '.sent' "$UDP_SEND_JSON")
check_eq "live replace: sender sent all $COUNT" "$sent" "$COUNT"
check_eq "live replace: receiver got every packet" "$got" "$COUNT"
check_eq "live replace: no duplicates at the receiver" "$(jq -r '.duplicates' "$UDP_RECV_JSON")" 0
stream_s=$(jq -r '.elapsed' "$UDP_SEND_JSON")
swap_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
note "stream took ${stream_s}s, $SWAPS swaps took ${swap_s}s"
check_ok "live replace: all swaps happened while the stream ran" \
	awk -v s="$swap_s" -v t="$stream_s" 'BEGIN { exit !(s > 0 && s < t) }'

stats=$(settled 5 tcc -n "$B" -j stats)
note "$stats"
check_eq "live replace: chain: packets in = sent" "$(jq '.[0].packets' <<<"$stats")" "$COUNT"
check_eq "live replace: slot 1: every packet continued" \
	"$(jq '.[0].slots[] | select(.slot == 1) | .next' <<<"$stats")" "$COUNT"
check_eq "live replace: slot 2 (replaced $SWAPS times): every packet counted once" \
	"$(jq '.[0].slots[] | select(.slot == 2) | .next' <<<"$stats")" "$COUNT"
check_eq "live replace: no miss, all ended by the end verdict" \
	"$(jq -c '.[0] | [.verdicts.miss, .end.pass]' <<<"$stats")" "[0,$COUNT]"
check_eq "live replace: show: slot 2 holds the last version" \
	"$(tcc -n "$B" -j show | jq -r '.[0].stages[] | select(.slot == 2) | .params.version')" "2"
check_ok "live replace: del after the replacements" tcc -n "$B" del dev b0 ingress
