#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# make install into a PREFIX the build was not told about: the installed
# binary finds the installed stage library (PREFIX/lib/tcchain/stages)
# from any directory; docs, man page and completion are installed; and a
# bare stage word is always a library name, never a file of the current
# directory.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd make

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=$TCC_TMP/prefix
T=$PREFIX/sbin/tcchain

check_ok "install: make install PREFIX=..." \
	make -C "$ROOT" -s install PREFIX="$PREFIX" OUT="${OUT:-build}"
check_ok "install: the stage library is installed" test -f "$PREFIX/lib/tcchain/stages/parse.bpf.o"
check_ok "install: the man page is installed" test -f "$PREFIX/share/man/man8/tcchain.8"
check_ok "install: the docs are installed" test -f "$PREFIX/share/doc/tcchain/stages.md"
check_ok "install: bash completion is installed" \
	test -f "$PREFIX/share/bash-completion/completions/tcchain"

setup_ns A B
setup_veth "$A" a0 "$B" b0
chain_add "$B" b0 ingress
cd "$TCC_TMP" || exit 1
touch parse			# a file that must not shadow the parse stage
check_ok "install: the installed binary finds the installed stages from anywhere" \
	env -u TCCHAIN_STAGE_PATH "$T" -n "$B" stage set 0 parse
check_eq "install: the stage came from the installed library" \
	"$("$T" -n "$B" -j stage show | jq -r '.[0].stages[0].file')" \
	"$PREFIX/lib/tcchain/stages/parse.bpf.o"
check_fail "install: ./parse is a file, not a stage" "not an ELF object file" \
	"$T" -n "$B" stage set 1 ./parse
check_fail "install: an unknown name lists where it looked" \
	"no stage 'nostage' in the stage library \(looked in .*$PREFIX/lib/tcchain/stages" \
	env -u TCCHAIN_STAGE_PATH "$T" -n "$B" stage set 1 nostage
mkdir -p "$TCC_TMP/mystages"
cp "$PREFIX/lib/tcchain/stages/count.bpf.o" "$TCC_TMP/mystages/mycount.bpf.o"
check_ok "install: TCCHAIN_STAGE_PATH adds places to look" \
	env TCCHAIN_STAGE_PATH="$TCC_TMP/mystages" "$T" -n "$B" stage set 1 mycount
