#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# `tcchain prune` also empties the stage cache (/var/cache/tcchain) of
# objects compiled from C source that no pinned chain uses any more and
# that were last compiled over a day ago (doc/writing-stages.md), and
# says how many it removed.  What a chain uses (live or the previous
# generation), what is recent, and what is not a cache object stay.
source "$(dirname "$0")/lib.sh"
require_tcchain
command -v clang >/dev/null || skip_all "clang not installed"
require_cmd touch stat

CACHE=/var/cache/tcchain
P=$TCC_OUTDIR/tests/progs

setup_ns A B
setup_veth "$A" a0 "$B" b0

tcc() { "$TCCHAIN" -n "$B" "$@"; }
object() { tcc -j stage show | jq -r ".[0].stages[] | select(.slot == $1) | .object"; }
pruned() { tcc -j prune | jq .cache_objects; }
old() { touch -h -d '2 days ago' "$@"; }

SRC=$TCC_TMP/cache_guard.bpf.c
cat >"$SRC" <<'C'
#include <tcchain.h>
char LICENSE[] SEC("license") = "Dual BSD/GPL";
TCC_STAGE(cache_guard)(struct __sk_buff *skb)
{
	return TCC_NEXT;
}
C

chain_add "$B" b0 ingress
check_ok "cache prune: stage set 3 from C source" tcc stage set 3 "$SRC"
OBJ=$(object 3)
check_eq "cache prune: the object is in the cache" "${OBJ%/*}" "$CACHE"
defer rm -f "$OBJ"
old "$OBJ"

# What earlier runs left, so the counts below are this test's own.
capture tcc prune

T=$CACHE/tcc-prune-test-$$
defer rm -f "$T-old.bpf.o" "$T-new.bpf.o" "$T-old.bpf.o.tmp.4242" "$T-old.txt" \
	"$T-link.bpf.o"
: >"$T-old.bpf.o"
: >"$T-new.bpf.o"
: >"$T-old.bpf.o.tmp.4242"
: >"$T-old.txt"
ln -s "$T-old.txt" "$T-link.bpf.o"
old "$T-old.bpf.o" "$T-old.bpf.o.tmp.4242" "$T-old.txt" "$T-link.bpf.o"

check_eq "cache prune: -j counts the unused old objects it removed" "$(pruned)" 2
[ ! -e "$T-old.bpf.o" ] && [ ! -e "$T-old.bpf.o.tmp.4242" ]
log_test "cache prune: an unused object and a killed compile's leftover, both old, are gone" $?
[ -e "$OBJ" ]
log_test "cache prune: the object of a live chain's stage stays (however old)" $?
[ -e "$T-new.bpf.o" ]
log_test "cache prune: an object compiled within the day stays" $?
[ -e "$T-old.txt" ] && [ -L "$T-link.bpf.o" ]
log_test "cache prune: files that are not cache objects stay (a symlink too)" $?
check_eq "cache prune: a second prune finds nothing" "$(pruned)" 0

# The previous generation (kept for rollback) still uses it.
cat >"$TCC_TMP/chains.conf" <<EOF
add dev b0 ingress
stage set 3 $P/pass_all.bpf.o dev b0 ingress
stage set 4 $P/pass_all.bpf.o dev b0 ingress
EOF
check_ok "cache prune: apply a generation without the source stage" tcc apply -f "$TCC_TMP/chains.conf"
check_eq "cache prune: the previous generation's object stays" "$(pruned)" 0
[ -e "$OBJ" ]
log_test "cache prune: the object is there for rollback's chain" $?

check_ok "cache prune: rollback (the source stage runs again)" tcc rollback
check_eq "cache prune: the live generation's object stays" "$(pruned)" 0

# Gone from every chain (the previous generation is now the one without
# it): removed, and said in text.
check_ok "cache prune: stage del 3" tcc stage del 3
check_ok "cache prune: text" tcc prune
check_eq "cache prune: text says how many" \
	"$(grep -c "; 1 unused compiled object(s) from the stage cache$" "$TCC_STDOUT")" 1
[ ! -e "$OBJ" ]
log_test "cache prune: an old object no chain uses any more is gone" $?

check_ok "cache prune: the source compiles again after prune" tcc stage set 3 "$SRC"
[ -e "$OBJ" ]
log_test "cache prune: the object is back in the cache" $?
