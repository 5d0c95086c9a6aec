// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * One text-to-value parser for everything a user types into a BTF-typed
 * place: `param NAME=VALUE` (a stage's .rodata) and `map set ... FIELD=VALUE`.
 * The rules, in doc/values.md:
 *   integers   decimal unless 0x (a leading 0 is decimal, never octal),
 *              k/M/G (x1000) and Ki/Mi/Gi (x1024), range-checked
 *   _Bool      on/off, true/false, yes/no, 1/0
 *   enums      an enumerator name, or a number that fits the enum
 *   addresses  __be32 / tcc_ipv4_t, and __u8[4] / __u8[16] (tcc_ipv6_t):
 *              IPv4 or IPv6 text stored in network order; a plain 4-byte
 *              unsigned integer also takes a dotted IPv4 (network order)
 *   bytes      other byte arrays: 0x and two hex digits per byte
 *   chars      char arrays: a string, shorter than the array
 * Formatting prints each kind back in the form the parser takes.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <bpf/btf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/value.h"

enum vkind { V_NONE, V_INT, V_BOOL, V_ENUM, V_IPV4_INT, V_IPV4, V_IPV6, V_BYTES, V_CHARS };

/*
 * What kind of value type_id holds.  Typedefs are looked at on the way
 * down: __be32 and tcc_ipv4_t are addresses although BTF only sees a u32.
 */
static enum vkind classify(const struct btf *btf, __u32 id, const struct btf_type **out)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	bool addr4 = false;

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		const char *n = btf__name_by_offset(btf, t->name_off);

		if (btf_is_typedef(t) && (!strcmp(n, "__be32") || !strcmp(n, "tcc_ipv4_t")))
			addr4 = true;
		t = btf__type_by_id(btf, t->type);
	}
	*out = t;
	if (!t)
		return V_NONE;
	if (btf_is_int(t)) {
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			return V_BOOL;
		if (btf_int_offset(t) || btf_int_bits(t) != t->size * 8 || t->size > 8)
			return V_NONE;
		return addr4 && t->size == 4 ? V_IPV4_INT : V_INT;
	}
	if (btf_is_any_enum(t))
		return V_ENUM;
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *e = btf__type_by_id(btf, btf__resolve_type(btf, a->type));
		const char *en;

		if (!e || !btf_is_int(e) || e->size != 1)
			return V_NONE;
		en = btf__name_by_offset(btf, e->name_off);
		if ((btf_int_encoding(e) & BTF_INT_CHAR) || !strcmp(en, "char"))
			return V_CHARS;
		/* __u8[4] and __u8[16] are how stages keep addresses (acl's and
		 * mark's keys, tcc_ipv6_t): a 4- or 16-byte blob is an address.
		 */
		if (a->nelems == 4)
			return V_IPV4;
		if (a->nelems == 16)
			return V_IPV6;
		return V_BYTES;
	}
	return V_NONE;
}

bool tcc__value_is_leaf(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t;

	return classify(btf, type_id, &t) != V_NONE;
}

bool tcc__value_is_counter(const struct btf *btf, __u32 type_id)
{
	const struct btf_type *t;

	return classify(btf, type_id, &t) == V_INT;
}

/* Number text: magnitude and sign; -EINVAL if it is not one, -ERANGE if
 * it does not fit 64 bits.
 */
static int parse_number(const char *s, __u64 *mag, bool *neg)
{
	static const struct { const char *sfx; __u64 mul; } mults[] = {
		{ "", 1 }, { "k", 1000 }, { "K", 1000 }, { "M", 1000000 },
		{ "G", 1000000000 }, { "Ki", 1024 }, { "Mi", 1024 * 1024 },
		{ "Gi", 1024 * 1024 * 1024 },
	};
	int base = 10;
	char *end;
	__u64 v;

	*neg = *s == '-';
	s += *neg;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* strtoull would skip spaces and take a second sign: refuse both */
	if (base == 16 ? !isxdigit((unsigned char)*s) : !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno)
		return -ERANGE;
	for (size_t i = 0; i < ARRAY_SIZE(mults); i++) {
		if (strcmp(end, mults[i].sfx))
			continue;
		if (v && mults[i].mul > UINT64_MAX / v)
			return -ERANGE;
		*mag = v * mults[i].mul;
		return 0;
	}
	return -EINVAL;
}

/* v in [lo, hi] of a size-byte integer of that signedness. */
static void int_range(__u32 size, bool sgn, long long *lo, unsigned long long *hi)
{
	unsigned bits = size * 8;

	*lo = sgn ? (bits == 64 ? INT64_MIN : -(1LL << (bits - 1))) : 0;
	*hi = sgn ? (1ULL << (bits - 1)) - 1 : (bits == 64 ? UINT64_MAX : (1ULL << bits) - 1);
}

