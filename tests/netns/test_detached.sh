#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Chains whose filter went away behind tcchain's back, chains whose pins
# cannot be opened, and the lock: a change to a detached chain is an error
# that says how to recover, add over a stale chain says what it replaced,
# pins that cannot be opened are reported and never removed on a guess, and
# a held lock is given up with the holder's pid.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd tc jq flock

P=$TCC_OUTDIR/tests/progs

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" "$@"; }

chain_pins() { echo "/sys/fs/bpf/tcchain/$(netns_cookie "$B")/$(in_ns "$B" ip -o link show b0 | cut -d: -f1)/ingress"; }

test_detached_change()
{
	chain_add "$B" b0 ingress
	capture tcc -n "$B" stage set 2 "$P/pass_all.bpf.o"
	capture in_ns "$B" tc filter del dev b0 ingress prio 1
	check_fail "detached: stage set says the chain is detached and how to recover" \
		"the chain is detached .*'tcchain add dev b0 ingress'.*'tcchain del dev b0 ingress'" \
		tcc -n "$B" stage set 3 "$P/pass_all.bpf.o"
	check_fail "detached: stage del says the chain is detached" "the chain is detached" \
		tcc -n "$B" stage del 2
	check_eq "detached: the failed changes left the stages as they were" \
		"$(tcc -n "$B" -j show | jq -c '[.[0].stages[].slot]')" '[2]'
	check_ok "detached: add over the stale chain succeeds" tcc -n "$B" add dev b0 ingress
	check_eq "detached: add says which stages it replaced" \
		"$(cat "$TCC_STDERR")" "Warning: replaced a detached chain (stages: 2 pass_all)"
	check_eq "detached: the new chain is attached and empty" \
		"$(tcc -n "$B" -j show | jq -c '[.[0].attached, (.[0].stages | length)]')" '[true,0]'
	check_ok "detached: del of the re-added chain" tcc -n "$B" del dev b0 ingress
}

test_unopenable()
{
	local dir

	chain_add "$B" b0 ingress
	dir=$(chain_pins)
	capture rm "$dir/meta"
	check_fail "unopenable: stage set names the chain it cannot open" "cannot open the chain" \
		tcc -n "$B" stage set 3 "$P/pass_all.bpf.o"
	check_eq "unopenable: show lists the chain with the reason" \
		"$(tcc -n "$B" -j show | jq -c '[.[] | [.dev, .dir, .error]]')" \
		'[["b0","ingress","Structure needs cleaning"]]'
	check_eq "unopenable: show in text names it too" \
		"$(tcc -n "$B" show | grep -c 'b0 ingress: pins .* cannot be opened')" 1
	check_eq "unopenable: prune does not remove it" "$(tcc -n "$B" -j prune | jq .removed)" 0
	check_fail "unopenable: add refuses and keeps the pins" "cannot be opened.*nothing replaced" \
		tcc -n "$B" add dev b0 ingress
	check_eq "unopenable: the pins and the filter are still there" \
		"$([ -e "$dir/entry" ] && echo pins) $(in_ns "$B" tc filter show dev b0 ingress | grep -c tcchain)" \
		"pins 1"
	capture in_ns "$B" tc filter del dev b0 ingress prio 1
	capture rm -rf "$dir"
}

test_lock_timeout()
{
	local holder

	chain_add "$B" b0 ingress
	flock /sys/fs/bpf/tcchain sleep 5 &
	holder=$!
	wait_until 2 grep -q "FLOCK.* $holder " /proc/locks
	TCC_LOCK_TIMEOUT_MS=300 check_fail "lock: a held lock is given up naming the holder" \
		"locked by pid $holder" tcc -n "$B" stage set 3 "$P/pass_all.bpf.o"
	TCC_LOCK_TIMEOUT_MS=300 check_fail "lock: the CLI's own lock names the holder too" \
		"held by pid $holder" tcc -n "$B" map set 3 x key 1 value 1
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	check_ok "lock: free again after the holder is gone" \
		tcc -n "$B" stage set 3 "$P/pass_all.bpf.o"
	check_ok "lock: del once the lock is free" tcc -n "$B" del dev b0 ingress
}

test_detached_change
test_unopenable
test_lock_timeout
