/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The packet builder of the tests and the benchmark: frames put together
 * header by header into a struct pb, for BPF_PROG_TEST_RUN.  Header-only.
 *
 *	struct pb p = {};
 *	size_t ip;
 *
 *	pb_eth(&p, 0x0800);
 *	ip = pb_ip4(&p, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 5, 0);
 *	pb_udp(&p, 40000, 5001);
 *	pb_ip4_len(&p, ip);
 *
 * or one of the common shapes (pb_udp4, pb_tcp6, ...).  Fields are zero
 * unless set; no checksum is filled in unless asked (pb_ip4_csum): no
 * stage looks at them.
 */
#ifndef TCC_TEST_PKT_H
#define TCC_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

struct pb {
	unsigned char b[2048];
	size_t len;
};

static inline unsigned char *pb_put(struct pb *p, size_t n)
{
	unsigned char *at = p->b + p->len;

	if (p->len + n > sizeof(p->b))
		abort();
	memset(at, 0, n);
	p->len += n;
	return at;
}

static inline void pb_be16(unsigned char *at, uint16_t v)
{
	at[0] = v >> 8;
	at[1] = v;
}

static inline void pb_eth(struct pb *p, uint16_t proto)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
	unsigned char *e = pb_put(p, 14);

	memcpy(e, macs, 12);
	pb_be16(e + 12, proto);
}

/* A tag after the Ethernet header (whose proto must be a TPID). */
static inline void pb_vlan(struct pb *p, uint16_t tci, uint16_t next)
{
	unsigned char *v = pb_put(p, 4);

	pb_be16(v, tci);
	pb_be16(v + 2, next);
}

/* IPv4 header of ihl words (options zeroed); tot_len set by pb_ip4_len. */
static inline size_t pb_ip4(struct pb *p, uint8_t proto, const char *src, const char *dst,
			    unsigned int ihl, uint16_t frag)
{
	size_t off = p->len;
	unsigned char *ip = pb_put(p, ihl * 4 >= 20 ? ihl * 4 : 20);

	ip[0] = 0x40 | (ihl & 0xf);
	pb_be16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	return off;
}

static inline void pb_ip4_len(struct pb *p, size_t off)
{
	pb_be16(p->b + off + 2, p->len - off);
}

static inline size_t pb_ip6(struct pb *p, uint8_t nexthdr, const char *src, const char *dst)
{
	size_t off = p->len;
	unsigned char *ip = pb_put(p, 40);

	ip[0] = 0x60;
	ip[6] = nexthdr;
	ip[7] = 63;
	inet_pton(AF_INET6, src, ip + 8);
	inet_pton(AF_INET6, dst, ip + 24);
	return off;
}

static inline void pb_ip6_len(struct pb *p, size_t off)
{
	pb_be16(p->b + off + 4, p->len - off - 40);
}

/* Hop-by-hop, routing or destination options of (hdrlen + 1) * 8 bytes. */
static inline void pb_ext6(struct pb *p, uint8_t nexthdr, uint8_t hdrlen)
{
	unsigned char *e = pb_put(p, (hdrlen + 1) * 8);

	e[0] = nexthdr;
	e[1] = hdrlen;
}

/* AH of (hdrlen + 2) * 4 bytes. */
static inline void pb_ah(struct pb *p, uint8_t nexthdr, uint8_t hdrlen)
{
	unsigned char *e = pb_put(p, (hdrlen + 2) * 4);

	e[0] = nexthdr;
	e[1] = hdrlen;
}

static inline void pb_frag6(struct pb *p, uint8_t nexthdr, uint16_t offset8, bool more)
{
	unsigned char *e = pb_put(p, 8);

	e[0] = nexthdr;
	pb_be16(e + 2, offset8 << 3 | more);
	e[7] = 0x42;	/* identification */
}

static inline void pb_tcp(struct pb *p, uint16_t sport, uint16_t dport, unsigned int doff)
{
	unsigned char *t = pb_put(p, doff * 4 >= 20 ? doff * 4 : 20);

	pb_be16(t, sport);
	pb_be16(t + 2, dport);
	t[12] = doff << 4;
	t[13] = 0x02;	/* SYN */
}

static inline size_t pb_udp(struct pb *p, uint16_t sport, uint16_t dport)
{
	size_t off = p->len;
	unsigned char *u = pb_put(p, 8);

	pb_be16(u, sport);
	pb_be16(u + 2, dport);
	pb_be16(u + 4, 8);
	return off;
}

static inline void pb_icmp(struct pb *p, uint8_t type, uint8_t code)
{
	unsigned char *i = pb_put(p, 8);

	i[0] = type;
	i[1] = code;
}

/* Common shapes. */
static inline void pb_tcp4(struct pb *p, const char *src, const char *dst, uint16_t dport)
{
	size_t ip;

	pb_eth(p, 0x0800);
	ip = pb_ip4(p, IPPROTO_TCP, src, dst, 5, 0);
	pb_tcp(p, 40000, dport, 5);
	pb_ip4_len(p, ip);
}

static inline void pb_udp4(struct pb *p, const char *src, const char *dst, uint16_t dport)
{
	size_t ip;

	pb_eth(p, 0x0800);
	ip = pb_ip4(p, IPPROTO_UDP, src, dst, 5, 0);
	pb_udp(p, 40000, dport);
	pb_ip4_len(p, ip);
}

static inline void pb_tcp6(struct pb *p, const char *src, const char *dst, uint16_t dport)
{
	size_t ip;

	pb_eth(p, 0x86dd);
	ip = pb_ip6(p, IPPROTO_TCP, src, dst);
	pb_tcp(p, 40000, dport, 5);
	pb_ip6_len(p, ip);
}

static inline void pb_udp6(struct pb *p, const char *src, const char *dst, uint16_t dport)
{
	size_t ip;

	pb_eth(p, 0x86dd);
	ip = pb_ip6(p, IPPROTO_UDP, src, dst);
	pb_udp(p, 40000, dport);
	pb_ip6_len(p, ip);
}

static inline void pb_arp(struct pb *p)
{
	pb_eth(p, 0x0806);
	pb_put(p, 28);
}

/* Payload: n bytes of byte after the headers so far. */
static inline void pb_fill(struct pb *p, size_t n, unsigned char byte)
{
	memset(pb_put(p, n), byte, n);
}

/* The UDP header at off covers everything after it (its payload). */
static inline void pb_udp_len(struct pb *p, size_t off)
{
	pb_be16(p->b + off + 4, p->len - off);
}

/* The IPv4 header checksum of the header at off (after pb_ip4_len). */
static inline void pb_ip4_csum(struct pb *p, size_t off)
{
	unsigned char *ip = p->b + off;
	size_t hlen = (ip[0] & 0xf) * 4;
	uint32_t sum = 0;

	ip[10] = ip[11] = 0;
	for (size_t i = 0; i < hlen; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	pb_be16(ip + 10, ~sum);
}

#endif /* TCC_TEST_PKT_H */
