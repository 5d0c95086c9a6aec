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

# Every changing command prints one document too: what it made, as show
# prints it, or null (doc/json.md).
ip -n "$A" link add j0 type veth peer name j1 >/dev/null 2>&1
ip -n "$A" link set j0 up; ip -n "$A" link set j1 up
for cmd in "add dev j0 ingress" "stage set 0 parse dev j0 ingress" \
	   "stage set 1 acl dev j0 ingress" "acl add drop src 10.0.0.0/8 dev j0 ingress" \
	   "mark show dev j0 ingress" "stats reset dev j0 ingress" "acl del id 10 dev j0 ingress" \
	   "stage del 0 dev j0 ingress" "-V" "help" "stage help"; do
	# shellcheck disable=SC2086
	json_check "json: '$cmd' prints one document" "$TCCHAIN" -n "$A" -j $cmd
done
defer -q "$TCCHAIN" -n "$A" del dev j0 ingress
capture "$TCCHAIN" -n "$A" stage set 0 parse dev j0 ingress
check_eq "json: add prints the chain as show does" \
	"$("$TCCHAIN" -n "$A" -j add dev j0 egress | jq -c '[.dev, .dir, .end_verdict, .stages]')" \
	'["j0","egress","pass",[]]'
check_eq "json: del prints null" "$("$TCCHAIN" -n "$A" -j del dev j0 egress)" null
check_eq "json: stage set prints the stage with its chain" \
	"$("$TCCHAIN" -n "$A" -j stage set 2 ratelimit dev j0 ingress param rate=5kpps | jq -c '[.dev, .dir, .slot, .prog, .params]')" \
	'["j0","ingress",2,"ratelimit",{"rate":"5kpps"}]'
cookie=$(netns_cookie "$A")
ids='[.netns, .dev, .ifindex, .dir] | map(type) | join(",")'
for cmd in "show" "stats"; do
	check_eq "json: $cmd identifies chains by netns, dev, ifindex, dir" \
		"$("$TCCHAIN" -n "$A" -j $cmd dev j0 ingress | jq -r ".[0] | $ids")" "number,string,number,string"
done
for cmd in "stage show" "map show 2" "map show 2 rl_stats"; do
	check_eq "json: $cmd identifies its chain the same way" \
		"$("$TCCHAIN" -n "$A" -j $cmd dev j0 ingress | jq -r ".[0] | $ids")" "number,string,number,string"
done
check_eq "json: netns is the namespace's cookie" \
	"$("$TCCHAIN" -n "$A" -j stage show dev j0 ingress | jq -r '.[0].netns')" "$cookie"

# With several chains and no dev, the show commands show every chain,
# each labelled, as stats does (and one array always).
check_eq "json: stage show without dev shows every chain" \
	"$("$TCCHAIN" -n "$A" -j stage show | jq -c '[.[] | [.dev, .dir]] | sort')" \
	'[["j0","ingress"],["lo","ingress"]]'
check_eq "json: map show without dev shows the chains that have the stage" \
	"$("$TCCHAIN" -n "$A" -j map show 2 rl_stats | jq -c '[.[] | .dev]')" '["j0"]'
capture "$TCCHAIN" -n "$A" stage set 1 acl dev lo ingress
capture "$TCCHAIN" -n "$A" stage set 1 acl dev j0 ingress
check_eq "json: acl show without dev shows every chain's rules" \
	"$("$TCCHAIN" -n "$A" -j acl show | jq -c '[.[] | .dev] | sort')" '["j0","lo"]'
check_ok "json: stage show without dev, as text" "$TCCHAIN" -n "$A" stage show
check_eq "json: the text labels each chain" "$(grep -c '^[a-z0-9]* ingress:' "$TCC_STDOUT")" 2
