// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The SDK packet parser (bpf/include/tcchain/parse.h) under
 * BPF_PROG_TEST_RUN: crafted and broken packets through a chain of the
 * parse stage and skb_dump, which copies scratch->pkt out for us.
 */
#include "tests/lib/fixture.h"

#define F_OK_L4		(TCC_PKT_PARSED | TCC_PKT_L4)

/* Slots of the shared fixture: parse in 0, skb_dump in 1. */
static struct fx fxp;
static bool fxp_ready;

static struct fx *parse_chain(void)
{
	static const char *const dump[] = { NULL };

	if (fxp_ready)
		return &fxp;
	if (!fx_init(&fxp) || !fx_stage(&fxp, 0, "stages/parse.bpf.o", NULL) ||
	    !fx_stage(&fxp, 1, "tests/progs/skb_dump.bpf.o", dump))
		return NULL;
	fxp_ready = true;
	return &fxp;
}

/* Run p through parse + dump; false (and a failed ASSERT) if that fails. */
static bool parse(const struct pb *p, struct tcc_pkt *out)
{
	struct fx *fx = parse_chain();
	struct skb_dump d;
	int verdict;

	memset(out, 0, sizeof(*out));
	if (!fx)
		return false;
	verdict = fx_run(fx, p, NULL);
	if (!ASSERT_EQ(verdict, TC_ACT_OK, "chain verdict") || !fx_dump(fx, 1, &d) ||
	    !ASSERT_EQ(d.runs, 1, "packets that reached skb_dump"))
		return false;
	*out = d.pkt;
	return true;
}

static void want_addrs(struct tcc_pkt *w, int af, const char *src, const char *dst)
{
	inet_pton(af, src, w->src);
	inet_pton(af, dst, w->dst);
}

static void check_pkt(const struct tcc_pkt *g, const struct tcc_pkt *w)
{
	if (g->flags != w->flags)
		fprintf(stderr, "    flags: got 0x%x, want 0x%x\n", g->flags, w->flags);
	ASSERT_EQ(g->flags, w->flags, "flags");
	ASSERT_EQ(g->eth_proto, w->eth_proto, "eth_proto");
	ASSERT_EQ(g->l3_off, w->l3_off, "l3_off");
	ASSERT_EQ(g->l4_off, w->l4_off, "l4_off");
	ASSERT_EQ(g->vlan_depth, w->vlan_depth, "vlan_depth");
	ASSERT_EQ(g->vlan[0], w->vlan[0], "vlan[0]");
	ASSERT_EQ(g->vlan[1], w->vlan[1], "vlan[1]");
	ASSERT_EQ(g->ip_ver, w->ip_ver, "ip_ver");
	ASSERT_EQ(g->l4_proto, w->l4_proto, "l4_proto");
	ASSERT_EQ(g->ttl, w->ttl, "ttl");
	ASSERT_EQ(g->sport, w->sport, "sport");
	ASSERT_EQ(g->dport, w->dport, "dport");
	ASSERT_EQ(g->icmp_type, w->icmp_type, "icmp_type");
	ASSERT_EQ(g->icmp_code, w->icmp_code, "icmp_code");
	ASSERT_EQ(g->l3_len, w->l3_len, "l3_len");
	ASSERT_MEMEQ(g->src, w->src, sizeof(w->src), "src");
	ASSERT_MEMEQ(g->dst, w->dst, sizeof(w->dst), "dst");
}

/* The IPv4/TCP packet most cases start from and what parsing it gives. */
static void v4_tcp_want(struct tcc_pkt *w)
{
	memset(w, 0, sizeof(*w));
	w->flags = F_OK_L4;
	w->eth_proto = 0x0800;
	w->l3_off = 14;
	w->l4_off = 34;
	w->ip_ver = 4;
	w->l4_proto = IPPROTO_TCP;
	w->ttl = 64;
	w->sport = 40000;
	w->dport = 80;
	w->l3_len = 40;
	want_addrs(w, AF_INET, "10.0.0.1", "10.0.0.2");
}

