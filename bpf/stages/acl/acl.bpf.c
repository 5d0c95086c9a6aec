// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * acl: pass, drop or continue IPv4/IPv6 packets by address prefix,
 * protocol and destination port range.
 *
 * Rules hang off prefixes.  Four LPM tries map a prefix to a list of at
 * most ACL_RULES_PER_PREFIX rules:
 *
 *	acl_src4  key struct acl_key4 { prefixlen, addr[4] }   by source
 *	acl_dst4  key struct acl_key4                          by destination
 *	acl_src6  key struct acl_key6 { prefixlen, addr[16] }  by source
 *	acl_dst6  key struct acl_key6                          by destination
 *	value     struct acl_rules { n_rules, rules[8] }
 *
 * addr is in network byte order, as in the packet (inet_pton output);
 * prefixlen is the plain prefix length (0..32 or 0..128).  Each rule
 * (struct acl_rule) is:
 *
 *	id         1..ACL_MAX_RULES-1: the rule's number.  It orders the rules
 *	           (lower wins) and indexes acl_hits.  0 and larger numbers
 *	           never match.
 *	proto      IPPROTO_* the packet's L4 protocol must equal, 0 = any.
 *	dport_min  destination port range, host order, inclusive.
 *	dport_max  0..65535 means "any port"; any narrower range only matches
 *	           TCP, UDP and SCTP packets with their ports present (not
 *	           ICMP, not non-first fragments, not truncated headers).
 *	action     0 = continue (TCC_NEXT), 1 = pass (end the chain with
 *	           TC_ACT_OK), 2 = drop.  Anything else continues.
 *	flags      ACL_F_BOTH: the rule has a source and a destination
 *	           prefix.  It is put in the lists of both tries and matches
 *	           only when the packet's source list and destination list
 *	           both hold it.
 *
 * Which rule decides: the packet's destination is looked up in the
 * destination trie and its source in the source trie of its family, each
 * giving its longest matching prefix (so, as in a routing table, a more
 * specific prefix hides the shorter ones: a /0 list only applies to
 * packets that no longer prefix of that trie matches).  Of the rules in
 * those (at most) two lists that match proto and port, the one with the
 * lowest id wins, whatever its place in its list.  When none matches, the
 * default_action param decides; it also decides IP packets whose IP
 * header is unusable (truncated, wrong version).  Non-IP packets (ARP,
 * more than two VLAN tags, ...) are not the ACL's business: they always
 * continue, uncounted.
 *
 * Each list is replaced as a whole by one map update, so a packet sees a
 * list either before or after an edit, never half of one.
 *
 * acl_hits (per-CPU array, ACL_MAX_RULES __u64): packets decided by rule
 * id; index 0 counts the packets default_action decided.
 *
 * Params:
 *   default_action  0 = continue (default), 1 = pass, 2 = drop.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

#include "acl.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 default_action = ACL_CONTINUE;

/* LPM tries must be created without preallocation (the kernel insists). */
#define ACL_TRIE(name, key_type)				\
	struct {						\
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);		\
		__uint(max_entries, ACL_MAX_PREFIXES);		\
		__uint(map_flags, BPF_F_NO_PREALLOC);		\
		__type(key, key_type);				\
		__type(value, struct acl_rules);		\
	} name SEC(".maps")

ACL_TRIE(acl_src4, struct acl_key4);
ACL_TRIE(acl_dst4, struct acl_key4);
ACL_TRIE(acl_src6, struct acl_key6);
ACL_TRIE(acl_dst6, struct acl_key6);

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ACL_MAX_RULES);
	__type(key, __u32);
	__type(value, __u64);
} acl_hits SEC(".maps");

static __always_inline int acl_has_ports(const struct tcc_pkt *pkt)
{
	return (pkt->flags & TCC_PKT_L4) &&
	       (pkt->l4_proto == IPPROTO_TCP || pkt->l4_proto == IPPROTO_UDP ||
		pkt->l4_proto == IPPROTO_SCTP);
}

