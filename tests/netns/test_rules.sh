#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Rule words of the stage modules (bpf/stages/NAME/NAME.c): acl rules with
# a source and a destination, mark rules (add, del, show, ids as
# positions), every word given twice refused, prefixes stored as typed,
# and shipped stages known by their program name, not their file name.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic

N=200

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }

test_acl_both()
{
	local json

	chain_add "$B" b0 ingress
	capture tcc -n "$B" stage set 0 parse
	capture tcc -n "$B" stage set 1 acl
	check_ok "rules: acl add with src and dst" \
		tcc -n "$B" acl add drop src "$VETH_A4/32" dst "$VETH_B4/32" udp dport 7000
	check_ok "rules: acl add with src and another dst" \
		tcc -n "$B" acl add drop src "$VETH_A4/32" dst 10.99.0.1/32 udp dport 7001
	json=$(tcc -n "$B" -j acl show)
	check_eq "rules: acl show keeps both prefixes" \
		"$(jq -c '[.[0].rules[] | [.id, .src, .dst, .words]]' <<<"$json")" \
		"[[10,\"$VETH_A4/32\",\"$VETH_B4/32\",\"drop src $VETH_A4/32 dst $VETH_B4/32 udp dport 7000\"],[20,\"$VETH_A4/32\",\"10.99.0.1/32\",\"drop src $VETH_A4/32 dst 10.99.0.1/32 udp dport 7001\"]]"
	check_eq "rules: src+dst rule drops the flow it names" \
		"$(udp_count "$A" "$VETH_B4" "$B" 7000 "$N")" 0
	check_eq "rules: src+dst rule with another dst does not drop" \
		"$(udp_count "$A" "$VETH_B4" "$B" 7001 "$N")" "$N"
	check_eq "rules: src+dst rule counts its hits" \
		"$(tcc -n "$B" -j acl show | jq -c '[.[0].rules[] | .hits]')" "[$N,0]"
	check_ok "rules: acl del of a src+dst rule" tcc -n "$B" acl del id 10
	check_eq "rules: the flow passes after del" \
		"$(udp_count "$A" "$VETH_B4" "$B" 7000 "$N")" "$N"
	check_eq "rules: del leaves no copy in either trie" \
		"$(tcc -n "$B" -j map show 1 acl_src4 | jq '.[0].entries | length') $(tcc -n "$B" -j map show 1 acl_dst4 | jq '.[0].entries | length')" \
		"1 1"
}

test_acl_refusals()
{
	local before

	before=$(tcc -n "$B" -j acl show | jq -c '.[0].rules')
	check_fail "rules: acl src given twice" "'src' is given twice" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 src 10.1.0.0/16
	check_fail "rules: acl dst given twice" "'dst' is given twice" \
		tcc -n "$B" acl add drop dst 10.0.0.0/8 dst 10.1.0.0/16
	check_fail "rules: acl two actions" "two actions" \
		tcc -n "$B" acl add drop pass src 10.0.0.0/8
	check_fail "rules: acl two protocols" "protocol is given twice" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 tcp udp
	check_fail "rules: acl dport twice" "'dport' is given twice" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 tcp dport 1 dport 2
	check_fail "rules: acl id twice" "'id' is given twice" \
		tcc -n "$B" acl add id 5 id 6 drop src 10.0.0.0/8
	check_fail "rules: acl prefix with host bits" "host bits set" \
		tcc -n "$B" acl add drop src 10.1.2.3/8
	check_fail "rules: acl src and dst of two families" "both be IPv4 or both IPv6" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 dst ::/0
	check_fail "rules: acl port with a leading zero" "leading zeros" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 tcp dport 022
	check_fail "rules: acl port range upside down" "invalid port" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 tcp dport 30-20
	check_fail "rules: acl keyword without argument" "'dport' needs an argument" \
		tcc -n "$B" acl add drop src 10.0.0.0/8 tcp dport
	check_fail "rules: acl del with extra words" "'id ID' is required" \
		tcc -n "$B" acl del id 20 now
	check_fail "rules: acl slot that holds another stage" "slot 0 does not hold the acl stage" \
		tcc -n "$B" acl add slot 0 drop src 10.0.0.0/8
	check_eq "rules: refused acl words changed nothing" \
		"$(tcc -n "$B" -j acl show | jq -c '.[0].rules')" "$before"
}

