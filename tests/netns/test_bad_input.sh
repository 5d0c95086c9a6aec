#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The bad-input table: every command refuses what it cannot do exactly as
# typed with one "Error:" line and exit status 1 (bad input, found before
# the kernel was asked) or 2 (the kernel or the verifier refused), and
# nothing changes: the same stage ids and rules, the same pins, the same
# tc filters and qdiscs, and at the end the same traffic behaviour.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_traffic
require_cmd tc

P=$(dirname "$TCCHAIN")/tests/progs
N=100

setup_ns A B
setup_veth "$A" a0 "$B" b0
tcc() { "$TCCHAIN" "$@"; }

chain_add "$B" b0 ingress
capture tcc -n "$B" stage set 0 parse
capture tcc -n "$B" stage set 1 acl
capture tcc -n "$B" stage set 2 ratelimit param rate=10mbit burst=64Ki
capture tcc -n "$B" stage set 3 mark param mark_value=0x5
capture tcc -n "$B" stage set 4 count
capture tcc -n "$B" acl add drop src "$VETH_A4/32" udp dport 7400
capture tcc -n "$B" mark add udp dport 7401 priority 3
PINS=/sys/fs/bpf/tcchain/$(netns_cookie "$B")

snapshot()
{
	tcc -n "$B" -j stage show | jq -c '[.[0].stages[] | [.slot, .id, .params]]'
	tcc -n "$B" -j acl show | jq -c '[.[0].rules[] | [.id, .words]]'
	tcc -n "$B" -j mark show | jq -c '[.[0].rules[] | [.id, .words]]'
	find "$PINS" | sort
	in_ns "$B" tc filter show dev b0 ingress
	in_ns "$B" tc qdisc show dev b0
}
BEFORE=$(snapshot)
n_bad=0

# bad STATUS PATTERN ARGS...: tcchain -n B ARGS fails with STATUS and one
# Error: line matching PATTERN, and nothing changed.
bad()
{
	local status=$1 pat=$2 rc after name; shift 2

	# The name is the command line, with the build directory as $OUT so
	# that it is the same from any checkout.
	name="bad input: ${*//$TCC_OUTDIR/\$OUT}"
	n_bad=$((n_bad + 1))
	check_fail "$name" "$pat" tcc -n "$B" "$@"
	rc=$(tail -n 1 "$TCC_TMP/capture" | sed -n 's/.*exit status //p')
	capture tcc -n "$B" "$@"
	rc=$?
	check_eq "$name: exit status" "$rc" "$status"
	after=$(snapshot)
	if [ "$after" != "$BEFORE" ]; then
		note "changed:" "$(diff <(echo "$BEFORE") <(echo "$after"))"
		BEFORE=$after
		log_test "$name: nothing changed" 1
	fi
}

