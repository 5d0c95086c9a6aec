// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Words that several stage modules share: numbers, address prefixes,
 * protocols and port ranges, parsed strictly (decimal or 0x hex, no
 * leading zeros read as octal, nothing trailing) and formatted back the
 * way they are parsed, so what a module prints is what its `add` takes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "tcchain/lib/internal.h"

static const struct { const char *name; __u8 proto; } protos[] = {
	{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "icmp", IPPROTO_ICMP },
	{ "icmpv6", IPPROTO_ICMPV6 }, { "sctp", IPPROTO_SCTP },
};

int tcc_parse_uint(const char *text, unsigned long long *out)
{
	char *end;
	int base = 10;

	/* Decimal, or hex with 0x; never octal: "010" is refused, not 8. */
	if (!strncasecmp(text, "0x", 2))
		base = 16;
	else if (text[0] == '0' && text[1])
		return -EDOM;
	if (!*text || !isxdigit((unsigned char)text[base == 16 ? 2 : 0]))
		return -EINVAL;		/* also: a sign, a space, a bare 0x */
	errno = 0;
	*out = strtoull(text, &end, base);
	if (*end)
		return -EINVAL;
	return errno ? -ERANGE : 0;
}

int tcc__word_u32(struct tcc_ctx *ctx, const char *text, const char *what,
		  __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;
	int err = tcc_parse_uint(text, &v);

	if (err == -EDOM)
		return tcc__fail(ctx, -EINVAL, "%s '%s': leading zeros are not allowed "
				 "(decimal, or hex with 0x)", what, text);
	if (err)
		return tcc__fail(ctx, -EINVAL, "%s '%s': not a number", what, text);
	if (v < min || v > max)
		return tcc__fail(ctx, -ERANGE, "%s %s: out of range %u..%u", what, text, min, max);
	*out = v;
	return 0;
}

int tcc__word_prefix(struct tcc_ctx *ctx, const char *text, struct tcc_prefix *p)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	__u32 plen, max;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		goto bad;
	memset(p, 0, sizeof(*p));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1)
		p->family = AF_INET, max = 32;
	else if (inet_pton(AF_INET6, buf, p->addr) == 1)
		p->family = AF_INET6, max = 128;
	else
		goto bad;
	plen = max;
	if (slash && tcc__word_u32(ctx, slash + 1, "prefix length", 0, max, &plen))
		goto bad;
	/* Host bits must be off: 10.1.2.3/8 is refused, not read as
	 * 10.0.0.0/8, so what is stored is what was typed.
	 */
	for (__u32 bit = plen; bit < max; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return tcc__fail(ctx, -EINVAL, "prefix %s has host bits set "
					 "(did you mean a /%u network?)", text, plen);
	p->plen = plen;
	return 0;
bad:
	return tcc__fail(ctx, -EINVAL, "invalid prefix '%s' (ADDR[/LEN], IPv4 or IPv6)", text);
}

void tcc__fmt_prefix(const struct tcc_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->plen);
}

bool tcc__prefix_covers(const struct tcc_prefix *outer, unsigned int plen, const __u8 *addr)
{
	if (outer->plen > plen)
		return false;
	for (unsigned int bit = 0; bit < outer->plen; bit++) {
		__u8 m = 0x80 >> (bit % 8);

		if ((outer->addr[bit / 8] & m) != (addr[bit / 8] & m))
			return false;
	}
	return true;
}

int tcc__word_proto_name(const char *word, __u8 *proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (!strcmp(word, protos[i].name)) {
			*proto = protos[i].proto;
			return 0;
		}
	}
	return -ENOENT;
}

void tcc__fmt_proto(__u8 proto, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		if (protos[i].proto == proto) {
			snprintf(buf, len, "%s", protos[i].name);
			return;
		}
	}
	snprintf(buf, len, "proto %u", proto);
}

int tcc__word_ports(struct tcc_ctx *ctx, const char *text, __u16 *lo, __u16 *hi)
{
	char buf[16], *dash;
	__u32 a, b;

	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		goto bad;
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (!buf[0] || (dash && !dash[1]))
		goto bad;
	if (tcc__word_u32(ctx, buf, "port", 0, 65535, &a))
		return -EINVAL;
	b = a;
	if (dash && tcc__word_u32(ctx, dash + 1, "port", 0, 65535, &b))
		return -EINVAL;
	if (a > b)
		goto bad;
	*lo = a;
	*hi = b;
	return 0;
bad:
	return tcc__fail(ctx, -EINVAL, "invalid port '%s' (PORT or LOW-HIGH, 0..65535)", text);
}

int tcc__map_open_layout(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
			 const char *name, __u32 key_size, __u32 value_size,
			 struct tcc_map *m)
{
	int err = tcc_map_open(c, slot, name, m);

	if (err) {
		m->fd = -1;
		return tcc__fail(ctx, err, "slot %u has no map %s", slot, name);
	}
	if (m->key_size != key_size || m->value_size != value_size) {
		tcc__fail(ctx, -EPROTO, "slot %u's map %s has key/value sizes %u/%u, the shipped "
			  "stage's are %u/%u (a stage of the same name built elsewhere?)",
			  slot, name, m->key_size, m->value_size, key_size, value_size);
		tcc_map_close(m);
		m->fd = -1;
		return -EPROTO;
	}
	return 0;
}
