#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The shipped stages with real traffic: acl drops exactly the matched flows
# (IPv4 and IPv6), ratelimit holds the configured rate at 10x overload,
# mark steers flows into HTB classes, count counts what was sent.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd tc

N=300

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }

test_acl()
{
	local json

	chain_add "$B" b0 ingress
	capture tcc -n "$B" stage set 0 parse
	capture tcc -n "$B" stage set 1 acl
	check_ok "acl: drop IPv4 flow by source prefix and port" \
		tcc -n "$B" acl add drop src "${VETH_A4%.*}.0/24" udp dport 6000
	check_ok "acl: drop IPv6 flow by destination and port range" \
		tcc -n "$B" acl add drop dst "$VETH_B6/128" udp dport 6001-6002
	check_ok "acl: a more specific pass rule does not hide the drop" \
		tcc -n "$B" acl add pass src "$VETH_A4/32" udp dport 6003
	check_eq "acl: IPv4 :6000 dropped" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" 0
	check_eq "acl: IPv4 :6001 passes" "$(udp_count "$A" "$VETH_B4" "$B" 6001 "$N")" "$N"
	check_eq "acl: IPv4 :6003 passes (pass rule)" "$(udp_count "$A" "$VETH_B4" "$B" 6003 "$N")" "$N"
	check_eq "acl: IPv6 :6001 dropped" "$(udp_count "$A" "$VETH_B6" "$B" 6001 "$N")" 0
	check_eq "acl: IPv6 :6002 dropped" "$(udp_count "$A" "$VETH_B6" "$B" 6002 "$N")" 0
	check_eq "acl: IPv6 :6000 passes" "$(udp_count "$A" "$VETH_B6" "$B" 6000 "$N")" "$N"
	json=$(tcc -n "$B" -j acl show)
	check_eq "acl show -j: hits per rule" \
		"$(jq -c '[.[0].rules[] | [.id, .action, .hits]]' <<<"$json")" \
		"[[10,\"drop\",$N],[20,\"drop\",$((2 * N))],[30,\"pass\",$N]]"
	check_ok "acl: del of rule 10" tcc -n "$B" acl del id 10
	check_eq "acl: IPv4 :6000 passes after del" "$(udp_count "$A" "$VETH_B4" "$B" 6000 "$N")" "$N"
	check_fail "acl: bad prefix" "invalid prefix '10.0.0.0/33'" \
		tcc -n "$B" acl add drop src 10.0.0.0/33
	check_fail "acl: port without tcp/udp" "'dport' needs tcp, udp or sctp" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 dport 22
	check_fail "acl: no action" "needs an action" tcc -n "$B" acl add src 10.0.0.0/8
	check_fail "acl: taken id" "id 20 is taken" tcc -n "$B" acl add id 20 drop src ::/0
	check_fail "acl: del of an unknown id" "no such rule" tcc -n "$B" acl del id 999
	# Edits are read-modify-writes of whole lists: concurrent ones must
	# not lose each other's rules.
	for i in 1 2 3 4 5 6 7 8; do
		tcc -n "$B" acl add id $((100 + i)) drop src 192.0.2.0/24 udp dport $((7100 + i)) >/dev/null &
	done
	wait
	check_eq "acl: 8 concurrent adds to one prefix all land" \
		"$(tcc -n "$B" -j acl show | jq -c '[.[0].rules[] | select(.id > 100) | .id]')" \
		"[101,102,103,104,105,106,107,108]"
	capture tcc -n "$B" stage del 1
	check_fail "acl: no acl stage in the chain" "no acl stage in the chain" tcc -n "$B" acl show
	check_ok "acl: del of the chain" tcc -n "$B" del dev b0 ingress
}

# What ratelimit counted (passed + over) and what the chain counted into
# its slot, one per line.
rl_counts()
{
	tcc -n "$B" -j map show 2 rl_stats | jq '.[0].entries[0].value | .passed + .over'
	tcc -n "$B" -j stats | jq '.[0].slots[] | select(.slot == 2) | .packets'
}

# ratelimit at 10x overload: the passed rate must stay within 10%.
test_ratelimit()
{
	local rate=2000 secs=3 got elapsed passed_rate counts

	chain_add "$B" b0 ingress
	check_ok "ratelimit: stage set with rate=${rate}pps burst=50" \
		tcc -n "$B" stage set 2 ratelimit param rate=${rate}pps burst=50
	got=$(udp_count "$A" "$VETH_B4" "$B" 7000 $((10 * rate * secs)) -4 --rate $((10 * rate)))
	elapsed=$(jq -r '.elapsed' "$UDP_SEND_JSON")
	passed_rate=$(awk -v g="$got" -v e="$elapsed" 'BEGIN { printf "%.0f", (g - 50) / e }')
	note "ratelimit: $got of $((10 * rate * secs)) passed in ${elapsed}s: $passed_rate pps"
	echo "#   ratelimit at 10x overload: $passed_rate pps passed for $rate pps configured"
	check_range "ratelimit: passed rate within 10% of ${rate} pps" \
		"$passed_rate" $((rate * 9 / 10)) $((rate * 11 / 10))
	# Both counters from one quiet moment (a stray packet between two
	# live reads would tell them apart).
	counts=$(settled 5 rl_counts)
	check_eq "ratelimit: its counters add up to what arrived" \
		"$(sed -n 1p <<<"$counts")" "$(sed -n 2p <<<"$counts")"
	check_ok "ratelimit: del of the chain" tcc -n "$B" del dev b0 ingress
}

