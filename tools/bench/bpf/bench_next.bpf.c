// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Dispatch design (b), the shipped one, with no stats at all: the entry
 * and every stage end in the SDK's own tcc__dispatch() (next[] table in
 * the config map, a direct tail call when the next slot is adjacent, else
 * a switch of asm-pinned constant tail calls).  Comparing it with the
 * "tcchain" variant (the same dispatch plus the stats, loaded by
 * libtcchain) splits the framework's cost into dispatch and accounting.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

SEC("tc")
int next_entry(struct __sk_buff *skb)
{
	bench_reset(skb);
	return tcc__dispatch(skb, 0, -1);
}

SEC("tc")
int next_stage(struct __sk_buff *skb)
{
	__u32 zero = 0;
	int v;

	v = bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
	if (v != TCC_NEXT)
		return v;
	return tcc__dispatch(skb, tcc_slot + 1, tcc_slot);
}
