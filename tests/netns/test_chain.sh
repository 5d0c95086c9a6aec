#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Chain lifecycle with real traffic: add / del / show on ingress and egress,
# end verdicts, what tc and bpftool see, coexistence with other tools'
# filters and qdiscs, two namespaces with the same device name, and every
# bad input leaving the system exactly as it was.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd tc bpftool

FOREIGN=$TCC_OUTDIR/tests/progs/foreign_drop.bpf.o
N=200

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" "$@"; }

# Datagrams A -> B that arrive.
sent_ok() { udp_count "$A" "$VETH_B4" "$B" 5001 "$N"; }

# ---- end verdicts with real traffic, ingress and egress ----------------------------
test_end_verdicts()
{
	local got

	chain_add "$B" b0 ingress
	got=$(sent_ok)
	check_eq "chain: ingress, no stage, end pass: traffic passes" "$got" "$N"
	check_ok "chain: del ingress chain" tcc -n "$B" del dev b0 ingress

	chain_add "$B" b0 ingress end drop
	got=$(sent_ok)
	check_eq "chain: ingress, no stage, end drop: traffic dropped" "$got" 0
	check_ok "chain: del ingress drop chain" tcc -n "$B" del dev b0 ingress
	got=$(sent_ok)
	check_eq "chain: traffic passes again after del" "$got" "$N"

	chain_add "$A" a0 egress
	got=$(sent_ok)
	check_eq "chain: egress, no stage, end pass: traffic passes" "$got" "$N"
	check_ok "chain: del egress chain" tcc -n "$A" del dev a0 egress

	chain_add "$A" a0 egress end drop
	got=$(sent_ok)
	check_eq "chain: egress, no stage, end drop: traffic dropped" "$got" 0
	check_ok "chain: del egress drop chain" tcc -n "$A" del dev a0 egress
}

# ---- independent checkers: tc and bpftool -------------------------------------------
test_checkers()
{
	local id dir tcid pinid ino

	chain_add "$B" b0 ingress prio 7 handle 0x42
	id=$(tcc -n "$B" -j show dev b0 ingress | jq -r '.[0].entry_id')
	tcid=$(in_ns "$B" tc -j filter show dev b0 ingress |
		jq -r '.[] | select(.pref == 7 and .options.handle == "0x42" and
			.options["direct-action"] == true) | .options.prog.id')
	check_eq "chain: tc filter show: direct-action filter at prio 7 handle 0x42 runs the entry" \
		"$tcid" "$id"
	check_eq "chain: tc qdisc show: clsact present" \
		"$(in_ns "$B" tc -j qdisc show dev b0 | jq -r '.[] | select(.kind == "clsact") | .kind')" \
		clsact
	ino=$(netns_cookie "$B")
	# the ifindex inside B (nsenter keeps the host's /sys, so ask ip)
	dir=/sys/fs/bpf/tcchain/$ino/$(ip -n "$B" -j link show dev b0 | jq -r '.[0].ifindex')/ingress
	pinid=$(bpftool -j prog show pinned "$dir/entry" | jq -r .id)
	check_eq "chain: bpftool finds the pinned entry in the chain directory" "$pinid" "$id"
	check_eq "chain: bpftool finds the pinned prog array" \
		"$(bpftool -j map show pinned "$dir/progs" | jq -r .type)" prog_array
	check_eq "chain: show: prio, handle, end verdict" \
		"$(tcc -n "$B" -j show | jq -c '.[0] | [.dev, .dir, .prio, .handle, .end_verdict, .attached]')" \
		'["b0","ingress",7,66,"pass",true]'
	check_ok "chain: del of a checked chain" tcc -n "$B" del dev b0 ingress
	check_eq "chain: del: filter gone" \
		"$(in_ns "$B" tc -j filter show dev b0 ingress | jq length)" 0
	check_eq "chain: del: clsact tcchain made is gone" \
		"$(in_ns "$B" tc -j qdisc show dev b0 | jq -r '[.[] | select(.kind == "clsact")] | length')" 0
	check_eq "chain: del: pins gone, namespace directory too" \
		"$([ -e "$dir" ] || [ -e "/sys/fs/bpf/tcchain/$ino" ] || echo gone)" gone
	check_eq "chain: show: empty" "$(tcc -n "$B" -j show)" "[]"
}