# ---- options and objects
bad 1 "unknown option '-x'" -x show
bad 1 "unknown option '--bogus'" --bogus show
bad 1 "unknown command 'shwo' \(did you mean 'show'\?\)" shwo
bad 1 "unknown command 'sttas' \(did you mean 'stats'\?\)" sttas
bad 1 "stage: a command is required" stage
bad 1 "map: a command is required" map
bad 1 "acl: a command is required" acl
bad 1 "mark: a command is required" mark
bad 1 "unknown command 'sett' \(did you mean 'set'\?\)" stage sett 2 parse
bad 1 "unknown command 'count'" count show
# ---- add / del / show
bad 1 "the direction is required" add dev b0
bad 1 "cannot find device 'nodev0'" add dev nodev0 ingress
bad 1 "invalid direction 'sideways'" add dev b0 sideways
bad 1 "'prio' is given twice" add dev b0 egress prio 5 prio 6
bad 1 "'handle' is given twice" add dev b0 egress handle 1 handle 65536
bad 1 "'end' is given twice" add dev b0 egress end drop end pass
bad 1 "'dev' is given twice" add dev b0 dev b0 egress
bad 1 "direction is given twice" add dev b0 ingress egress
bad 1 "invalid prio '0'" add dev b0 egress prio 0
bad 1 "invalid prio '010': leading zeros" add dev b0 egress prio 010
bad 1 "invalid prio '0x'" add dev b0 egress prio 0x
bad 1 "invalid end verdict 'maybe'" add dev b0 egress end maybe
bad 1 "'miss' needs an argument" add dev b0 egress miss
bad 1 "add: unknown keyword 'priority'" add dev b0 egress priority 5
bad 1 "already" add dev b0 ingress
bad 1 "the direction is required" del dev b0
bad 1 "cannot find device 'a0'" del dev a0 ingress
bad 1 "no such chain" del dev b0 egress
bad 1 "cannot find device 'nodev0'" show dev nodev0
# ---- stage
bad 1 "invalid slot '32'" stage set 32 parse
bad 1 "invalid slot '010': leading zeros" stage set 010 parse
bad 1 "invalid slot '-1'" stage set -1 parse
bad 1 "invalid slot ' 1'" stage set " 1" parse
bad 1 "no stage 'no_such_stage' in the stage library \(looked in" stage set 5 no_such_stage
bad 1 "No such file" stage set 5 /nonexistent.bpf.o
bad 1 "not an ELF object file" stage set 5 /etc/hostname
bad 1 "'prog' is given twice" stage set 5 ratelimit prog ratelimit prog ratelimit
bad 1 "param rate given twice" stage set 2 ratelimit param rate=5 rate=6
bad 1 "unknown param 'nosuch'" stage set 2 ratelimit param nosuch=1
bad 1 "param rate=fast: not a rate" stage set 2 ratelimit param rate=fast
bad 1 "bytes=0 says otherwise" stage set 2 ratelimit param rate=10mbit bytes=0
bad 1 "names starting with tcc_ belong to the framework" stage set 2 ratelimit param tcc_slot=1
bad 1 "'param' needs NAME=VALUE" stage set 2 ratelimit param
bad 1 "param '=5' has no name" stage set 2 ratelimit param =5
bad 1 "param burst=1.5: " stage set 2 ratelimit param burst=1.5
bad 1 "param per_source=-1" stage set 2 ratelimit param per_source=-1
bad 1 "stage set: unknown keyword 'bogus'" stage set 2 ratelimit bogus
bad 1 "'dev' is given twice" stage set 2 ratelimit dev b0 dev b0
bad 2 "verifier: " stage set 5 "$P/verifier_reject.bpf.o"
bad 1 "slot 9 is empty" stage del 9
bad 1 "SLOT is required" stage del
bad 1 "stage del: unknown keyword 'bogus'" stage del 9 egress bogus
bad 1 "stage show: unknown keyword 'bogus'" stage show bogus
bad 1 "'dev' is given twice" stage show dev b0 dev b0
bad 1 "show: unknown keyword 'bogus'" show bogus
bad 1 "rollback: unknown keyword 'bogus'" rollback dev b0 egress bogus
bad 1 "SLOT and FILE are required" stage set 2
bad 1 "stage info: SLOT, FILE or NAME is required" stage info
bad 1 "invalid slot '32'" stage info 32
bad 1 "invalid slot ''" stage info "" dev b0
bad 1 "stage info: no stage 'nosuch' in the stage library" stage info nosuch
bad 1 "stage info: unknown keyword 'now'" stage info parse check now
bad 1 "no program 'nope' in" stage info parse prog nope
bad 1 "stage info: prog needs a name" stage info parse prog
bad 1 "stage info: unknown keyword 'check'" stage info parse check check
bad 1 "cannot show stage 9 on b0 ingress: slot 9 is empty" stage info 9
bad 1 "stage info: unknown keyword 'bogus'" stage info 1 bogus
bad 1 "'dev' is given twice" stage info 1 dev b0 dev b0
# ---- map
bad 1 "cannot open map 'nosuchmap' of slot 1" map show 1 nosuchmap
bad 1 "SLOT is required" map show
bad 1 "invalid slot '40'" map show 40
bad 1 "field 'prefixlen' is given twice" \
	map set 1 acl_src4 key prefixlen=8 prefixlen=9 addr=10.0.0.0 value n_rules=0
