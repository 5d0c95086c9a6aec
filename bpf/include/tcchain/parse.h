/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcchain stage SDK: the packet parser.
 *
 *	#include <tcchain.h>
 *	#include <tcchain/parse.h>
 *
 *	TCC_STAGE(my_stage)(struct __sk_buff *skb)
 *	{
 *		struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
 *
 *		if (pkt && (pkt->flags & TCC_PKT_L4) && pkt->dport == 22)
 *			return TCC_DROP;
 *		return TCC_NEXT;
 *	}
 *
 * tcc_pkt_get() returns what the parse stage left in the scratch, or
 * parses the packet into the scratch when no parse stage ran, so a stage
 * works with or without one in front of it.
 *
 * What tcc_parse() fills (struct tcc_pkt, see tcchain/abi.h):
 *
 *  - Ethernet, then up to two VLAN tags (802.1Q, 802.1ad, 0x9100), outer
 *    first.  A tag the NIC or the stack already took out of the packet
 *    (skb->vlan_present) is the outermost one.  A third tag sets
 *    TCC_PKT_VLAN_DEEP; eth_proto is then that tag's TPID, l3_off points at
 *    it and nothing further is parsed.
 *  - IPv4 (options skipped; IHL < 5 or a version other than 4 is
 *    MALFORMED) and IPv6 with up to TCC_PARSE_IPV6_EXT_MAX extension
 *    headers (hop-by-hop, routing, fragment, destination options, AH).
 *    One more sets TCC_PKT_EXT_LIMIT: l4_proto is then the extension
 *    header that was not walked and TCC_PKT_L4 stays clear.
 *  - Fragments set TCC_PKT_FRAG.  Non-first ones also set
 *    TCC_PKT_LATER_FRAG: l4_off is where their payload starts, but they
 *    carry no L4 header, so ports stay 0 and TCC_PKT_L4 stays clear.
 *  - TCP, UDP, SCTP (ports) and ICMP, ICMPv6 (type, code): TCC_PKT_L4 is
 *    set once the whole fixed header is inside the packet.  Other
 *    protocols get l4_proto and l4_off only.
 *  - TCC_PKT_TRUNCATED: the packet ends inside a header, or is shorter than
 *    its IP length says.  Nothing outside the packet is ever read.
 *
 * Headers are read with direct packet access.  When the linear part of the
 * skb is shorter than both the packet and TCC_PARSE_PULL_LEN, the parser
 * pulls that much into it first (bpf_skb_pull_data): packet pointers a
 * stage took before calling tcc_parse() or tcc_pkt_get() are invalid after
 * the call.  Headers that end beyond TCC_PARSE_PULL_LEN in a non-linear
 * skb read as TRUNCATED; define TCC_PARSE_PULL_LEN before including this
 * header to change it.
 */
#ifndef TCCHAIN_PARSE_H
#define TCCHAIN_PARSE_H

#include <tcchain.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>

#ifndef TCC_PARSE_PULL_LEN
#define TCC_PARSE_PULL_LEN	256
#endif

/* At most this many IPv6 extension headers are walked.  Real traffic has
 * one or two; eight leaves room for unusual but legal chains while keeping
 * the unrolled walk small for the verifier.
 */
#define TCC_PARSE_IPV6_EXT_MAX	8

/* IPv4 frag_off bits (the UAPI headers do not name them). */
#define TCC__IP_MF		0x2000
#define TCC__IP_OFFSET		0x1fff

/* Loader marker (see TCC__MARK in tcchain.h): this stage fills the parsed
 * packet in the scratch, so later stages may use tcc_pkt_parsed().
 */
static const volatile __u32 tcc_fills_pkt = 1;

/* Returned by tcc_parse() when the packet is malformed or truncated. */
#define TCC_PARSE_BAD		(-1)

struct tcc__vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The first eight bytes every IPv6 extension header we walk has: hop-by-hop,
 * routing, destination options and AH start with next header and a length
 * byte; the fragment header has its offset and M flag in the next 16 bits.
 */
