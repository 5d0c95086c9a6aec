#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# A sixth stage module, from the test tree (tests/modules/ttlguard: BPF
# program, header, words), added to a copy of the source tree by putting
# its directory under bpf/stages/ and one line in the kind table, and
# nothing else: the copy builds, and its tcchain has the stage's words,
# which work with real traffic.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd make tar diff git

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TREE=$TCC_TMP/tree
BUILD=$TCC_TMP/build
N=200

mkdir -p "$TREE"
(cd "$ROOT" && git ls-files -co --exclude-standard -z | tar --null -T - -cf -) |
	tar -C "$TREE" -xf -
cp -r "$ROOT/tests/modules/ttlguard" "$TREE/bpf/stages/ttlguard"
sed -i 's/^\tX(acl)\t\t\\$/&\n\tX(ttlguard)\t\\/' "$TREE/tcchain/lib/kinds.c"

changed=$(cd "$TCC_TMP" && diff -rq --exclude=build --exclude=.git "$ROOT" tree |
	  sed "s|$ROOT|ROOT|; s|$TCC_TMP/||" | sort)
check_eq "module_add: the copy differs by the table line and the module only" \
	"$changed" "$(printf '%s\n' \
		'Files ROOT/tcchain/lib/kinds.c and tree/tcchain/lib/kinds.c differ' \
		'Only in tree/bpf/stages: ttlguard')"
check_eq "module_add: the table line is one line" \
	"$(diff "$ROOT/tcchain/lib/kinds.c" "$TREE/tcchain/lib/kinds.c" | grep -c '^[<>]')" 1
check_ok "module_add: the copy builds with the new module" \
	make -C "$TREE" -s -j2 OUT="$BUILD" "$BUILD/tcchain" "$BUILD/stages/ttlguard.bpf.o"

T=$BUILD/tcchain
[ -x "$T" ] || skip_all "the copy did not build"
setup_ns A B
setup_veth "$A" a0 "$B" b0

check_ok "module_add: help lists the new stage's words" \
	bash -c "'$T' help 2>&1 | grep -q 'ttlguard .*add | del | show'"
chain_add "$B" b0 ingress
capture "$T" -n "$B" stage set 0 parse
check_ok "module_add: stage set by the new library name" "$T" -n "$B" stage set 1 ttlguard
check_ok "module_add: ttlguard add (TTL 64 is below 65)" \
	"$T" -n "$B" ttlguard add dport 7300 min 65
check_ok "module_add: ttlguard add (TTL 64 is not below 10)" \
	"$T" -n "$B" ttlguard add dport 7301 min 10
check_eq "module_add: ttlguard show -j" \
	"$("$T" -n "$B" -j ttlguard show | jq -c '[.[0].rules[] | [.id, .words, .dport, .min]]')" \
	'[[1,"dport 7300 min 65",7300,65],[2,"dport 7301 min 10",7301,10]]'
check_eq "module_add: guarded port with a low TTL dropped" \
	"$(udp_count "$A" "$VETH_B4" "$B" 7300 "$N")" 0
check_eq "module_add: guarded port with a high enough TTL passes" \
	"$(udp_count "$A" "$VETH_B4" "$B" 7301 "$N")" "$N"
check_fail "module_add: ttlguard bad words" "want 'dport PORT min TTL'" \
	"$T" -n "$B" ttlguard add dport 7300
check_ok "module_add: ttlguard del" "$T" -n "$B" ttlguard del id 1
check_eq "module_add: the port passes after del" \
	"$(udp_count "$A" "$VETH_B4" "$B" 7300 "$N")" "$N"
check_fail "module_add: the shipped tcchain has no such words" "unknown command 'ttlguard'" \
	"$TCCHAIN" -n "$B" ttlguard show
