// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Not a tcchain stage: a plain tc program as a tutorial would write it.
 * It sends every packet out of the device `ifindex` (a const volatile
 * global the loader may set) and returns bpf_redirect()'s verdict.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 ifindex = 0;

SEC("tc")
int foreign_redirect(struct __sk_buff *skb)
{
	if (!ifindex)
		return TC_ACT_OK;
	return bpf_redirect(ifindex, 0);
}