struct tcc__ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;	/* fragment header only: offset << 3 | M */
	__be32 word;
};

/* ICMP and ICMPv6 share the first four bytes; the rest of the 8-byte header
 * depends on the type.
 */
struct tcc__icmp_hdr {
	__u8 type;
	__u8 code;
	__be16 csum;
	__be32 rest;
};

struct tcc__sctp_hdr {
	__be16 source;
	__be16 dest;
	__be32 vtag;
	__be32 csum;
};

static __always_inline int tcc__is_vlan(__u16 proto)
{
	return proto == ETH_P_8021Q || proto == ETH_P_8021AD || proto == ETH_P_QINQ1;
}

static __always_inline int tcc__is_ip6_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS || nh == IPPROTO_AH;
}

static __always_inline int tcc__parse_end(struct tcc_pkt *pkt, __u16 flags)
{
	pkt->flags = flags | TCC_PKT_PARSED;
	return flags & (TCC_PKT_MALFORMED | TCC_PKT_TRUNCATED) ? TCC_PARSE_BAD : 0;
}

/*
 * Make the first TCC_PARSE_PULL_LEN bytes (or the whole packet, if it is
 * shorter) directly readable.  A linear skb, the common case, costs one
 * compare; only when the headers may sit in paged fragments (some GRO and
 * tunnel paths) is the helper called.
 */
static __always_inline void tcc__parse_pull(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 want = skb->len;

	if (want > TCC_PARSE_PULL_LEN)
		want = TCC_PARSE_PULL_LEN;
	if (data + want > data_end)
		bpf_skb_pull_data(skb, want);
}

/* L4 at off: ports or ICMP type/code.  flags carries what L3 found. */
static __always_inline int tcc__parse_l4(struct tcc_pkt *pkt, void *data, void *data_end,
					 __u32 off, __u8 proto, __u16 flags)
{
	pkt->l4_proto = proto;
	pkt->l4_off = off;

	switch (proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = data + off;
		__u32 doff;

		if ((void *)(th + 1) > data_end)
			return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
		pkt->sport = bpf_ntohs(th->source);
		pkt->dport = bpf_ntohs(th->dest);
		flags |= TCC_PKT_L4;
		/* The ports are good; the options length still has to be. */
		doff = th->doff * 4;
		if (doff < sizeof(*th))
			flags |= TCC_PKT_MALFORMED;
		else if (data + off + doff > data_end)
			flags |= TCC_PKT_TRUNCATED;
		break;
	}
	case IPPROTO_UDP: {
		struct udphdr *uh = data + off;
		__u16 len;

		if ((void *)(uh + 1) > data_end)
			return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
		pkt->sport = bpf_ntohs(uh->source);
		pkt->dport = bpf_ntohs(uh->dest);
		flags |= TCC_PKT_L4;
		/* 0 is legal for IPv6 jumbograms and UDP GSO super-packets. */
		len = bpf_ntohs(uh->len);
		if (len && len < sizeof(*uh))
			flags |= TCC_PKT_MALFORMED;
		break;
	}
	case IPPROTO_SCTP: {
		struct tcc__sctp_hdr *sh = data + off;

		if ((void *)(sh + 1) > data_end)
			return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
		pkt->sport = bpf_ntohs(sh->source);
		pkt->dport = bpf_ntohs(sh->dest);
		flags |= TCC_PKT_L4;
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct tcc__icmp_hdr *ih = data + off;

		if ((void *)(ih + 1) > data_end)
			return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
		pkt->icmp_type = ih->type;
		pkt->icmp_code = ih->code;
		flags |= TCC_PKT_L4;
		break;
	}
	default:
		break;
	}
	return tcc__parse_end(pkt, flags);
}