/* Parse into a size-byte integer; 0, -EINVAL or -ERANGE. */
static int parse_int(const char *s, __u32 size, bool sgn, __u64 *out)
{
	long long lo;
	unsigned long long hi;
	__u64 mag;
	bool neg;
	int err = parse_number(s, &mag, &neg);

	if (err)
		return err;
	int_range(size, sgn, &lo, &hi);
	if (neg && mag > (__u64)-(lo + 1) + 1 && mag)
		return -ERANGE;
	if (!neg && mag > hi)
		return -ERANGE;
	*out = neg ? -mag : mag;
	return 0;
}

static int range_err(char *err, size_t len, const char *name, const char *text, __u32 size,
		     bool sgn)
{
	long long lo;
	unsigned long long hi;

	int_range(size, sgn, &lo, &hi);
	snprintf(err, len, "%s=%s: out of range for a %u-byte %s integer (%lld..%llu)",
		 name, text, size, sgn ? "signed" : "unsigned", lo, hi);
	return -ERANGE;
}

static int parse_bool(const char *s, __u64 *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, no[i]))
			return *out = 0, 0;
	}
	return -EINVAL;
}

static int parse_enum(const struct btf *btf, const struct btf_type *t, const char *name,
		      const char *text, __u64 *out, char *err, size_t len)
{
	bool sgn = btf_kflag(t);
	size_t o;
	int r;

	for (int i = 0; i < btf_vlen(t); i++) {
		const char *en;
		__u64 v;

		if (btf_is_enum(t)) {
			en = btf__name_by_offset(btf, btf_enum(t)[i].name_off);
			v = (__u64)(__s64)btf_enum(t)[i].val;
		} else {
			en = btf__name_by_offset(btf, btf_enum64(t)[i].name_off);
			v = btf_enum64_value(&btf_enum64(t)[i]);
		}
		if (!strcmp(en, text))
			return *out = v, 0;
	}
	r = parse_int(text, t->size, sgn, out);
	if (r == -ERANGE)
		return range_err(err, len, name, text, t->size, sgn);
	if (!r)
		return 0;
	o = snprintf(err, len, "%s=%s: not a value of enum %s (", name, text,
		     btf__name_by_offset(btf, t->name_off));
	for (int i = 0; i < btf_vlen(t) && o < len; i++)
		o += snprintf(err + o, len - o, "%s%s", i ? ", " : "",
			      btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[i].name_off
								 : btf_enum64(t)[i].name_off));
	if (o < len)
		snprintf(err + o, len - o, " or a number)");
	return -EINVAL;
}

/* "0x" and exactly two hex digits per byte: the form show prints. */
static int parse_hex(const char *s, __u8 *out, __u32 n)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || strlen(s + 2) != 2 * n)
		return -EINVAL;
	s += 2;
	for (__u32 i = 0; i < n; i++, s += 2) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -EINVAL;
		out[i] = (__u8)strtoul((char[3]){ s[0], s[1], 0 }, NULL, 16);
	}
	return 0;
}

/* 4 or 16 if text is an IPv4 or IPv6 address (bytes in buf), else 0. */
static int address(const char *text, __u8 buf[16])
{
	if (inet_pton(AF_INET, text, buf) == 1)
		return 4;
	if (strchr(text, ':') && inet_pton(AF_INET6, text, buf) == 1)
		return 16;
	return 0;
}

