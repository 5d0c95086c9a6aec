#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Bash completion (tools/completion/tcchain.bash), run as bash runs it:
# COMP_WORDS/COMP_CWORD set, _tcchain called, COMPREPLY checked, against a
# real namespace with a chain (device names and slots in use come from it).
source "$(dirname "$0")/lib.sh"
require_tcchain

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=/dev/null
source "$ROOT/tools/completion/tcchain.bash"

setup_ns A B
setup_veth "$A" a0 "$B" b0
chain_add "$B" b0 ingress
capture "$TCCHAIN" -n "$B" stage set 0 parse
capture "$TCCHAIN" -n "$B" stage set 3 count

# complete WORD...: the last word is the one being completed.
complete_line()
{
	COMP_WORDS=("$TCCHAIN" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_tcchain
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}

has() { [[ " $1 " == *" $2 "* ]]; }
check_has()
{
	local desc=$1 got=$2 rc=0; shift 2

	for w in "$@"; do
		has "$got" "$w" || rc=1
	done
	[ "$rc" -eq 0 ] || note "completion: got '$got', want all of: $*"
	log_test "$desc" "$rc"
}

check_has "completion: objects" "$(complete_line '')" add del show stage stats map acl mark
check_has "completion: a prefix of an object" "$(complete_line st)" stage stats
check_has "completion: stage commands" "$(complete_line stage '')" set del show info help
check_has "completion: the stage library's names" "$(complete_line stage set 2 '')" \
	parse acl ratelimit mark count
check_eq "completion: slots in use for stage del" \
	"$(complete_line -n "$B" stage del '')" "0 3"
check_eq "completion: slots in use for stage info" \
	"$(complete_line -n "$B" stage info '')" "0 3"
check_has "completion: stage info takes dev after the slot" \
	"$(complete_line -n "$B" stage info 3 '')" dev ingress egress
check_has "completion: devices of the namespace" "$(complete_line -n "$B" add dev '')" b0 lo
check_has "completion: add keywords" "$(complete_line add dev b0 egress '')" prio handle end miss
check_eq "completion: verdicts" "$(complete_line add dev b0 egress end '')" "continue drop pass"
check_has "completion: acl rule words" "$(complete_line acl add '')" drop pass src dst dport
check_has "completion: mark rule words" "$(complete_line mark add '')" keep mark priority classid
check_has "completion: objects include the chain-file commands" "$(complete_line "")" save apply diff rollback
check_has "completion: apply words" "$(complete_line apply "")" -f --dry-run
check_has "completion: options" "$(complete_line -)" -n -j -p -V