test_mark()
{
	local json

	capture tcc -n "$B" stage set 2 mark param mark_value=0x5
	check_ok "rules: mark add (appends: id 1)" \
		tcc -n "$B" mark add src "$VETH_A4/32" udp dport 7100 mark 0x10 priority 3
	check_ok "rules: mark add (id 2)" tcc -n "$B" mark add udp dport 7101 keep
	check_ok "rules: mark add id 1 inserts first" \
		tcc -n "$B" mark add id 1 ipv6 classid 0x20
	json=$(tcc -n "$B" -j mark show)
	check_eq "rules: mark show in order, words as add takes them" \
		"$(jq -c '[.[0].rules[] | [.id, .words]]' <<<"$json")" \
		"[[1,\"ipv6 classid 0x20\"],[2,\"src $VETH_A4/32 udp dport 7100 mark 0x10 priority 0x3\"],[3,\"udp dport 7101 keep\"]]"
	check_eq "rules: mark show default is the params" \
		"$(jq -r ".[0].default" <<<"$json")" "mark 0x5"
	check_eq "rules: mark rule 2 sends its flow" "$(udp_count "$A" "$VETH_B4" "$B" 7100 "$N")" "$N"
	check_eq "rules: mark hits per rule" \
		"$(tcc -n "$B" -j mark show | jq -c '[.[0].rules[] | .hits]')" "[0,$N,0]"
	check_ok "rules: mark del id 1 renumbers" tcc -n "$B" mark del id 1
	json=$(tcc -n "$B" -j mark show)
	check_eq "rules: hits move with their rule" \
		"$(jq -c '[.[0].rules[] | [.id, .hits]]' <<<"$json")" "[[1,$N],[2,0]]"
	check_fail "rules: mark keep with a value" "'keep' sets nothing" \
		tcc -n "$B" mark add udp keep mark 1
	check_fail "rules: mark without what to set" "needs what to set" \
		tcc -n "$B" mark add udp
	check_fail "rules: mark value given twice" "'mark' is given twice" \
		tcc -n "$B" mark add mark 1 mark 2
	check_fail "rules: mark classid too large" "out of range" \
		tcc -n "$B" mark add classid 0x10000
	check_fail "rules: mark src of another version" "is not IPv6" \
		tcc -n "$B" mark add ipv6 src 10.0.0.0/8 keep
	check_fail "rules: mark id past the end" "numbered 1..3" \
		tcc -n "$B" mark add id 7 keep
	check_fail "rules: mark del of an unknown id" "no such rule" \
		tcc -n "$B" mark del id 5
	check_eq "rules: refused mark words changed nothing" \
		"$(tcc -n "$B" -j mark show | jq -c '[.[0].rules[] | .words]')" \
		"[\"src $VETH_A4/32 udp dport 7100 mark 0x10 priority 0x3\",\"udp dport 7101 keep\"]"
}

