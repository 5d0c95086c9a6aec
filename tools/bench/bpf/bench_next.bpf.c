// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (b), the one tcchain shipped until ABI version 2, with no
 * stats: the entry and every stage read next[] from the config map, tail
 * call the adjacent slot directly when next[] says it is the next one, and
 * otherwise go through a switch of 32 asm-pinned constant tail calls (one
 * call site per slot in every stage), counting the end verdict on the
 * chain's row as it did.  Kept here to measure the shipped
 * dispatch (the "tcchain" design) against.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

/* A constant key in inline asm: clang cannot merge the switch's call
 * sites into one call with a register key (a retpoline).
 */
static __always_inline void tail_call_const(struct __sk_buff *skb, const __u32 slot)
{
	asm volatile("r1 = %[ctx]\n\t"
		     "r2 = %[map] ll\n\t"
		     "r3 = %[slot]\n\t"
		     "call 12\n\t"
		     :: [ctx] "r"(skb), [map] "i"(&tcc_progs), [slot] "i"(slot)
		     : "r0", "r1", "r2", "r3", "r4", "r5");
}

#define CASE(n)		case n: tail_call_const(skb, n); break;
#define SLOTS(X)							\
	X(0)  X(1)  X(2)  X(3)  X(4)  X(5)  X(6)  X(7)			\
	X(8)  X(9)  X(10) X(11) X(12) X(13) X(14) X(15)			\
	X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)			\
	X(24) X(25) X(26) X(27) X(28) X(29) X(30) X(31)
#define ONE(n)		+ 1
_Static_assert(0 SLOTS(ONE) == TCC_MAX_SLOTS, "a case per slot");

/* next[from], or the end verdict; a target at or below @self ends it. */
static __always_inline int next_dispatch(struct __sk_buff *skb, __u32 from, int self)
{
	struct tcc_config *cfg;
	struct tcc_stats *st;
	__u32 zero = 0, n;

	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	n = cfg->next[from];
	if (from < TCC_MAX_SLOTS && n == from) {
		bpf_tail_call(skb, &tcc_progs, from);
		return cfg->miss_verdict;
	}
	if ((int)n <= self)
		n = TCC_SLOT_END;
	switch (n) {
	SLOTS(CASE)
	default:
		st = tcc__stats_row(TCC_STATS_CHAIN);
		if (st)
			tcc__count(st, cfg->end_verdict);
		return cfg->end_verdict;
	}
	return cfg->miss_verdict;
}

SEC("tc")
int next_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	return next_dispatch(skb, 0, -1);
}

SEC("tc")
int next_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;
	int v;

	v = bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
	if (v != TCC_NEXT)
		return v;
	return next_dispatch(skb, tcc_slot + 1, tcc_slot);
}