int tcc__value_parse(const struct btf *btf, __u32 type_id, void *dst, const char *name,
		     const char *text, char *err, size_t len)
{
	const struct btf_type *t;
	enum vkind k = classify(btf, type_id, &t);
	__u8 buf[256];
	int alen = address(text, buf), r;
	bool sgn;
	__u32 n;
	__u64 v;

	switch (k) {
	case V_BOOL:
		if (parse_bool(text, &v)) {
			snprintf(err, len, "%s=%s: not a boolean (on/off, true/false, yes/no, 1/0)",
				 name, text);
			return -EINVAL;
		}
		memcpy(dst, &v, t->size);
		return 0;
	case V_ENUM:
		r = parse_enum(btf, t, name, text, &v, err, len);
		if (!r)
			memcpy(dst, &v, t->size);	/* little-endian: the low bytes */
		return r;
	case V_IPV4_INT:
	case V_INT:
		sgn = btf_int_encoding(t) & BTF_INT_SIGNED;
		/* An IPv4 address goes in as it sits in a packet. */
		if (alen == 4 && t->size == 4 && !sgn) {
			memcpy(dst, buf, 4);
			return 0;
		}
		if (alen) {
			snprintf(err, len, "%s=%s: an IPv%d address does not fit a %u-byte %s integer",
				 name, text, alen == 4 ? 4 : 6, t->size, sgn ? "signed" : "unsigned");
			return -EINVAL;
		}
		r = parse_int(text, t->size, sgn, &v);
		if (r == -ERANGE)
			return range_err(err, len, name, text, t->size, sgn);
		if (r) {
			snprintf(err, len, "%s=%s: not a%s", name, text,
				 k == V_IPV4_INT ? "n IPv4 address or an integer" : "n integer");
			return -EINVAL;
		}
		/* A number for an address field is the address's value. */
		if (k == V_IPV4_INT)
			v = htonl((__u32)v);
		memcpy(dst, &v, t->size);
		return 0;
	case V_IPV4:
	case V_IPV6:
	case V_BYTES:
		n = btf_array(t)->nelems;
		if (alen && alen == (int)n && k != V_BYTES) {
			memcpy(dst, buf, n);
			return 0;
		}
		if (n <= sizeof(buf) && !parse_hex(text, buf, n)) {
			memcpy(dst, buf, n);
			return 0;
		}
		if (alen)
			snprintf(err, len, "%s=%s: an IPv%d address does not fit a %u-byte field "
				 "(give %s0x and %u hex digits)", name, text, alen == 4 ? 4 : 6, n,
				 k == V_IPV4 ? "an IPv4 address or " :
				 k == V_IPV6 ? "an IPv6 address or " : "", 2 * n);
		else
			snprintf(err, len, "%s=%s: not %s0x and %u hex digits", name, text,
				 k == V_IPV4 ? "an IPv4 address or " :
				 k == V_IPV6 ? "an IPv6 address or " : "", 2 * n);
		return -EINVAL;
	case V_CHARS:
		n = btf_array(t)->nelems;
		if (strlen(text) >= n) {
			snprintf(err, len, "%s=%s: string longer than %u bytes", name, text, n - 1);
			return -ERANGE;
		}
		memset(dst, 0, n);
		memcpy(dst, text, strlen(text));
		return 0;
	case V_NONE:
		break;
	}
	snprintf(err, len, "%s: its type cannot be set from text", name);
	return -EINVAL;
}

bool tcc__value_format(const struct btf *btf, __u32 type_id, const void *src,
		       char *out, size_t len)
{
	const struct btf_type *t;
	enum vkind k = classify(btf, type_id, &t);
	const __u8 *p = src;
	__u64 v = 0;
	size_t o;

	switch (k) {
	case V_ENUM:
		memcpy(&v, src, t->size);
		if (btf_kflag(t) && t->size < 8 && (v >> (t->size * 8 - 1)) & 1)
			v |= ~0ULL << (t->size * 8);
		for (int i = 0; i < btf_vlen(t); i++) {
			bool eq = btf_is_enum(t)
				? (__u32)btf_enum(t)[i].val == (__u32)v
				: btf_enum64_value(&btf_enum64(t)[i]) == v;

			if (eq) {
				snprintf(out, len, "%s", btf__name_by_offset(btf, btf_is_enum(t)
					 ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off));
				return false;
			}
		}
		snprintf(out, len, btf_kflag(t) ? "%lld" : "%llu", (unsigned long long)v);
		return true;
	case V_BOOL:
	case V_INT:
		memcpy(&v, src, t->size);
		if ((btf_int_encoding(t) & BTF_INT_SIGNED) && t->size < 8 &&
		    (v >> (t->size * 8 - 1)) & 1)
			v |= ~0ULL << (t->size * 8);
		snprintf(out, len, btf_int_encoding(t) & BTF_INT_SIGNED ? "%lld" : "%llu",
			 (unsigned long long)v);
		return true;
	case V_IPV4_INT:
	case V_IPV4:
		inet_ntop(AF_INET, src, out, len);
		return false;
	case V_IPV6:
		inet_ntop(AF_INET6, src, out, len);
		return false;
	case V_BYTES:
		o = snprintf(out, len, "0x");
		for (__u32 i = 0; i < btf_array(t)->nelems && o + 2 < len; i++)
			o += snprintf(out + o, len - o, "%02x", p[i]);
		return false;
	case V_CHARS:
		/* Up to the first NUL; what a terminal would garble shows as '?'. */
		for (o = 0; o < btf_array(t)->nelems && p[o] && o + 1 < len; o++)
			out[o] = isprint(p[o]) ? p[o] : '?';
		out[o] = '\0';
		return false;
	case V_NONE:
		break;
	}
	snprintf(out, len, "?");
	return false;
}