# ---- coexistence with other tools ----------------------------------------------------
test_coexistence()
{
	local got

	capture in_ns "$B" tc qdisc add dev b0 clsact
	defer -q in_ns "$B" tc qdisc del dev b0 clsact
	capture in_ns "$B" tc filter add dev b0 ingress prio 10 handle 9 bpf da \
		obj "$FOREIGN" sec tc
	got=$(in_ns "$B" tc -j filter show dev b0 ingress | jq '[.[] | select(.pref == 10 and .options)] | length')
	check_eq "chain: foreign filter installed with tc" "$got" 1

	chain_add "$B" b0 ingress
	got=$(in_ns "$B" tc -j filter show dev b0 ingress | jq '[.[] | select(.pref == 10 and .options)] | length')
	check_eq "chain: foreign filter survives add" "$got" 1
	got=$(sent_ok)
	check_eq "chain: end pass: the lower-priority foreign filter never sees packets" "$got" "$N"
	check_ok "chain: del of an end-pass chain before a foreign filter" tcc -n "$B" del dev b0 ingress

	chain_add "$B" b0 ingress end continue
	got=$(sent_ok)
	check_eq "chain: end continue: the foreign (dropping) filter sees every packet" "$got" 0
	check_ok "chain: del continue chain" tcc -n "$B" del dev b0 ingress

	got=$(in_ns "$B" tc -j filter show dev b0 ingress | jq '[.[] | select(.pref == 10 and .options)] | length')
	check_eq "chain: foreign filter survives del" "$got" 1
	capture in_ns "$B" tc filter del dev b0 ingress prio 10
	got=$(in_ns "$B" tc -j qdisc show dev b0 | jq -r '[.[] | select(.kind == "clsact")] | length')
	check_eq "chain: clsact created by someone else survives del" "$got" 1

	# Another tc chain may hold a filter at tcchain's own prio/handle.
	capture in_ns "$B" tc filter add dev b0 ingress chain 3 prio 1 handle 1 bpf da \
		obj "$FOREIGN" sec tc
	chain_add "$B" b0 ingress
	check_eq "chain: a filter at prio 1 handle 1 in tc chain 3 is not taken for ours" \
		"$(tcc -n "$B" -j show | jq -c '.[0] | [.attached, .prio, .handle]')" "[true,1,1]"
	check_eq "chain: traffic runs our chain, not the chain-3 filter" "$(sent_ok)" "$N"
	check_ok "chain: del leaves the chain-3 filter" tcc -n "$B" del dev b0 ingress
	check_eq "chain: chain-3 filter still there" \
		"$(in_ns "$B" tc -j filter show dev b0 ingress chain 3 | jq '[.[] | select(.options)] | length')" 1
	capture in_ns "$B" tc filter del dev b0 ingress chain 3 prio 1

	# tcchain made the clsact, then someone else adds a filter: del must
	# leave the clsact for them.
	capture in_ns "$B" tc qdisc del dev b0 clsact
	chain_add "$B" b0 ingress
	capture in_ns "$B" tc filter add dev b0 egress prio 10 bpf da obj "$FOREIGN" sec tc
	check_ok "chain: del with a foreign filter on the other hook" tcc -n "$B" del dev b0 ingress
	got=$(in_ns "$B" tc -j filter show dev b0 egress | jq '[.[] | select(.options)] | length')
	check_eq "chain: clsact tcchain made stays while a foreign filter is on it" "$got" 1
	capture in_ns "$B" tc qdisc del dev b0 clsact
}

# ---- same device name in two namespaces -------------------------------------------------
test_two_namespaces()
{
	local id1 id2

	setup_ns C D
	capture ip -n "$C" link add tcx0 type veth peer name tcx0 netns "$D"
	capture ip -n "$C" link set tcx0 up
	capture ip -n "$D" link set tcx0 up
	chain_add "$C" tcx0 ingress
	chain_add "$D" tcx0 ingress end drop
	id1=$(tcc -n "$C" -j show | jq -r '.[0].entry_id')
	id2=$(tcc -n "$D" -j show | jq -r '.[0].entry_id')
	check_eq "chain: two chains, one per namespace" \
		"$(tcc -n "$C" -j show | jq length),$(tcc -n "$D" -j show | jq length),$([ "$id1" != "$id2" ] && echo differ)" \
		"1,1,differ"
	check_ok "chain: del in the first namespace" tcc -n "$C" del dev tcx0 ingress
	check_eq "chain: the second namespace's chain is intact" \
		"$(tcc -n "$D" -j show | jq -c '.[0] | [.entry_id, .end_verdict, .attached]')" \
		"[$id2,\"drop\",true]"
	check_eq "chain: the second namespace's filter is intact" \
		"$(in_ns "$D" tc -j filter show dev tcx0 ingress | jq -r '.[] | .options.prog.id // empty')" "$id2"
	check_ok "chain: del in the second namespace" tcc -n "$D" del dev tcx0 ingress
}

# ---- bad input: error line, non-zero exit, nothing changed -------------------------------
snapshot()
{
	local ns=$1 dev=$2 ino

	ino=$(netns_cookie "$ns")
	in_ns "$ns" tc -j qdisc show dev "$dev" | jq -c '[.[] | select(.kind != "noqueue")]'
	in_ns "$ns" tc -j filter show dev "$dev" ingress | jq -c '[.[] | .options.prog.id]'
	in_ns "$ns" tc -j filter show dev "$dev" egress | jq -c '[.[] | .options.prog.id]'
	find "/sys/fs/bpf/tcchain/$ino" 2>/dev/null | sort
}

bad()
{
	local desc=$1 pat=$2 before after; shift 2

	before=$(snapshot "$B" b0)
	check_fail "chain: bad input: $desc" "$pat" "$@"
	after=$(snapshot "$B" b0)
	check_eq "chain: bad input: $desc: nothing changed" "$after" "$before"
}

