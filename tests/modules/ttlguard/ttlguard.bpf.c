// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ttlguard: a stage module written in the test tree, to show that a stage
 * with words needs only its own directory and one line in the kind table.
 * Drops TCP/UDP packets to a guarded port whose TTL (hop limit) is below
 * the rule's minimum.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

#include "ttlguard.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ttlguard_rules);
} ttlguard_rules SEC(".maps");

TCC_STAGE(ttlguard)(struct __sk_buff *skb)
{
	struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
	struct ttlguard_rules *rs;
	__u32 zero = 0;

	rs = bpf_map_lookup_elem(&ttlguard_rules, &zero);
	if (!rs || !pkt || !(pkt->flags & TCC_PKT_L4))
		return TCC_NEXT;
#pragma unroll
	for (__u32 i = 0; i < TTLGUARD_MAX_RULES; i++) {
		if (i >= rs->n_rules)
			break;
		if (rs->rules[i].dport == pkt->dport && pkt->ttl < rs->rules[i].min_ttl)
			return TCC_DROP;
	}
	return TCC_NEXT;
}
