// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (a) again, "slot + 1 direct", but with all 32 stage
 * programs in one object: slot numbers are compile-time constants and the
 * stages share one counter map (row = slot) and no per-stage .rodata.
 * Set against bench_slot1.bpf.o (one object per stage, as stage set
 * loads them) it shows what separate objects cost, independent of the
 * dispatch design.  Empty slots are not supported here: packed only.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_MAX_STAGES);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

SEC("tc")
int one_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	bpf_tail_call(skb, &tcc_progs, 0);
	return TC_ACT_OK;
}

#define ONE(s)								\
	SEC("tc") int one_##s(struct __sk_buff *skb)			\
	{								\
		__u32 key = (s);					\
		int v;							\
									\
		v = bench_body(skb, (s), bpf_map_lookup_elem(&bench_count, &key)); \
		if (v != TCC_NEXT)					\
			return v;					\
		if ((s) + 1 < TCC_MAX_SLOTS)				\
			bpf_tail_call(skb, &tcc_progs, (s) + 1);	\
		return TC_ACT_OK;					\
	}

ONE(0)  ONE(1)  ONE(2)  ONE(3)  ONE(4)  ONE(5)  ONE(6)  ONE(7)
ONE(8)  ONE(9)  ONE(10) ONE(11) ONE(12) ONE(13) ONE(14) ONE(15)
ONE(16) ONE(17) ONE(18) ONE(19) ONE(20) ONE(21) ONE(22) ONE(23)
ONE(24) ONE(25) ONE(26) ONE(27) ONE(28) ONE(29) ONE(30) ONE(31)