/* Is a rule with this id in l? */
static __always_inline int acl_has_id(const struct acl_rules *l, __u16 id)
{
	__u32 n;

	if (!l)
		return 0;
	n = l->n_rules;
#pragma unroll
	for (__u32 i = 0; i < ACL_RULES_PER_PREFIX; i++) {
		if (i >= n)
			break;
		if (l->rules[i].id == id)
			return 1;
	}
	return 0;
}

/* Lower *best / set *action for the lowest-id rule of l matching pkt.
 * No early exit at the first match: the id, not the position, decides,
 * so a list the control plane did not sort still behaves as documented.
 * A rule with both prefixes (ACL_F_BOTH) sits in both lists and matches
 * only when the other list (the destination's) holds it too; the scan of
 * the destination list passes other = NULL and leaves such rules to the
 * source scan.
 */
static __always_inline void acl_scan(const struct acl_rules *l, const struct acl_rules *other,
				     const struct tcc_pkt *pkt, int has_ports,
				     __u32 *best, __u32 *action)
{
	__u32 n;

	if (!l)
		return;
	n = l->n_rules;
#pragma unroll
	for (__u32 i = 0; i < ACL_RULES_PER_PREFIX; i++) {
		const struct acl_rule *r = &l->rules[i];

		if (i >= n)
			break;
		if (!r->id || r->id >= *best)
			continue;
		if (r->proto && r->proto != pkt->l4_proto)
			continue;
		if (r->dport_min != 0 || r->dport_max != 0xffff) {
			if (!has_ports || pkt->dport < r->dport_min || pkt->dport > r->dport_max)
				continue;
		}
		if ((r->flags & ACL_F_BOTH) && !acl_has_id(other, r->id))
			continue;
		*best = r->id;
		*action = r->action;
	}
}

TCC_STAGE(acl)(struct __sk_buff *skb)
{
	struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
	const struct acl_rules *dl, *sl;
	__u32 best = ACL_MAX_RULES, action = default_action;
	__u64 *hits;

	if (!pkt)
		return TCC_NEXT;

	if (pkt->ip_ver == 4) {
		struct acl_key4 k = { .prefixlen = 32 };

		__builtin_memcpy(k.addr, &pkt->dst[0], sizeof(k.addr));
		dl = bpf_map_lookup_elem(&acl_dst4, &k);
		__builtin_memcpy(k.addr, &pkt->src[0], sizeof(k.addr));
		sl = bpf_map_lookup_elem(&acl_src4, &k);
	} else if (pkt->ip_ver == 6) {
		struct acl_key6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, pkt->dst, sizeof(k.addr));
		dl = bpf_map_lookup_elem(&acl_dst6, &k);
		__builtin_memcpy(k.addr, pkt->src, sizeof(k.addr));
		sl = bpf_map_lookup_elem(&acl_src6, &k);
	} else if (pkt->eth_proto == ETH_P_IP || pkt->eth_proto == ETH_P_IPV6) {
		/* An IP packet whose header is too short or has the wrong
		 * version has no addresses to match, but must not slip past
		 * a default drop either.
		 */
		dl = sl = NULL;
	} else {
		return TCC_NEXT;
	}
	/* Scanning is shared by both families: only the lookups differ. */
	acl_scan(dl, NULL, pkt, acl_has_ports(pkt), &best, &action);
	acl_scan(sl, dl, pkt, acl_has_ports(pkt), &best, &action);
	if (best == ACL_MAX_RULES) {
		best = 0;
		action = default_action;
	}

	hits = bpf_map_lookup_elem(&acl_hits, &best);
	if (hits)
		*hits += 1;	/* per-CPU: no atomic needed */

	switch (action) {
	case ACL_PASS:
		return TCC_PASS;
	case ACL_DROP:
		return TCC_DROP;
	default:
		return TCC_NEXT;
	}
}
