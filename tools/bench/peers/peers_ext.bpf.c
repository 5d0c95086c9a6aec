// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One program behind the freplace dispatcher (peers_disp.bpf.c): the bench's
 * minimal stage body (tools/bench/bpf/bench.h: a scratch byte, a cb word and
 * a per-CPU counter of its own), then TC_ACT_UNSPEC so that the dispatcher
 * calls the next one.  The section's target is a placeholder: the loader
 * sets the real one (stub0..stub9) with bpf_program__set_attach_target().
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

SEC("freplace/stub0")
int peers_ext(struct __sk_buff *skb)
{
	__u32 zero = 0;

	bench_body(skb, 0, bpf_map_lookup_elem(&bench_count, &zero));
	return TC_ACT_UNSPEC;
}
