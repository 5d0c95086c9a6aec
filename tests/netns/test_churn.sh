#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Containers come and go: 100 rounds of namespace + chain + stages +
# namespace deleted without `tcchain del`, then one `prune` from the host
# removes every pin they left (no tcchain program or map left in the
# kernel), and a live chain in a live namespace is not touched.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd bpftool jq

ROUNDS=${CHURN_ROUNDS:-100}
P=$TCC_OUTDIR/stages

progs() { bpftool prog show -j | jq length; }
maps() { bpftool map show -j | jq length; }

setup_ns L
chain_add "$L" lo ingress
check_ok "churn: a live chain with a stage" "$TCCHAIN" -n "$L" stage set 0 "$P/parse.bpf.o"
live=$("$TCCHAIN" -n "$L" -j show | jq -c '.[0] | [.entry_id, [.stages[].id]]')
progs0=$(progs) maps0=$(maps)

fail=0
for ((i = 0; i < ROUNDS; i++)); do
	ns=${TCC_PREFIX}churn$i
	ip netns add "$ns" &&
	"$TCCHAIN" -n "$ns" add dev lo ingress &&
	"$TCCHAIN" -n "$ns" stage set 0 "$P/parse.bpf.o" &&
	"$TCCHAIN" -n "$ns" stage set 1 "$P/acl.bpf.o" &&
	ip netns del "$ns" || { fail=1; note "round $i failed"; ip netns del "$ns" 2>/dev/null; break; }
done >/dev/null 2>"$TCC_TMP/churn.err"
log_test "churn: $ROUNDS rounds of namespace + chain + 2 stages + namespace deleted" "$fail"
check_eq "churn: the pins keep programs alive until pruned" "$(( $(progs) > progs0 ))" 1

# The kernel frees a deleted namespace asynchronously: prune until every
# namespace is proven gone.
pruned=0
prune_all() {
	local n
	n=$("$TCCHAIN" -j prune | jq '.in_deleted_netns') || return 1
	pruned=$((pruned + n))
	[ "$pruned" -ge "$ROUNDS" ]
}
wait_until 30 prune_all
check_eq "churn: prune removed every chain of the deleted namespaces" "$pruned" "$ROUNDS"
wait_until 10 eval '[ "$(progs)" -eq "$progs0" ]'
check_eq "churn: no tcchain program left in the kernel" "$(progs)" "$progs0"
wait_until 10 eval '[ "$(maps)" -eq "$maps0" ]'
check_eq "churn: no tcchain map left in the kernel" "$(maps)" "$maps0"
check_eq "churn: the live chain is untouched (same entry and stage ids)" \
	"$("$TCCHAIN" -n "$L" -j show | jq -c '.[0] | [.entry_id, [.stages[].id]]')" "$live"
check_eq "churn: a second prune finds nothing" "$("$TCCHAIN" -j prune | jq .in_deleted_netns)" 0
