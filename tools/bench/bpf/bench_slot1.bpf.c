// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (a), "slot + 1 direct": every program in slot s ends
 * with a tail call to the constant s + 1 (tcc_slot is read-only data set
 * before load, so the verifier knows the key and the JIT emits a patched
 * direct jmp).  No table, no switch.  The control plane must fill every
 * empty slot between the first and the last stage with slot1_skip, a
 * program that does nothing but jump on, so holes cost one tail call
 * each.  The chain ends where the next slot is empty: the tail call falls
 * through and the end verdict applies, so "end of chain" and "slot
 * emptied under traffic" cannot be told apart.
 *
 * One object, three programs; the loader keeps the one it needs per load.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile int end_verdict = TC_ACT_OK;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline int slot1_next(struct __sk_buff *skb)
{
	/* Slot 31 has no successor; the check folds away at verification. */
	if (tcc_slot + 1 < TCC_MAX_SLOTS)
		bpf_tail_call(skb, &tcc_progs, tcc_slot + 1);
	return end_verdict;
}

SEC("tc")
int slot1_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	bpf_tail_call(skb, &tcc_progs, 0);
	return end_verdict;
}

SEC("tc")
int slot1_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;
	int v;

	v = bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
	if (v != TCC_NEXT)
		return v;
	return slot1_next(skb);
}

SEC("tc")
int slot1_skip(struct __sk_buff *skb)
{
	return slot1_next(skb);
}