bad 1 "nofield" map set 1 acl_src4 key nofield=1 value n_rules=0
bad 1 "'value FIELD=VALUE...' is required" map set 1 acl_src4 key prefixlen=8 addr=10.0.0.0
bad 1 "no such key" map del 1 acl_src4 key prefixlen=8 addr=99.0.0.0
bad 2 "cannot set map entry in acl_src4" \
	map set 1 acl_src4 key prefixlen=33 addr=10.0.0.0 value n_rules=0
bad 1 "not an integer|not a number" map set 1 acl_src4 key prefixlen=eight addr=10.0.0.0 value n_rules=0
# ---- acl
bad 1 "'src' is given twice" acl add drop src 10.0.0.0/8 src 10.1.0.0/16
bad 1 "two actions" acl add drop pass src 10.0.0.0/8
bad 1 "host bits set" acl add drop src 10.1.2.3/8
bad 1 "invalid prefix '10.0.0.0/33'" acl add drop src 10.0.0.0/33
bad 1 "invalid prefix '10.0.0.0/08'" acl add drop src 10.0.0.0/08
bad 1 "invalid port '0-'" acl add drop src 10.0.0.0/8 tcp dport 0-
bad 1 "'dport' needs tcp, udp or sctp" acl add drop src 10.0.0.0/8 dport 22
bad 1 "needs an action" acl add src 10.0.0.0/8
bad 1 "needs 'src PREFIX' or 'dst PREFIX'" acl add drop
bad 1 "rule id 10 is taken" acl add id 10 drop src ::/0
bad 1 "no such rule \(id 999\)" acl del id 999
bad 1 "'id ID' is required" acl del
bad 1 "slot 0 does not hold the acl stage" acl show slot 0
bad 1 "invalid slot '99'" acl add slot 99 drop src ::/0
bad 1 "acl: unknown keyword 'sport'" acl add drop src ::/0 tcp sport 5
# ---- mark
bad 1 "needs what to set" mark add udp
bad 1 "'mark' is given twice" mark add mark 1 mark 2
bad 1 "'keep' sets nothing" mark add keep mark 1
bad 1 "no such rule \(id 9\)" mark del id 9
bad 1 "invalid rule id '0'" mark del id 0
# ---- stats and namespaces
bad 1 "cannot find device 'nodev0'" stats dev nodev0
bad 1 "stats: unknown keyword 'bogus'" stats bogus
bad 1 "stats reset: unknown keyword 'bogus'" stats reset bogus
bad 1 "direction is given twice" stats reset egress ingress

check_eq "bad input: a target's words in either order" \
	"$(tcc -j show egress dev b0)" "$(tcc -j show dev b0 egress)"
check_fail "bad input: -n of something not a namespace" "cannot enter network namespace" \
	tcc -n /etc/hostname show
n_bad=$((n_bad + 1))
check_range "bad input: the table has at least 60 entries" "$n_bad" 60 1000
check_eq "bad input: acl still drops its flow" "$(udp_count "$A" "$VETH_B4" "$B" 7400 "$N")" 0
check_eq "bad input: other flows still pass" "$(udp_count "$A" "$VETH_B4" "$B" 7401 "$N")" "$N"
check_eq "bad input: nothing changed after the whole table" "$(snapshot)" "$BEFORE"

# help works on every object and command, and is not garbage-tolerant.
for obj in "" add del show prune stats stage map acl mark; do
	check_ok "help: '$obj help' prints its usage" tcc $obj help
	check_eq "help: '$obj help' usage on stderr" "$(grep -c 'Usage: ' "$TCC_STDERR")" 1
done
# ... and after a subcommand, as 'ip link add help': the object's usage
for cmd in "stage set" "stage del" "stage show" "map set" "map show" "acl add" "acl del" \
	   "mark add"; do
	check_ok "help: '$cmd help' prints its usage" tcc $cmd help
	check_eq "help: '$cmd help' names the subcommand" \
		"$(grep -q "tcchain $cmd " "$TCC_STDERR" && echo yes)" yes
done
check_fail "help: trailing words after help" "unexpected 'now' after help" tcc stage help now
