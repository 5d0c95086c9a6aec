// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (b'), a proposal: the shipped next[] table, with a fast
 * path for the common case that the next occupied slot is the adjacent
 * one.  That case is one table load, one compare and one direct tail call
 * (the key is tcc_slot + 1 from read-only data, so the verifier knows it);
 * only a hole takes the shipped 32-way switch of asm-pinned tail calls.
 * Per-stage stats are left out, as in bench_next.bpf.c.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline int fast_dispatch(struct __sk_buff *skb, __u32 from, int self)
{
	struct tcc_config *cfg;
	__u32 zero = 0, n;

	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	n = cfg->next[from];
	if ((int)n <= self || n >= TCC_SLOT_END)
		return cfg->end_verdict;
	/* from is known to the verifier (a constant or tcc_slot + 1), so
	 * this is a direct jump; the from check folds away.
	 */
	if (from < TCC_MAX_SLOTS && n == from) {
		bpf_tail_call(skb, &tcc_progs, from);
		return cfg->miss_verdict;
	}
	switch (n) {
	TCC__CASE(0);  TCC__CASE(1);  TCC__CASE(2);  TCC__CASE(3);
	TCC__CASE(4);  TCC__CASE(5);  TCC__CASE(6);  TCC__CASE(7);
	TCC__CASE(8);  TCC__CASE(9);  TCC__CASE(10); TCC__CASE(11);
	TCC__CASE(12); TCC__CASE(13); TCC__CASE(14); TCC__CASE(15);
	TCC__CASE(16); TCC__CASE(17); TCC__CASE(18); TCC__CASE(19);
	TCC__CASE(20); TCC__CASE(21); TCC__CASE(22); TCC__CASE(23);
	TCC__CASE(24); TCC__CASE(25); TCC__CASE(26); TCC__CASE(27);
	TCC__CASE(28); TCC__CASE(29); TCC__CASE(30); TCC__CASE(31);
	}
	return cfg->miss_verdict;
}

SEC("tc")
int fast_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	return fast_dispatch(skb, 0, -1);
}

SEC("tc")
int fast_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;
	int v;

	v = bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
	if (v != TCC_NEXT)
		return v;
	return fast_dispatch(skb, tcc_slot + 1, tcc_slot);
}
