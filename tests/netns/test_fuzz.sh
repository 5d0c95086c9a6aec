#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# The argv fuzzer (tests/fuzz/argv_fuzz.py) against the CLI built with
# AddressSanitizer and UBSan ($OUT/san/tcchain, `make san`), in a throwaway
# namespace with a chain present: a few thousand command lines from the
# real grammar, some mutated, each checked for sanitizer reports, crashes,
# hangs, one JSON document under -j, and no exit 0 on garbage.
source "$(dirname "$0")/lib.sh"
require_tcchain
require_cmd python3

SAN=${TCCHAIN_SAN:-$TCC_OUTDIR/san/tcchain}
[ -x "$SAN" ] || skip_all "$SAN not built (make san)"
RUNS=${FUZZ_RUNS:-3000}

setup_ns F
capture ip -n "$F" link add f0 type veth peer name f1 &&
capture ip -n "$F" link set f0 up && capture ip -n "$F" link set f1 up ||
	_tcc_setup_fail "veth in $F"
chain_add "$F" f0 ingress
defer -q "$TCCHAIN" -n "$F" del dev f0 egress
for s in "0 parse" "1 acl" "2 ratelimit" "3 mark" "4 count"; do
	capture "$TCCHAIN" -n "$F" stage set $s dev f0 ingress || _tcc_setup_fail "stage set $s"
done

check_ok "fuzz: $RUNS command lines, sanitizers clean, one JSON document, garbage refused" \
	python3 tests/fuzz/argv_fuzz.py "$SAN" "$F" f0 --runs "$RUNS" --seed "${FUZZ_SEED:-1}"