/* ---- IPv4 ------------------------------------------------------------------ */

static void ipv4_tcp(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	v4_tcp_want(&w);
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_udp_zero_length_payload(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	v4_tcp_want(&w);
	w.l4_proto = IPPROTO_UDP;
	w.dport = 53;
	w.l3_len = 28;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_icmp_type_code(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x0800);
	ip = pb_ip4(&p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 5, 0);
	pb_icmp(&p, 3, 4);	/* fragmentation needed */
	pb_ip4_len(&p, ip);
	v4_tcp_want(&w);
	w.l4_proto = IPPROTO_ICMP;
	w.sport = w.dport = 0;
	w.icmp_type = 3;
	w.icmp_code = 4;
	w.l3_len = 28;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_options_skipped(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x0800);
	ip = pb_ip4(&p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 15, 0);	/* 40 bytes of options */
	pb_tcp(&p, 40000, 80, 5);
	pb_ip4_len(&p, ip);
	v4_tcp_want(&w);
	w.l4_off = 14 + 60;
	w.l3_len = 80;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_ihl_below_5_is_malformed(void)
{
	for (unsigned int ihl = 0; ihl < 5; ihl++) {
		struct tcc_pkt g, w;
		struct pb p = {};

		pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
		p.b[14] = 0x40 | ihl;
		v4_tcp_want(&w);
		w.flags = TCC_PKT_PARSED | TCC_PKT_MALFORMED;
		w.l4_off = w.sport = w.dport = 0;
		if (!parse(&p, &g))
			return;
		check_pkt(&g, &w);
	}
}

static void ipv4_ihl_beyond_packet_is_truncated(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	/* IHL 15 says 60 bytes of header; the packet has 20 + 20. */
	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	p.b[14] = 0x4f;
	v4_tcp_want(&w);
	w.flags = TCC_PKT_PARSED | TCC_PKT_TRUNCATED;
	w.l4_off = w.sport = w.dport = 0;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_wrong_version_is_malformed(void)
{
	struct tcc_pkt g, w = { .flags = TCC_PKT_PARSED | TCC_PKT_MALFORMED,
				.eth_proto = 0x0800, .l3_off = 14 };
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	p.b[14] = 0x65;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_tot_len_below_ihl_is_malformed(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	pb_be16(p.b + 16, 19);
	v4_tcp_want(&w);
	w.flags = TCC_PKT_PARSED | TCC_PKT_MALFORMED;
	w.l4_off = w.sport = w.dport = 0;
	w.l3_len = 19;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_tot_len_beyond_packet_is_truncated(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	/* Headers complete, payload cut: L4 is still readable. */
	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	pb_be16(p.b + 16, 1500);
	v4_tcp_want(&w);
	w.flags |= TCC_PKT_TRUNCATED;
	w.l3_len = 1500;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_ethernet_padding_is_not_truncation(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	pb_put(&p, 60 - p.len);		/* minimum frame: 18 bytes of padding */
	v4_tcp_want(&w);
	w.l4_proto = IPPROTO_UDP;
	w.dport = 53;
	w.l3_len = 28;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_first_fragment_has_ports(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x0800);
	ip = pb_ip4(&p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 5, 0x2000);	/* MF */
	pb_udp(&p, 40000, 53);
	pb_put(&p, 32);
	pb_ip4_len(&p, ip);
	v4_tcp_want(&w);
	w.flags |= TCC_PKT_FRAG;
	w.l4_proto = IPPROTO_UDP;
	w.dport = 53;
	w.l3_len = 60;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv4_later_fragments_have_no_ports(void)
{
	/* Middle (MF, offset) and last (offset only) fragments. */
	static const uint16_t frag[] = { 0x2000 | 185, 370 };

	for (size_t i = 0; i < sizeof(frag) / sizeof(frag[0]); i++) {
		struct tcc_pkt g, w;
		struct pb p = {};
		size_t ip;

		pb_eth(&p, 0x0800);
		ip = pb_ip4(&p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 5, frag[i]);
		pb_udp(&p, 1111, 2222);		/* payload bytes that look like ports */
		pb_ip4_len(&p, ip);
		v4_tcp_want(&w);
		w.flags = TCC_PKT_PARSED | TCC_PKT_FRAG | TCC_PKT_LATER_FRAG;
		w.l4_proto = IPPROTO_UDP;
		w.sport = w.dport = 0;
		w.l3_len = 28;
		if (!parse(&p, &g))
			return;
		check_pkt(&g, &w);
	}
}

static void ipv4_df_alone_is_not_a_fragment(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	pb_be16(p.b + 20, 0x4000);
	v4_tcp_want(&w);
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void tcp_doff_below_5_is_malformed(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	p.b[34 + 12] = 4 << 4;
	v4_tcp_want(&w);
	w.flags |= TCC_PKT_MALFORMED;	/* the ports themselves are fine */
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void tcp_options_beyond_packet_are_truncated(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	p.b[34 + 12] = 15 << 4;		/* 60-byte header in a 20-byte segment */
	v4_tcp_want(&w);
	w.flags |= TCC_PKT_TRUNCATED;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void udp_len_below_8_is_malformed(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	pb_be16(p.b + 34 + 4, 7);
	v4_tcp_want(&w);
	w.flags |= TCC_PKT_MALFORMED;
	w.l4_proto = IPPROTO_UDP;
	w.dport = 53;
	w.l3_len = 28;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

/*
 * Every cut of a good packet from `from` bytes to one byte short: always
 * TRUNCATED, TCC_PKT_L4 only once the whole fixed L4 header is in, and never
 * a read past the end (the verifier guarantees that; the values prove the
 * bounds are the right ones).
 *
 * BPF_PROG_TEST_RUN refuses a bare Ethernet header (an empty packet) and,
 * on this kernel, an untagged IPv4 or IPv6 frame shorter than the fixed IP
 * header; behind a VLAN tag it takes any cut, which is how the cuts inside
 * the IP headers get tested.
 */
static void cut_everywhere(const struct pb *full, size_t from, size_t l4_end, const char *what)
{
	for (size_t len = from; len < full->len; len++) {
		struct pb p = *full;
		struct tcc_pkt g;

		p.len = len;
		if (!parse(&p, &g))
			return;
		if (!ASSERT_TRUE(g.flags & TCC_PKT_TRUNCATED, "%s cut at %zu: flags 0x%x", what,
				 len, g.flags) ||
		    !ASSERT_TRUE(!(g.flags & TCC_PKT_L4) == (len < l4_end),
				 "%s cut at %zu: flags 0x%x (L4 header ends at %zu)", what, len,
				 g.flags, l4_end) ||
		    !ASSERT_TRUE(!(g.flags & TCC_PKT_MALFORMED), "%s cut at %zu: flags 0x%x", what,
				 len, g.flags))
			return;
	}
}

static void truncated_at_every_layer(void)
{
	struct pb p = {};
	size_t ip;

	pb_tcp4(&p, "10.0.0.1", "10.0.0.2", 80);
	cut_everywhere(&p, 34, p.len, "ipv4/tcp");

	memset(&p, 0, sizeof(p));
	pb_udp4(&p, "10.0.0.1", "10.0.0.2", 53);
	cut_everywhere(&p, 34, p.len, "ipv4/udp");

	/* One tag, IPv4 with options, ICMP: cuts in the tag and the IP header. */
	memset(&p, 0, sizeof(p));
	pb_eth(&p, 0x8100);
	pb_vlan(&p, 7, 0x0800);
	ip = pb_ip4(&p, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 6, 0);
	pb_icmp(&p, 8, 0);
	pb_ip4_len(&p, ip);
	cut_everywhere(&p, 15, p.len, "vlan/ipv4+options/icmp");

	/* Two tags, IPv6, hop-by-hop, fragment (first), dest options, TCP. */
	memset(&p, 0, sizeof(p));
	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 100, 0x8100);
	pb_vlan(&p, 200, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_HOPOPTS, "2001:db8::1", "2001:db8::2");
	pb_ext6(&p, IPPROTO_FRAGMENT, 0);
	pb_frag6(&p, IPPROTO_DSTOPTS, 0, true);
	pb_ext6(&p, IPPROTO_TCP, 1);
	pb_tcp(&p, 40000, 443, 5);
	pb_ip6_len(&p, ip);
	cut_everywhere(&p, 15, p.len, "qinq/ipv6/ext/tcp");

	memset(&p, 0, sizeof(p));
	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_AH, "2001:db8::1", "2001:db8::2");
	pb_ah(&p, IPPROTO_ICMPV6, 4);
	pb_icmp(&p, 128, 0);
	pb_ip6_len(&p, ip);
	cut_everywhere(&p, 54, p.len, "ipv6/ah/icmpv6");
}

/* ---- VLAN ------------------------------------------------------------------ */

static void vlan_one_tag(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x8100);
	pb_vlan(&p, 0x2000 | 42, 0x0800);	/* PCP 1, VID 42 */
	ip = pb_ip4(&p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 5, 0);
	pb_tcp(&p, 40000, 80, 5);
	pb_ip4_len(&p, ip);
	v4_tcp_want(&w);
	w.vlan_depth = 1;
	w.vlan[0] = 0x2000 | 42;
	w.l3_off = 18;
	w.l4_off = 38;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void vlan_two_tags_qinq(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 100, 0x8100);
	pb_vlan(&p, 200, 0x0800);
	ip = pb_ip4(&p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 5, 0);
	pb_tcp(&p, 40000, 80, 5);
	pb_ip4_len(&p, ip);
	v4_tcp_want(&w);
	w.vlan_depth = 2;
	w.vlan[0] = 100;
	w.vlan[1] = 200;
	w.l3_off = 22;
	w.l4_off = 42;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void vlan_three_tags_is_deep(void)
{
	struct tcc_pkt g, w = {
		.flags = TCC_PKT_PARSED | TCC_PKT_VLAN_DEEP, .eth_proto = 0x8100,
		.l3_off = 22, .vlan = { 100, 200 }, .vlan_depth = 2,
	};
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x88a8);
	pb_vlan(&p, 100, 0x8100);
	pb_vlan(&p, 200, 0x8100);
	pb_vlan(&p, 300, 0x0800);
	ip = pb_ip4(&p, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 5, 0);
	pb_tcp(&p, 40000, 80, 5);
	pb_ip4_len(&p, ip);
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void vlan_tag_truncated(void)
{
	struct tcc_pkt g, w = { .flags = TCC_PKT_PARSED | TCC_PKT_TRUNCATED };
	struct pb p = {};

	pb_eth(&p, 0x8100);
	pb_put(&p, 2);		/* half a tag */
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

/* ---- IPv6 ------------------------------------------------------------------ */

static void v6_want(struct tcc_pkt *w, __u8 proto, __u16 l4_off, __u16 l3_len)
{
	memset(w, 0, sizeof(*w));
	w->flags = F_OK_L4;
	w->eth_proto = 0x86dd;
	w->l3_off = 14;
	w->l4_off = l4_off;
	w->ip_ver = 6;
	w->l4_proto = proto;
	w->ttl = 63;
	w->l3_len = l3_len;
	want_addrs(w, AF_INET6, "2001:db8::1", "2001:db8::2");
}

static void ipv6_udp(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_udp6(&p, "2001:db8::1", "2001:db8::2", 53);
	v6_want(&w, IPPROTO_UDP, 54, 48);
	w.sport = 40000;
	w.dport = 53;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_icmpv6_type_code(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_ICMPV6, "2001:db8::1", "2001:db8::2");
	pb_icmp(&p, 1, 3);	/* destination unreachable, address unreachable */
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_ICMPV6, 54, 48);
	w.icmp_type = 1;
	w.icmp_code = 3;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_ext_chain(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	/* hop-by-hop 8 + dest opts 16 + routing 24 + AH 24 = 72 bytes */
	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_HOPOPTS, "2001:db8::1", "2001:db8::2");
	pb_ext6(&p, IPPROTO_DSTOPTS, 0);
	pb_ext6(&p, IPPROTO_ROUTING, 1);
	pb_ext6(&p, IPPROTO_AH, 2);
	pb_ah(&p, IPPROTO_TCP, 4);
	pb_tcp(&p, 40000, 443, 5);
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_TCP, 54 + 72, 40 + 72 + 20);
	w.sport = 40000;
	w.dport = 443;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_first_fragment_has_ports(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_FRAGMENT, "2001:db8::1", "2001:db8::2");
	pb_frag6(&p, IPPROTO_UDP, 0, true);
	pb_udp(&p, 40000, 53);
	pb_put(&p, 16);
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_UDP, 62, 40 + 8 + 24);
	w.flags |= TCC_PKT_FRAG;
	w.sport = 40000;
	w.dport = 53;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_later_fragments_have_no_ports(void)
{
	for (int more = 0; more < 2; more++) {
		struct tcc_pkt g, w;
		struct pb p = {};
		size_t ip;

		pb_eth(&p, 0x86dd);
		ip = pb_ip6(&p, IPPROTO_DSTOPTS, "2001:db8::1", "2001:db8::2");
		pb_ext6(&p, IPPROTO_FRAGMENT, 0);
		pb_frag6(&p, IPPROTO_UDP, 100, more);
		pb_udp(&p, 1111, 2222);
		pb_ip6_len(&p, ip);
		v6_want(&w, IPPROTO_UDP, 14 + 40 + 8 + 8, 40 + 8 + 8 + 8);
		w.flags = TCC_PKT_PARSED | TCC_PKT_FRAG | TCC_PKT_LATER_FRAG;
		if (!parse(&p, &g))
			return;
		check_pkt(&g, &w);
	}
}

static void ipv6_atomic_fragment_is_whole(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_FRAGMENT, "2001:db8::1", "2001:db8::2");
	pb_frag6(&p, IPPROTO_UDP, 0, false);
	pb_udp(&p, 40000, 53);
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_UDP, 62, 56);
	w.sport = 40000;
	w.dport = 53;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

/* n destination-options headers, then UDP. */
static void v6_many_ext(struct pb *p, int n)
{
	size_t ip;

	pb_eth(p, 0x86dd);
	ip = pb_ip6(p, IPPROTO_DSTOPTS, "2001:db8::1", "2001:db8::2");
	for (int i = 0; i < n; i++)
		pb_ext6(p, i == n - 1 ? IPPROTO_UDP : IPPROTO_DSTOPTS, 0);
	pb_udp(p, 40000, 53);
	pb_ip6_len(p, ip);
}

static void ipv6_eight_ext_headers_walked(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	v6_many_ext(&p, 8);
	v6_want(&w, IPPROTO_UDP, 54 + 64, 40 + 64 + 8);
	w.sport = 40000;
	w.dport = 53;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_ext_chain_beyond_limit(void)
{
	/* One past the limit, and a long run of repeated headers. */
	for (int n = 9; n <= 40; n += 31) {
		struct tcc_pkt g, w;
		struct pb p = {};

		v6_many_ext(&p, n);
		v6_want(&w, IPPROTO_DSTOPTS, 54 + 64, 40 + n * 8 + 8);
		w.flags = TCC_PKT_PARSED | TCC_PKT_EXT_LIMIT;
		if (!parse(&p, &g))
			return;
		check_pkt(&g, &w);
	}
}

static void ipv6_ext_len_beyond_packet(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	/* A hop-by-hop header claiming 2048 bytes, then 8 bytes of packet. */
	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_HOPOPTS, "2001:db8::1", "2001:db8::2");
	pb_ext6(&p, IPPROTO_UDP, 0);
	p.b[54 + 1] = 255;
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_UDP, 54 + 2048, 48);
	w.flags = TCC_PKT_PARSED | TCC_PKT_TRUNCATED;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_no_next_header(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};
	size_t ip;

	pb_eth(&p, 0x86dd);
	ip = pb_ip6(&p, IPPROTO_NONE, "2001:db8::1", "2001:db8::2");
	pb_ip6_len(&p, ip);
	v6_want(&w, IPPROTO_NONE, 54, 40);
	w.flags = TCC_PKT_PARSED;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_wrong_version_is_malformed(void)
{
	struct tcc_pkt g, w = { .flags = TCC_PKT_PARSED | TCC_PKT_MALFORMED,
				.eth_proto = 0x86dd, .l3_off = 14 };
	struct pb p = {};

	pb_udp6(&p, "2001:db8::1", "2001:db8::2", 53);
	p.b[14] = 0x40;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void ipv6_payload_len_beyond_packet(void)
{
	struct tcc_pkt g, w;
	struct pb p = {};

	pb_udp6(&p, "2001:db8::1", "2001:db8::2", 53);
	pb_be16(p.b + 18, 1000);
	v6_want(&w, IPPROTO_UDP, 54, 1040);
	w.flags |= TCC_PKT_TRUNCATED;
	w.sport = 40000;
	w.dport = 53;
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

static void non_ip_is_parsed_without_l3(void)
{
	struct tcc_pkt g, w = { .flags = TCC_PKT_PARSED, .eth_proto = 0x0806, .l3_off = 14 };
	struct pb p = {};

	pb_arp(&p);
	if (parse(&p, &g))
		check_pkt(&g, &w);
}

/* ---- the stage's param and tcc_pkt_get ------------------------------------ */

static void drop_malformed_levels(void)
{
	static const char *const lvl1[] = { "drop_malformed=1", NULL };
	static const char *const lvl2[] = { "drop_malformed=2", NULL };
	struct pb good = {}, bad_ihl = {}, cut = {}, deep = {}, ext = {};
	struct fx fx;

	pb_tcp4(&good, "10.0.0.1", "10.0.0.2", 80);
	pb_tcp4(&bad_ihl, "10.0.0.1", "10.0.0.2", 80);
	bad_ihl.b[14] = 0x44;
	pb_tcp4(&cut, "10.0.0.1", "10.0.0.2", 80);
	cut.len -= 4;
	pb_eth(&deep, 0x8100);
	pb_vlan(&deep, 1, 0x8100);
	pb_vlan(&deep, 2, 0x8100);
	pb_vlan(&deep, 3, 0x0800);
	pb_put(&deep, 40);
	v6_many_ext(&ext, 9);

	if (!fx_init(&fx))
		return;
	if (fx_stage(&fx, 0, "stages/parse.bpf.o", lvl1)) {
		ASSERT_EQ(fx_run(&fx, &good, NULL), TC_ACT_OK, "level 1: good packet");
		ASSERT_EQ(fx_run(&fx, &bad_ihl, NULL), TC_ACT_SHOT, "level 1: IHL 4");
		ASSERT_EQ(fx_run(&fx, &cut, NULL), TC_ACT_SHOT, "level 1: truncated TCP");
		ASSERT_EQ(fx_run(&fx, &deep, NULL), TC_ACT_OK, "level 1: three VLAN tags");
		ASSERT_EQ(fx_run(&fx, &ext, NULL), TC_ACT_OK, "level 1: nine ext headers");
	}
	if (fx_stage(&fx, 0, "stages/parse.bpf.o", lvl2)) {
		ASSERT_EQ(fx_run(&fx, &good, NULL), TC_ACT_OK, "level 2: good packet");
		ASSERT_EQ(fx_run(&fx, &bad_ihl, NULL), TC_ACT_SHOT, "level 2: IHL 4");
		ASSERT_EQ(fx_run(&fx, &deep, NULL), TC_ACT_SHOT, "level 2: three VLAN tags");
		ASSERT_EQ(fx_run(&fx, &ext, NULL), TC_ACT_SHOT, "level 2: nine ext headers");
	}
	fx_fini(&fx);
}

static void pkt_get_parses_without_parse_stage(void)
{
	static const char *const self[] = { "use_pkt_get=1", NULL };
	struct tcc_pkt w;
	struct skb_dump d;
	struct pb p = {};
	struct fx fx;

	pb_tcp6(&p, "2001:db8::1", "2001:db8::2", 22);
	v6_want(&w, IPPROTO_TCP, 54, 60);
	w.sport = 40000;
	w.dport = 22;
	if (!fx_init(&fx))
		return;
	if (fx_stage(&fx, 4, "tests/progs/skb_dump.bpf.o", self) &&
	    ASSERT_EQ(fx_run(&fx, &p, NULL), TC_ACT_OK, "chain verdict") &&
	    fx_dump(&fx, 4, &d) && ASSERT_EQ(d.runs, 1, "packets that reached skb_dump"))
		check_pkt(&d.pkt, &w);
	fx_fini(&fx);
}

static void scratch_is_fresh_per_packet(void)
{
	/* After a TCP packet, an ARP packet must not inherit its fields. */
	struct tcc_pkt g, w = { .flags = TCC_PKT_PARSED, .eth_proto = 0x0806, .l3_off = 14 };
	struct pb tcp = {}, arp = {};

	pb_tcp4(&tcp, "10.0.0.1", "10.0.0.2", 80);
	pb_arp(&arp);
	if (parse(&tcp, &g) && parse(&arp, &g))
		check_pkt(&g, &w);
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(ipv4_tcp),
		TST_CASE(ipv4_udp_zero_length_payload),
		TST_CASE(ipv4_icmp_type_code),
		TST_CASE(ipv4_options_skipped),
		TST_CASE(ipv4_ihl_below_5_is_malformed),
		TST_CASE(ipv4_ihl_beyond_packet_is_truncated),
		TST_CASE(ipv4_wrong_version_is_malformed),
		TST_CASE(ipv4_tot_len_below_ihl_is_malformed),
		TST_CASE(ipv4_tot_len_beyond_packet_is_truncated),
		TST_CASE(ipv4_ethernet_padding_is_not_truncation),
		TST_CASE(ipv4_first_fragment_has_ports),
		TST_CASE(ipv4_later_fragments_have_no_ports),
		TST_CASE(ipv4_df_alone_is_not_a_fragment),
		TST_CASE(tcp_doff_below_5_is_malformed),
		TST_CASE(tcp_options_beyond_packet_are_truncated),
		TST_CASE(udp_len_below_8_is_malformed),
		TST_CASE(truncated_at_every_layer),
		TST_CASE(vlan_one_tag),
		TST_CASE(vlan_two_tags_qinq),
		TST_CASE(vlan_three_tags_is_deep),
		TST_CASE(vlan_tag_truncated),
		TST_CASE(ipv6_udp),
		TST_CASE(ipv6_icmpv6_type_code),
		TST_CASE(ipv6_ext_chain),
		TST_CASE(ipv6_first_fragment_has_ports),
		TST_CASE(ipv6_later_fragments_have_no_ports),
		TST_CASE(ipv6_atomic_fragment_is_whole),
		TST_CASE(ipv6_eight_ext_headers_walked),
		TST_CASE(ipv6_ext_chain_beyond_limit),
		TST_CASE(ipv6_ext_len_beyond_packet),
		TST_CASE(ipv6_no_next_header),
		TST_CASE(ipv6_wrong_version_is_malformed),
		TST_CASE(ipv6_payload_len_beyond_packet),
		TST_CASE(non_ip_is_parsed_without_l3),
		TST_CASE(drop_malformed_levels),
		TST_CASE(pkt_get_parses_without_parse_stage),
		TST_CASE(scratch_is_fresh_per_packet),
	};
	int ret;

	ret = tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
	if (fxp_ready)
		fx_fini(&fxp);
	return ret;
}
