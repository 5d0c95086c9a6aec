// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (c), for scale: the same next[] table as the shipped
 * design, but one tail call with the key in a register.  The verifier
 * cannot pin the key, so the JIT emits the indirect tail call: bounds
 * check, prog-array load, and a jmp through the retpoline thunk.  This
 * is what a plain `switch` of bpf_tail_call()s becomes once clang merges
 * the call sites.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline int naive_dispatch(struct __sk_buff *skb, __u32 from, int self)
{
	struct tcc_config *cfg;
	__u32 zero = 0, n;

	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	n = cfg->next[from];
	if ((int)n <= self)
		return cfg->end_verdict;
	/* n == TCC_SLOT_END is out of the array's range: falls through. */
	bpf_tail_call(skb, &tcc_progs, n);
	return n == TCC_SLOT_END ? cfg->end_verdict : cfg->miss_verdict;
}

SEC("tc")
int naive_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	return naive_dispatch(skb, 0, -1);
}

SEC("tc")
int naive_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;
	int v;

	v = bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
	if (v != TCC_NEXT)
		return v;
	return naive_dispatch(skb, tcc_slot + 1, tcc_slot);
}
