// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The real-traffic part of the benchmark: one minimal stage as a plain
 * cls_bpf filter, the way users chain programs today: eight of these on
 * one hook, `tc filter add ... prio 1..8 bpf da obj bench_filter.bpf.o
 * sec S`, each loaded on its own (own maps, own counter).
 *
 *   sec tc          filter_next: the body, then TC_ACT_UNSPEC, so that
 *                   cls_bpf goes on to the next filter (prio 1..7)
 *   sec classifier  filter_last: the body, then TC_ACT_OK (prio 8)
 *
 * Two section names because tc picks a program by section, and these two
 * are the ones libbpf knows as sched_cls.  No entry reset: nothing runs
 * before the first filter (the reset costs a few ns per packet in the
 * chain and the one-program version).
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline void filter_body(struct __sk_buff *skb)
{
	__u32 zero = 0;

	bench_body(skb, 0, bpf_map_lookup_elem(&bench_count, &zero));
}

SEC("tc")
int filter_next(struct __sk_buff *skb)
{
	filter_body(skb);
	return TC_ACT_UNSPEC;
}

SEC("classifier")
int filter_last(struct __sk_buff *skb)
{
	filter_body(skb);
	return TC_ACT_OK;
}