static __always_inline int tcc__parse_ipv4(struct __sk_buff *skb, struct tcc_pkt *pkt,
					   void *data, void *data_end, __u32 off, __u16 flags)
{
	struct iphdr *ip = data + off;
	__u32 ihl, tot_len;
	__u16 frag;

	if ((void *)(ip + 1) > data_end)
		return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
	if (ip->version != 4)
		return tcc__parse_end(pkt, flags | TCC_PKT_MALFORMED);
	pkt->ip_ver = 4;
	pkt->ttl = ip->ttl;
	pkt->l4_proto = ip->protocol;
	pkt->src[0] = ip->saddr;
	pkt->dst[0] = ip->daddr;
	tot_len = bpf_ntohs(ip->tot_len);
	pkt->l3_len = tot_len;

	ihl = ip->ihl * 4;
	if (ihl < sizeof(*ip))
		return tcc__parse_end(pkt, flags | TCC_PKT_MALFORMED);
	if (data + off + ihl > data_end)
		return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
	/* tot_len 0 is what BIG TCP GSO packets carry: length unknown, fine. */
	if (tot_len) {
		if (tot_len < ihl)
			return tcc__parse_end(pkt, flags | TCC_PKT_MALFORMED);
		/* Against skb->len, not data_end: a paged packet is not short. */
		if (tot_len > skb->len - off)
			flags |= TCC_PKT_TRUNCATED;
	}

	frag = bpf_ntohs(ip->frag_off);
	if (frag & (TCC__IP_MF | TCC__IP_OFFSET))
		flags |= TCC_PKT_FRAG;
	off += ihl;
	if (frag & TCC__IP_OFFSET) {
		pkt->l4_off = off;
		return tcc__parse_end(pkt, flags | TCC_PKT_LATER_FRAG);
	}
	return tcc__parse_l4(pkt, data, data_end, off, ip->protocol, flags);
}

static __always_inline int tcc__parse_ipv6(struct __sk_buff *skb, struct tcc_pkt *pkt,
					   void *data, void *data_end, __u32 off, __u16 flags)
{
	struct ipv6hdr *ip6 = data + off;
	__u32 plen;
	__u8 nh;

	if ((void *)(ip6 + 1) > data_end)
		return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
	if (ip6->version != 6)
		return tcc__parse_end(pkt, flags | TCC_PKT_MALFORMED);
	pkt->ip_ver = 6;
	pkt->ttl = ip6->hop_limit;
	__builtin_memcpy(pkt->src, &ip6->saddr, sizeof(pkt->src));
	__builtin_memcpy(pkt->dst, &ip6->daddr, sizeof(pkt->dst));
	plen = bpf_ntohs(ip6->payload_len);
	/* l3_len is 16 bits: the last 40 of the 65575 possible saturate. */
	pkt->l3_len = plen + sizeof(*ip6) > 0xffff ? 0xffff : plen + sizeof(*ip6);
	/* payload_len 0: a jumbogram or a BIG TCP GSO packet, length unknown. */
	if (plen && plen + sizeof(*ip6) > skb->len - off)
		flags |= TCC_PKT_TRUNCATED;

	nh = ip6->nexthdr;
	off += sizeof(*ip6);

	/* Fixed unrolled walk: each step adds at most 2048 bytes to off, so
	 * the verifier sees off stay far below the 64 KiB packet-offset limit
	 * without any masking.
	 */
#pragma unroll
	for (int i = 0; i < TCC_PARSE_IPV6_EXT_MAX; i++) {
		struct tcc__ip6_ext *e = data + off;
		__u16 fo;

		if (!tcc__is_ip6_ext(nh))
			break;
		if ((void *)(e + 1) > data_end) {
			pkt->l4_proto = nh;
			pkt->l4_off = off;
			return tcc__parse_end(pkt, flags | TCC_PKT_TRUNCATED);
		}
		if (nh == IPPROTO_FRAGMENT) {
			fo = bpf_ntohs(e->frag_off);
			/* offset (upper 13 bits) or M (bit 0); offset 0 and
			 * M 0 is an atomic fragment (RFC 6946): a whole
			 * packet, parsed as one.
			 */
			if (fo & 0xfff9)
				flags |= TCC_PKT_FRAG;
			if (fo & 0xfff8) {
				pkt->l4_proto = e->nexthdr;
				pkt->l4_off = off + sizeof(*e);
				return tcc__parse_end(pkt, flags | TCC_PKT_LATER_FRAG);
			}
			off += sizeof(*e);
		} else if (nh == IPPROTO_AH) {
			/* AH counts its length in 4-byte words, minus 2. */
			off += ((__u32)e->hdrlen + 2) * 4;
		} else {
			/* The others in 8-byte units, minus 1. */
			off += ((__u32)e->hdrlen + 1) * 8;
		}
		nh = e->nexthdr;
	}
	if (tcc__is_ip6_ext(nh)) {
		pkt->l4_proto = nh;
		pkt->l4_off = off;
		return tcc__parse_end(pkt, flags | TCC_PKT_EXT_LIMIT);
	}
	return tcc__parse_l4(pkt, data, data_end, off, nh, flags);
}