test_kind_by_program()
{
	local copy=$TCC_TMP/my_rl.bpf.o

	cp "$(dirname "$TCCHAIN")/stages/ratelimit.bpf.o" "$copy"
	check_ok "rules: a copied ratelimit object keeps its rate units" \
		tcc -n "$B" stage set 3 "$copy" param rate=10mbit
	check_eq "rules: the copy's rate is in bytes/s" \
		"$(tcc -n "$B" -j map show 3 rodata | jq -c '.[0].entries[0].value | [.rate, .bytes]')" "[1250000,1]"
	check_eq "rules: show prints the params as typed" \
		"$(tcc -n "$B" -j stage show | jq -r '.[0].stages[] | select(.slot == 3) | .params | tojson')" '{"rate":"10mbit"}'
	check_fail "rules: rate unit and bytes disagree" "bytes=0 says otherwise" \
		tcc -n "$B" stage set 3 ratelimit param rate=10mbit bytes=0
	check_fail "rules: rate with an unknown unit" "not a rate" \
		tcc -n "$B" stage set 3 ratelimit param rate=10furlongs
	check_eq "rules: the refused params left the stage as it was" \
		"$(tcc -n "$B" -j stage show | jq -r '.[0].stages[] | select(.slot == 3) | .params | tojson')" '{"rate":"10mbit"}'
}

test_acl_both
test_acl_refusals
test_mark
test_kind_by_program

check_ok "rules: acl show as text" tcc -n "$B" acl show
check_eq "rules: acl show text names the slot and the default" \
	"$(head -n 1 "$TCC_STDOUT" | sed 's/([0-9]* packets)/(N packets)/')" \
	"b0 ingress: acl in slot 1, default continue (N packets)"
check_ok "rules: mark show as text" tcc -n "$B" mark show
check_eq "rules: mark show text lists the rules in add's words" \
	"$(sed -n 2p "$TCC_STDOUT" | sed 's/  */ /g')" \
	" id 1: src $VETH_A4/32 udp dport 7100 mark 0x10 priority 0x3 ($N packets)"

# An acl edit killed half-way (simulated by taking a rule out of some of
# the lists that must hold it) is finished or undone by the next command.
test_acl_repair()
{
	local k4='key prefixlen=16 addr=10.1.0.0'

	capture tcc -n "$B" acl add id 100 drop src 10.1.0.0/16 udp dport 7700
	capture tcc -n "$B" acl add id 110 drop src 10.0.0.0/8 udp dport 7701
	check_eq "rules: repair: the /16 list inherits the /8 rule" \
		"$(tcc -n "$B" -j map show 1 acl_src4 | jq -c '.[0].entries[] | select(.key.prefixlen == 16) | .value.n_rules')" 2
	# as if "acl add id 110" died after writing the /8 list only
	capture tcc -n "$B" map set 1 acl_src4 $k4 value n_rules=1
	check_eq "rules: repair: show still shows the rule at its own prefix" \
		"$(tcc -n "$B" -j acl show | jq -c '[.[0].rules[] | select(.id == 110) | .src]')" '["10.0.0.0/8"]'
	capture tcc -n "$B" acl add id 130 pass src 192.0.2.0/24
	check_eq "rules: repair: the next edit puts the inherited rule back" \
		"$(tcc -n "$B" -j map show 1 acl_src4 | jq -c '.[0].entries[] | select(.key.prefixlen == 16) | [.value.n_rules, .value["rules[1].id"]]')" \
		'[2,110]'
	capture tcc -n "$B" acl del id 130
	capture tcc -n "$B" acl add id 120 drop src 10.7.0.0/16 dst 10.99.0.0/16 udp
	# as if "acl add id 120" died between the destination and the source trie
	capture tcc -n "$B" map del 1 acl_src4 key prefixlen=16 addr=10.7.0.0
	check_eq "rules: repair: a two-prefix rule in one trie only is undone" \
		"$(tcc -n "$B" -j acl show | jq -c '[.[0].rules[] | .id | select(. >= 100)]')" '[100,110]'
	capture tcc -n "$B" acl add id 130 pass src 192.0.2.0/24
	check_eq "rules: repair: and the next edit removes its other half" \
		"$(tcc -n "$B" -j map show 1 acl_dst4 | jq '[.[0].entries[] | select(.key.addr == "10.99.0.0")] | length')" 0
	capture tcc -n "$B" acl del id 100
	capture tcc -n "$B" acl del id 110
	capture tcc -n "$B" acl del id 130
}
test_acl_repair
