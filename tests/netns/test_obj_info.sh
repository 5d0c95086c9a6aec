#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tcchain stage info FILE|NAME [prog P] [check]: a stage known before it is
# loaded: its programs, params with types and defaults from BTF, its own
# maps with their BTF types, the SDK ABI, foreign or not; with check, the
# verifier's verdict against a throwaway chain in memory, which leaves no
# pin, filter or chain behind.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd jq

P=$TCC_OUTDIR/tests/progs
obj() { "$TCCHAIN" -j stage info "$@" | jq -c "${JQ:-.}"; }

check_ok "obj info: stage info ratelimit" "$TCCHAIN" stage info ratelimit
check_eq "obj info: text names the program, the ABI and a param with its type and default" \
	"$(grep -c -e 'SDK ABI v2' -e 'prog ratelimit section tc type sched_cls' \
		-e 'param rate (__u64) default 1000' "$TCC_STDOUT")" 3
check_eq "obj info: -j: ABI, program, foreign" \
	"$(JQ='[.abi, .programs[0].name, .programs[0].foreign]' obj ratelimit)" '[2,"ratelimit",false]'
check_eq "obj info: -j: params as name -> default" \
	"$(JQ='[.params.rate, .params.burst]' obj ratelimit)" '["1000","100"]'
check_eq "obj info: -j: its own maps with their BTF types (no shared or .rodata maps)" \
	"$(JQ='[.maps[] | select(.name == "rl_sources") | .type, .key_type, .value_type, .max_entries]' obj ratelimit)" \
	'["lru_hash","rl_key","rl_bucket",16384]'
check_eq "obj info: -j: no shared map listed" \
	"$(JQ='[.maps[].name | select(startswith("tcc_"))] | length' obj ratelimit)" 0
check_eq "obj info: without check, check is null" "$(JQ='.check' obj ratelimit)" null

before=$(find /sys/fs/bpf/tcchain 2>/dev/null | sort; ls /sys/fs/bpf)
check_ok "obj info: check" "$TCCHAIN" stage info ratelimit check
check_eq "obj info: check says the verifier accepts it" \
	"$(grep -c 'check: the verifier accepts it' "$TCC_STDOUT")" 1
check_range "obj info: -j check: verified instructions" \
	"$(JQ='.check.verified_insns' obj ratelimit check)" 1 1000000
check_eq "obj info: -j check: ok" "$(JQ='.check.ok' obj ratelimit check)" true
check_eq "obj info: check left no pin behind" "$(find /sys/fs/bpf/tcchain 2>/dev/null | sort; ls /sys/fs/bpf)" "$before"

check_fail "obj info: check of a program the verifier refuses: one Error line with the reason" \
	"does not load: verifier: R1 offset is outside of the packet" \
	"$TCCHAIN" stage info "$P/verifier_reject.bpf.o" check
check_eq "obj info: ... and the report says refused" "$(grep -c 'check: refused' "$TCC_STDOUT")" 1
"$TCCHAIN" stage info "$P/verifier_reject.bpf.o" check >/dev/null 2>&1
check_eq "obj info: refused check exits 2" "$?" 2
check_eq "obj info: -j: a refused check is a failed command: its error names the source line" \
	"$(JQ='.error | test("does not load: verifier: .*verifier_reject.bpf.c:[0-9]+")' obj "$P/verifier_reject.bpf.o" check)" true

check_eq "obj info: a plain tc program is foreign, with no ABI" \
	"$(JQ='[.abi, .programs[0].foreign]' obj "$P/foreign_drop.bpf.o")" '[null,true]'
check_eq "obj info: two programs are both listed" \
	"$(JQ='[.programs[].name] | length' obj "$P/two_tc_progs.bpf.o")" 2
check_ok "obj info: prog picks the one to check" \
	"$TCCHAIN" stage info "$P/two_tc_progs.bpf.o" prog "$("$TCCHAIN" -j stage info "$P/two_tc_progs.bpf.o" | jq -r '.programs[0].name')" check

# C source is compiled into the stage cache first, as stage set does.
SRC=$(cd "$(dirname "$0")/../.." && pwd)/bpf/stages/count/count.bpf.c
check_eq "obj info: a C source stage: compiled, then shown" \
	"$(JQ='[.abi, .programs[0].name, (.maps | length > 0)]' obj "$SRC")" '[2,"count",true]'