/*
 * Parse the packet into *pkt (all of it is overwritten).  Returns 0, or
 * TCC_PARSE_BAD when the packet is malformed or truncated; pkt->flags says
 * which, and every field filled before the bad header stays valid.
 */
static __always_inline int tcc_parse(struct __sk_buff *skb, struct tcc_pkt *pkt)
{
	void *data, *data_end;
	struct ethhdr *eth;
	__u16 proto, flags = 0;
	__u32 off;
	int depth = 0;

	TCC__MARK(tcc_fills_pkt);
	__builtin_memset(pkt, 0, sizeof(*pkt));
	tcc__parse_pull(skb);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;

	eth = data;
	if ((void *)(eth + 1) > data_end)
		return tcc__parse_end(pkt, TCC_PKT_TRUNCATED);
	proto = bpf_ntohs(eth->h_proto);
	off = sizeof(*eth);

	/* The stack (or the NIC) keeps an outer tag out of the packet. */
	if (skb->vlan_present) {
		pkt->vlan[0] = skb->vlan_tci;
		depth = 1;
	}
#pragma unroll
	for (int i = 0; i < 2; i++) {
		struct tcc__vlan_hdr *vh = data + off;

		if (!tcc__is_vlan(proto) || depth >= 2)
			break;
		if ((void *)(vh + 1) > data_end) {
			pkt->vlan_depth = depth;
			return tcc__parse_end(pkt, TCC_PKT_TRUNCATED);
		}
		/* Constant indexes: a variable one into the map value would
		 * cost the verifier a bounds proof per store for nothing.
		 */
		if (depth == 0)
			pkt->vlan[0] = bpf_ntohs(vh->tci);
		else
			pkt->vlan[1] = bpf_ntohs(vh->tci);
		depth++;
		proto = bpf_ntohs(vh->proto);
		off += sizeof(*vh);
	}
	pkt->vlan_depth = depth;
	pkt->eth_proto = proto;
	pkt->l3_off = off;
	if (tcc__is_vlan(proto))
		return tcc__parse_end(pkt, TCC_PKT_VLAN_DEEP);

	switch (proto) {
	case ETH_P_IP:
		return tcc__parse_ipv4(skb, pkt, data, data_end, off, flags);
	case ETH_P_IPV6:
		return tcc__parse_ipv6(skb, pkt, data, data_end, off, flags);
	default:
		return tcc__parse_end(pkt, flags);
	}
}

/*
 * The parsed packet for this stage: the parse stage's results when it ran,
 * else the packet parsed now into the scratch (and marked parsed, so later
 * stages reuse it).  NULL only when s is NULL.
 */
static __always_inline struct tcc_pkt *tcc_pkt_get(struct __sk_buff *skb, struct tcc_scratch *s)
{
	if (!s)
		return NULL;
	if (!(s->pkt.flags & TCC_PKT_PARSED))
		tcc_parse(skb, &s->pkt);
	/* Make the caller read the fields back from the scratch instead of
	 * letting clang carry values from each of the parser's many exits
	 * into the code below: those copies split the verifier's states at
	 * the join and can multiply its work several times over.
	 */
	asm volatile("" ::: "memory");
	return &s->pkt;
}

#endif /* TCCHAIN_PARSE_H */
