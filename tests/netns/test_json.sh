#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Every -j run prints exactly one valid JSON document, also when the
# command fails half-way (after the document was started), when the user
# is not allowed in, and when an argument is not UTF-8.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd python3 setpriv

setup_ns A
chain_add "$A" lo ingress

# One strict JSON document on stdout: valid UTF-8, nothing after it.
one_doc()
{
	python3 -c '
import json, sys
data = sys.stdin.buffer.read().decode("utf-8")	# strict: bad UTF-8 fails
json.loads(data)				# "Extra data" on a second document
'
}

json_check()
{
	local desc=$1; shift
	local out
	out=$("$@" 2>/dev/null)
	if one_doc <<<"$out"; then
		log_test "$desc" 0
	else
		note "stdout: $out"
		log_test "$desc" 1
	fi
}

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

json_check "json: show as an unprivileged user is one document" nobody "$TCCHAIN" -n "$A" -j show
json_check "json: stats as an unprivileged user is one document" nobody "$TCCHAIN" -n "$A" -j stats
check_eq "json: the unprivileged error is the document" \
	"$(nobody "$TCCHAIN" -j show 2>/dev/null | jq -r 'has("error")')" true
json_check "json: an argument that is not UTF-8" \
	"$TCCHAIN" -n "$A" -j stage set 0 $'\xff\xfe\xc0\xaf' dev lo ingress
check_eq "json: bytes that are not UTF-8 are shown as U+FFFD" \
	"$("$TCCHAIN" -n "$A" -j stage set 0 $'x\xffy' dev lo ingress | jq -r .error | grep -c 'x�y')" 1
json_check "json: an unknown object" "$TCCHAIN" -j bogus
json_check "json: a stage show that fails" "$TCCHAIN" -n "$A" -j stage show dev nosuch
json_check "json: show" "$TCCHAIN" -n "$A" -j show
json_check "json: pretty show" "$TCCHAIN" -n "$A" -p show