# mark sets skb->priority on egress; HTB picks the class from it.
test_mark_htb()
{
	local fast slow s10 s20

	capture tc -n "$A" qdisc add dev a0 root handle 1: htb default 30
	defer -q tc -n "$A" qdisc del dev a0 root
	capture tc -n "$A" class add dev a0 parent 1: classid 1:10 htb rate 200mbit
	capture tc -n "$A" class add dev a0 parent 1: classid 1:20 htb rate 4mbit ceil 4mbit
	capture tc -n "$A" class add dev a0 parent 1: classid 1:30 htb rate 200mbit
	chain_add "$A" a0 egress
	capture tcc -n "$A" stage set 0 parse
	check_ok "mark: stage set" tcc -n "$A" stage set 3 mark
	# Rules through the generic map words: :8001 -> 1:10, :8002 -> 1:20.
	check_ok "mark: rules by BTF field names" \
		tcc -n "$A" map set 3 mark_rules key 0 value n_rules=2 \
		"rules[0].set=2" "rules[0].proto=17" "rules[0].dport_min=8001" \
		"rules[0].dport_max=8001" "rules[0].priority=0x10010" \
		"rules[1].set=2" "rules[1].proto=17" "rules[1].dport_min=8002" \
		"rules[1].dport_max=8002" "rules[1].priority=0x10020"
	# 2000 datagrams of 1000 bytes at 4000 pps each: 32 Mbit/s offered.
	# HTB pushes back on the sending socket rather than dropping, so the
	# classes show in the rate each flow is delivered at.
	fast=$(udp_count "$A" "$VETH_B4" "$B" 8001 2000 -4 --rate 4000 --size 1000)
	fast_pps=$(jq -r '.pps' "$UDP_RECV_JSON")
	slow=$(udp_count "$A" "$VETH_B4" "$B" 8002 2000 -4 --rate 4000 --size 1000)
	slow_pps=$(jq -r '.pps' "$UDP_RECV_JSON")
	# "Sent N bytes M pkt": tc 6.1 has no JSON for HTB class stats.
	s10=$(tc -n "$A" -s class show dev a0 classid 1:10 | awk '/Sent/ { print $4 }')
	s20=$(tc -n "$A" -s class show dev a0 classid 1:20 | awk '/Sent/ { print $4 }')
	echo "#   mark + HTB: :8001 -> 1:10 (200mbit) at $fast_pps pps, :8002 -> 1:20 (4mbit) at $slow_pps pps"
	note "HTB sent $s10 packets in class 1:10, $s20 in class 1:20"
	check_range "mark: :8001 steered into class 1:10" "$s10" 2000 2050
	note "HTB sent $s10 packets in class 1:10, $s20 in class 1:20"
	check_range "mark: :8002 steered into class 1:20" "$s20" 2000 2050
	check_eq "mark: both flows delivered in full" "$fast,$slow" "2000,2000"
	check_range "mark: class 1:10 delivers at the offered 4000 pps" "$fast_pps" 3600 4400
	# 4 Mbit/s of 1042-byte frames is 480 pps
	check_range "mark: class 1:20 delivers at its 4mbit (~480 pps)" "$slow_pps" 380 580
	check_eq "mark: hits per rule" \
		"$(tcc -n "$A" -j map show 3 mark_hits | jq -c '[.[0].entries[] | select(.key < 2) | .value]')" \
		"[2000,2000]"
	check_ok "mark: del of the chain" tcc -n "$A" del dev a0 egress
}

test_count()
{
	local json

	chain_add "$B" b0 ingress
	capture tcc -n "$B" stage set 0 parse
	check_ok "count: stage set" tcc -n "$B" stage set 6 count
	udp_count "$A" "$VETH_B4" "$B" 9001 250 >/dev/null
	udp_count "$A" "$VETH_B4" "$B" 9002 120 >/dev/null
	udp_count "$A" "$VETH_B6" "$B" 9001 80 >/dev/null
	json=$(tcc -n "$B" -j map show 6 count_dport)
	check_eq "count: per destination port" \
		"$(jq -c '[.[0].entries[] | select(.key.proto == 17 and .key.dport > 9000) | [.key.dport, .value.packets]] | sort' <<<"$json")" \
		"[[9001,330],[9002,120]]"
	check_eq "count: bytes per port = packets x frame size" \
		"$(jq '[.[0].entries[] | select(.key.dport == 9002) | .value.bytes][0]' <<<"$json")" \
		$((120 * (14 + 20 + 8 + 64)))
	check_range "count: UDP in count_proto" \
		"$(tcc -n "$B" -j map show 6 count_proto | jq '.[0].entries[] | select(.key == 17) | .value.packets')" \
		450 460
	check_ok "count: del of the chain" tcc -n "$B" del dev b0 ingress
}

test_acl
test_ratelimit
test_mark_htb
test_count
