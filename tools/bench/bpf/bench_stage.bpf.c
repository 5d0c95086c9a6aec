// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The minimal stage of the dispatch benchmark, written against the SDK
 * exactly as a user would write one: TCC_STAGE, stats and dispatch as
 * shipped.  tools/bench/dispatch loads it with tcc_stage_set() into every
 * slot of the "tcchain" variant.  bench_count is the stage's own map, so each
 * slot gets its own counter, as with real stages.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

TCC_STAGE(bench_stage)(struct __sk_buff *skb)
{
	__u32 zero = 0;

	return bench_body(skb, tcc_slot, bpf_map_lookup_elem(&bench_count, &zero));
}
