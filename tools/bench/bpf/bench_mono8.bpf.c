// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The real-traffic part of the benchmark (tools/bench/real.sh): eight
 * minimal stages as ONE program, for `tc filter add ... bpf da obj
 * bench_mono8.bpf.o sec tc`.  The same work as the 8-stage tcchain chain
 * of bench_stage.bpf.o: the entry's reset, then eight bench_body()s, stage
 * i counting in row i of bench_count (which real.sh reads to check that
 * every packet ran all eight).  bench_mono.bpf.o has the same program
 * (mono_8), but tc loads the first program of a section, so this one
 * stands alone.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define MONO8_STAGES	8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MONO8_STAGES);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

SEC("tc")
int mono8(struct __sk_buff *skb)
{
	bench_reset(skb);
#pragma unroll
	for (__u32 i = 0; i < MONO8_STAGES; i++) {
		__u32 key = i;
		int v = bench_body(skb, i, bpf_map_lookup_elem(&bench_count, &key));

		if (v != TCC_NEXT)
			return v;
	}
	return TC_ACT_OK;
}