test_bad_input()
{
	chain_add "$B" b0 ingress
	bad "unknown device" "cannot find device 'nope0'" tcc -n "$B" add dev nope0 ingress
	bad "bad direction" "invalid direction 'sideways'" tcc -n "$B" add dev b0 sideways
	bad "missing direction" "direction is required" tcc -n "$B" add dev b0
	bad "duplicate add" "cannot add chain on b0 ingress: a chain already exists" \
		tcc -n "$B" add dev b0 ingress
	bad "duplicate add, other prio" "a chain already exists" \
		tcc -n "$B" add dev b0 ingress prio 5
	bad "del of a chain that does not exist" "cannot delete chain on b0 egress: no such chain" \
		tcc -n "$B" del dev b0 egress
	bad "prio out of range" "invalid prio '65536'" tcc -n "$B" add dev b0 egress prio 65536
	bad "prio zero" "invalid prio '0'" tcc -n "$B" add dev b0 egress prio 0
	bad "prio not a number" "invalid prio 'x1'" tcc -n "$B" add dev b0 egress prio x1
	bad "handle out of range" "invalid handle '0x100000000'" \
		tcc -n "$B" add dev b0 egress handle 0x100000000
	bad "handle zero" "invalid handle '0'" tcc -n "$B" add dev b0 egress handle 0
	bad "unknown keyword" "unknown keyword 'priority'" tcc -n "$B" add dev b0 egress priority 3
	bad "bad end verdict" "invalid end verdict 'accept'" tcc -n "$B" add dev b0 egress end accept
	bad "missing argument" "'prio' needs an argument" tcc -n "$B" add dev b0 egress prio
	bad "missing device name" "'dev' needs a device name" tcc -n "$B" add dev
	bad "missing dev keyword" "'dev DEV' is required" tcc -n "$B" add b0 ingress
	bad "unknown command" "unknown command 'attach'" tcc -n "$B" attach dev b0 ingress
	bad "namespace that does not exist" "cannot enter network namespace 'tcc-nope-ns'" \
		tcc -n tcc-nope-ns add dev b0 egress
	capture in_ns "$B" tc filter add dev b0 egress prio 3 handle 1 bpf da obj "$FOREIGN" sec tc
	bad "filter already at that prio/handle" "filter foreign_drop.* already sits at prio 3" \
		tcc -n "$B" add dev b0 egress prio 3
	capture in_ns "$B" tc filter del dev b0 egress prio 3
	check_eq "chain: JSON error under -j" \
		"$(tcc -n "$B" -j del dev b0 egress | jq -r .error)" \
		"cannot delete chain on b0 egress: no such chain"
	check_ok "chain: del after the bad input" tcc -n "$B" del dev b0 ingress

	# A classic ingress qdisc where clsact would go.
	capture in_ns "$B" tc qdisc add dev b0 ingress
	bad "classic ingress qdisc" "has a 'ingress' qdisc where clsact goes" \
		tcc -n "$B" add dev b0 ingress
	bad "classic ingress qdisc, egress" "has a 'ingress' qdisc" tcc -n "$B" add dev b0 egress
	capture in_ns "$B" tc qdisc del dev b0 ingress
}

# Chains whose device or filter went away behind tcchain's back.
test_prune()
{
	local ino

	ino=$(netns_cookie "$B")
	capture ip -n "$B" link add x0 type veth peer name x1
	capture ip -n "$B" link set x0 up
	capture tcc -n "$B" add dev x0 ingress
	capture tcc -n "$B" stage set 3 "$TCC_OUTDIR/tests/progs/pass_all.bpf.o" dev x0
	chain_add "$B" b0 ingress
	chain_add "$B" b0 egress
	capture ip -n "$B" link del x0
	capture in_ns "$B" tc filter del dev b0 egress prio 1
	check_eq "chain: show: the chains of a gone device and of a deleted filter are not attached" \
		"$(tcc -n "$B" -j show | jq -c '[.[] | [.dev, .dir, .attached]]')" \
		'[["b0","ingress",true],["b0","egress",false],[null,"ingress",false]]'
	check_fail "chain: del cannot name a gone device" "cannot find device 'x0'" \
		tcc -n "$B" del dev x0 ingress
	check_eq "chain: prune removes the two stale chains" \
		"$(tcc -n "$B" -j prune | jq .stale)" 2
	check_eq "chain: the attached chain is untouched" \
		"$(tcc -n "$B" -j show | jq -c '[.[] | [.dev, .dir, .attached]]')" '[["b0","ingress",true]]'
	check_eq "chain: no pins left for the gone device" \
		"$(find "/sys/fs/bpf/tcchain/$ino" -mindepth 1 -maxdepth 1 -name '[0-9]*' | wc -l)" 1
	check_eq "chain: prune again: nothing to do" "$(tcc -n "$B" -j prune | jq .stale)" 0
	check_fail "chain: prune takes no arguments" "prune: unknown keyword 'all'" tcc -n "$B" prune all
	check_ok "chain: del of the chain prune left" tcc -n "$B" del dev b0 ingress
}

test_end_verdicts
test_prune
test_checkers
test_coexistence
test_two_namespaces
test_bad_input
