// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * mark: classify packets by setting skb->mark, skb->priority and/or
 * skb->tc_classid, then continue.
 *
 * Params (what a packet no rule matched gets; 0 leaves the field alone):
 *   mark_value  skb->mark
 *   priority    skb->priority
 *   classid     skb->tc_classid: 16 bits, because the kernel keeps only
 *               the minor there; cls_bpf adds the major of the filter's
 *               own classid, and a clsact hook does not hand the result
 *               to the root qdisc at all.  To pick an HTB/prio class from
 *               clsact egress, set priority to the full class id
 *               (0xMMMMmmmm): those qdiscs take skb->priority as one.
 * With no rules, the params apply to every packet:
 *	tcchain stage set 3 mark param mark_value=0x10
 *
 * Rules: map mark_rules, an array of one struct mark_rules
 * { n_rules, rules[MARK_MAX_RULES] }.  The first n_rules rules are tried in
 * order and the first that matches wins; the whole set is replaced with
 * one map update, so a packet never sees a half-edited set.  A rule
 * (struct mark_rule) matches when all its conditions hold:
 *
 *   proto          IPPROTO_* of the L4 header, 0 = any
 *   ip_ver         4 or 6, 0 = any
 *   src_prefixlen  source prefix length, 0 = any address.  With a
 *                  prefix, ip_ver must be 4 or 6 and the packet's family
 *                  must equal it.
 *   src            the prefix, network order (inet_pton output; IPv4 in
 *                  the first 4 bytes)
 *   dport_min/max  destination port range, host order, inclusive;
 *                  0..65535 is "any", anything narrower only matches TCP,
 *                  UDP and SCTP packets with ports present
 *
 * and then sets what its set bits say, with its own values:
 *
 *   set            MARK_SET_MARK (1): skb->mark = mark,
 *                  MARK_SET_PRIORITY (2): skb->priority = priority,
 *                  MARK_SET_CLASSID (4): skb->tc_classid = classid.
 *                  Unlike the params, 0 is a value a rule can set; a rule
 *                  with set = 0 exempts its packets from the params.
 *
 * mark_hits (per-CPU array, MARK_MAX_RULES + 1 __u64): packets matched by
 * rule i at index i; index MARK_MAX_RULES counts packets no rule matched.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

#include "mark.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 mark_value = 0;
const volatile __u32 priority = 0;
const volatile __u16 classid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct mark_rules);
} mark_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MARK_MAX_RULES + 1);
	__type(key, __u32);
	__type(value, __u64);
} mark_hits SEC(".maps");

/* Is the packet's source inside the rule's prefix? */
static __always_inline int mark_src_match(const struct tcc_pkt *pkt, const struct mark_rule *r)
{
	__u32 plen = r->src_prefixlen;

	if (!plen)
		return 1;
	if (r->ip_ver != pkt->ip_ver || !pkt->ip_ver)
		return 0;
#pragma unroll
	for (__u32 i = 0; i < 4; i++) {
		__u32 bits, mask;

		if (plen <= 32 * i)
			break;		/* an IPv4 prefix stops after word 0 */
		bits = plen - 32 * i;
		if (bits > 32)
			bits = 32;
		/* The top `bits` bits; a 64-bit shift keeps bits = 32 (shift
		 * 0) defined, where ~0U << 32 would not be.
		 */
		mask = (__u32)(0xffffffffULL << (32 - bits));
		if ((pkt->src[i] ^ r->src_words[i]) & bpf_htonl(mask))
			return 0;
	}
	return 1;
}

static __always_inline int mark_rule_match(const struct tcc_pkt *pkt, const struct mark_rule *r)
{
	if (r->ip_ver && r->ip_ver != pkt->ip_ver)
		return 0;
	if (r->proto && (!pkt->ip_ver || r->proto != pkt->l4_proto))
		return 0;
	if (r->dport_min != 0 || r->dport_max != 0xffff) {
		if (!(pkt->flags & TCC_PKT_L4) ||
		    (pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP &&
		     pkt->l4_proto != IPPROTO_SCTP) ||
		    pkt->dport < r->dport_min || pkt->dport > r->dport_max)
			return 0;
	}
	return mark_src_match(pkt, r);
}

TCC_STAGE(mark)(struct __sk_buff *skb)
{
	struct mark_rules *rs;
	struct tcc_pkt *pkt;
	__u32 zero = 0, hit = MARK_MAX_RULES, n;
	__u64 *cnt;

	rs = bpf_map_lookup_elem(&mark_rules, &zero);
	n = rs ? rs->n_rules : 0;
	/* No rules: no need to look at the packet at all. */
	pkt = n ? tcc_pkt_get(skb, tcc_scratch_get()) : NULL;
	if (rs && pkt) {
#pragma unroll
		for (__u32 i = 0; i < MARK_MAX_RULES; i++) {
			const struct mark_rule *r = &rs->rules[i];

			if (i >= n)
				break;
			if (!mark_rule_match(pkt, r))
				continue;
			if (r->set & MARK_SET_MARK)
				skb->mark = r->mark;
			if (r->set & MARK_SET_PRIORITY)
				skb->priority = r->priority;
			if (r->set & MARK_SET_CLASSID)
				skb->tc_classid = r->classid;
			hit = i;
			break;
		}
	}
	if (hit == MARK_MAX_RULES) {
		if (mark_value)
			skb->mark = mark_value;
		if (priority)
			skb->priority = priority;
		if (classid)
			skb->tc_classid = classid;
	}
	cnt = bpf_map_lookup_elem(&mark_hits, &hit);
	if (cnt)
		*cnt += 1;
	return TCC_NEXT;
}
