// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Not a tcchain stage: a plain cls_bpf program the tests attach with `tc`
 * as another tool's filter.  It drops everything it sees, so a test can
 * tell from the traffic whether packets reached it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int foreign_drop(struct __sk_buff *skb)
{
	return TC_ACT_SHOT;
}
