#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# What a stage author sees when something is wrong: an object built
# without -g, a verifier refusal (its reason, the source line, the -d
# hint), and a stage that reads the parsed packet with no parse in an
# earlier slot (a warning when it goes in, and when parse goes away).
source "$(dirname "$0")/lib.sh"
require_tcchain
command -v clang >/dev/null || skip_all "clang not installed"

P=$TCC_OUTDIR/tests/progs
CC=(clang -O2 -target bpf -Ibpf/include -I"/usr/include/$(uname -m)-linux-gnu")

setup_ns B
tcc() { "$TCCHAIN" -n "$B" "$@"; }
stage() { tcc -j stage show | jq -r ".[0].stages[] | select(.slot == $1) | $2"; }

chain_add "$B" lo ingress

# ---- -g ----------------------------------------------------------------------
"${CC[@]}" -c tests/progs/drop_all.bpf.c -o "$TCC_TMP/nog.bpf.o" 2>/dev/null
before=$(tcc -j stage show)
check_fail "messages: an SDK stage built without -g" \
	"the object has no BTF, which its maps need: compile it with -g \(clang -O2 -g -target bpf\)" \
	tcc stage set 3 "$TCC_TMP/nog.bpf.o"
check_eq "messages: without -g: chain unchanged" "$(tcc -j stage show)" "$before"

# ---- verifier ------------------------------------------------------------------
check_fail "messages: verifier: reason, source line and the -d hint" \
	"verifier: R1 offset is outside of the packet, at verifier_reject.bpf.c:11: return \*\(__u32 \*\)\(data \+ 30\) == 7 \? TCC_DROP : TCC_NEXT; \(run with -d for the whole verifier log\)$" \
	tcc stage set 3 "$P/verifier_reject.bpf.o"
check_eq "messages: verifier: exit status 2 (the verifier refused)" \
	"$(tcc stage set 3 "$P/verifier_reject.bpf.o" 2>/dev/null; echo $?)" 2
capture tcc -d stage set 3 "$P/verifier_reject.bpf.o"
check_eq "messages: verifier with -d: no hint, the whole log" \
	"$(head -n 1 "$TCC_STDERR" | grep -c 'run with -d'),$(grep -c '^processed [0-9]* insns' "$TCC_STDERR")" "0,1"
check_eq "messages: verifier with -d: the log has the source line" \
	"$(grep -c '^; return \*(__u32 \*)(data + 30) == 7' "$TCC_STDERR")" 1
capture tcc -j stage set 3 "$P/verifier_reject.bpf.o"
check_eq "messages: verifier with -j: the error has the source line" \
	"$(jq -r '.error | test("at verifier_reject.bpf.c:11: ")' "$TCC_STDOUT")" true

# The same refusal from a foreign program built without -g: no line info.
cat >"$TCC_TMP/fbad.bpf.c" <<'C'
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("tc") int fbad(struct __sk_buff *skb)
{
	return *(__u32 *)((void *)(long)skb->data + 30) == 7 ? TC_ACT_SHOT : TC_ACT_OK;
}
C
"${CC[@]}" -c "$TCC_TMP/fbad.bpf.c" -o "$TCC_TMP/fbad.bpf.o" 2>/dev/null
check_fail "messages: verifier, object without line info: says to use -g" \
	"verifier: R1 offset is outside of the packet \(no source line: the object has no BTF line info, compile it with -g\) \(run with -d" \
	tcc stage set 3 "$TCC_TMP/fbad.bpf.o"
check_eq "messages: refusals changed nothing" "$(tcc -j stage show)" "$before"

# ---- needs parse ----------------------------------------------------------------
# reads calls tcc_pkt_parsed(): it sees a parsed packet only when
# parse (or a stage filling it) ran in an earlier slot.
cat >"$TCC_TMP/reads.bpf.c" <<'C'
#include <tcchain.h>
char LICENSE[] SEC("license") = "Dual BSD/GPL";
TCC_STAGE(reads)(struct __sk_buff *skb)
{
	struct tcc_pkt *pkt = tcc_pkt_parsed(tcc_scratch_get());

	return pkt && pkt->ttl < 2 ? TCC_DROP : TCC_NEXT;
}
C
WARN="stage 5 \(reads\) reads the parsed packet \(tcc_pkt_parsed\(\)\) but no earlier slot runs parse: it sees no parsed packet; put parse in a slot before 5"
capture tcc stage set 5 "$TCC_TMP/reads.bpf.c"
check_eq "messages: needs parse: set without parse warns (and works)" \
	"$?,$(grep -Ec "^Warning: $WARN$" "$TCC_STDERR"),$(grep -c '' "$TCC_STDERR")" "0,1,1"
check_eq "messages: needs parse: show -j says so" "$(stage 5 .needs_parse)" true
# the cache keeps one object per source path: this test's goes with it
defer rm -f "$(stage 5 .object)"
capture tcc -j stage set 2 parse
check_eq "messages: needs parse: parse does not need it" "$(jq -r .needs_parse "$TCC_STDOUT")" false
check_eq "messages: needs parse: parse before it: no warning" "$(grep -c Warning "$TCC_STDERR")" 0
capture tcc stage set 5 "$TCC_TMP/reads.bpf.c"
check_eq "messages: needs parse: set again behind parse: no warning" "$(grep -c Warning "$TCC_STDERR")" 0
capture tcc stage del 2
check_eq "messages: needs parse: deleting parse warns" \
	"$(grep -Ec "^Warning: $WARN$" "$TCC_STDERR")" 1
capture tcc stage set 7 count
check_eq "messages: needs parse: an unrelated stage does not repeat it" "$(grep -c Warning "$TCC_STDERR")" 0
capture tcc stage set 1 count
check_eq "messages: needs parse: a stage using tcc_pkt_get() fills it: no warning" \
	"$(grep -c Warning "$TCC_STDERR")" 0
capture tcc stage del 1
check_eq "messages: needs parse: ...and deleting it warns again" \
	"$(grep -Ec "^Warning: $WARN$" "$TCC_STDERR")" 1
