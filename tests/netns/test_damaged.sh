#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A chain that cannot be opened (a pin gone, another ABI, no file
# descriptors left) is reported by every command and never deleted on a
# guess: show lists it, add and prune leave it alone, `del` removes it and
# the filter that runs its entry program.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd jq

setup_ns A
tcc() { "$TCCHAIN" -n "$A" "$@"; }
chain_add "$A" lo ingress
check_ok "damaged: a chain with a stage" tcc stage set 0 "$TCC_OUTDIR/stages/parse.bpf.o"
dir=/sys/fs/bpf/tcchain/$(netns_cookie "$A")/1/ingress
snap() { find "$dir" | sort; tc -n "$A" filter show dev lo ingress; }

# Out of file descriptors: the chain is fine, the command says why it failed.
capture bash -c "ulimit -n 9; exec $TCCHAIN -n $A stage show"
check_eq "damaged: stage show with 9 fds: an error, not a crash" "$?" 1
check_eq "damaged: ... and the error says why" \
	"$(grep -c 'cannot open the chain: Too many open files' "$TCC_STDERR")" 1

capture rm "$dir/stats"
before=$(snap)
check_eq "damaged: show lists the chain it cannot open" \
	"$(tcc -j show | jq -r '.[0].error')" "Structure needs cleaning"
check_ok "damaged: show (text) names it" eval "tcc show | grep -q 'lo ingress: .*cannot be opened'"
check_fail "damaged: add over it is refused, nothing replaced" \
	"cannot be opened .*nothing replaced: 'tcchain del' removes it" tcc add dev lo ingress
check_fail "damaged: stage set names the damage" "a pin of the chain in .* is missing" \
	tcc stage set 1 "$TCC_OUTDIR/stages/acl.bpf.o"
check_eq "damaged: prune leaves it (its device is alive)" "$(tcc -j prune | jq .stale)" 0
check_eq "damaged: nothing was changed" "$(snap)" "$before"
check_ok "damaged: del removes it" tcc del dev lo ingress
check_eq "damaged: del removed the filter that ran its entry" \
	"$(tc -n "$A" filter show dev lo ingress)" ""
check_eq "damaged: del removed its pins" "$(find "$dir" 2>/dev/null)" ""
check_ok "damaged: a new chain can be added" tcc add dev lo ingress
