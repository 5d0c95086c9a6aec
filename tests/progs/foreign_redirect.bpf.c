// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Not a tcchain stage: a plain tc program as a tutorial would write it.
 * It sends every packet out of the device `ifindex` (a const volatile
 * global the loader may set), counts them in its own map, and returns
 * bpf_redirect()'s verdict.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 ifindex = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} redirected SEC(".maps");

SEC("tc")
int foreign_redirect(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *n;

	if (!ifindex)
		return TC_ACT_OK;
	n = bpf_map_lookup_elem(&redirected, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	return bpf_redirect(ifindex, 0);
}
