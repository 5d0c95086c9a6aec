// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The text-to-value parser (tcchain/lib/value.c) that params and map set
 * share: a table of text -> bytes or error for every rule of
 * doc/values.md, on BTF built here with libbpf's btf__add_* calls, and the
 * flattened field names (show's names are set's names).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>

#include "tcchain/lib/libtcchain.h"
#include "tcchain/lib/value.h"
#include "tests/lib/tst.h"

/* Type ids of the test BTF. */
static struct {
	struct btf *btf;
	int u8, s8, u16, s16, u32, s32, u64, s64, bool_, chr;
	int be32, ipv4_t, ipv6_t, en, en8;
	int a4, a16, a6, c8, u16x2, u32x4;
	int anon, rule, rules, top;
} T;

static bool build(void)
{
	struct btf *b = btf__new_empty();

	if (!b)
		return false;
	T.btf = b;
	T.u8 = btf__add_int(b, "unsigned char", 1, 0);
	T.s8 = btf__add_int(b, "signed char", 1, BTF_INT_SIGNED);
	T.u16 = btf__add_int(b, "unsigned short", 2, 0);
	T.s16 = btf__add_int(b, "short", 2, BTF_INT_SIGNED);
	T.u32 = btf__add_int(b, "unsigned int", 4, 0);
	T.s32 = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
	T.u64 = btf__add_int(b, "unsigned long long", 8, 0);
	T.s64 = btf__add_int(b, "long long", 8, BTF_INT_SIGNED);
	T.bool_ = btf__add_int(b, "_Bool", 1, BTF_INT_BOOL);
	T.chr = btf__add_int(b, "char", 1, BTF_INT_SIGNED);
	T.be32 = btf__add_typedef(b, "__be32", T.u32);
	T.ipv4_t = btf__add_typedef(b, "tcc_ipv4_t", T.be32);
	T.a4 = btf__add_array(b, T.u32, T.u8, 4);
	T.a16 = btf__add_array(b, T.u32, T.u8, 16);
	T.a6 = btf__add_array(b, T.u32, T.u8, 6);
	T.c8 = btf__add_array(b, T.u32, T.chr, 8);
	T.u16x2 = btf__add_array(b, T.u32, T.u16, 2);
	T.ipv6_t = btf__add_typedef(b, "tcc_ipv6_t", T.a16);
	T.en = btf__add_enum(b, "verdict", 4);
	btf__add_enum_value(b, "PASS", 0);
	btf__add_enum_value(b, "DROP", 2);
	T.en8 = btf__add_enum(b, "small", 1);
	btf__add_enum_value(b, "ONE", 1);
	/* struct rule { __u32 n; union { __u8 src[16]; __u32 w[4]; }; __u16 ports[2]; } */
	T.u32x4 = btf__add_array(b, T.u32, T.u32, 4);
	T.anon = btf__add_union(b, NULL, 16);
	btf__add_field(b, "src", T.a16, 0, 0);
	btf__add_field(b, "w", T.u32x4, 0, 0);
	T.rule = btf__add_struct(b, "rule", 24);
	btf__add_field(b, "n", T.u32, 0, 0);
	btf__add_field(b, NULL, T.anon, 32, 0);
	btf__add_field(b, "ports", T.u16x2, 160, 0);
	/* struct top { __u32 n_rules; struct rule rules[2]; } */
	T.rules = btf__add_array(b, T.u32, T.rule, 2);
	T.top = btf__add_struct(b, "top", 52);
	btf__add_field(b, "n_rules", T.u32, 0, 0);
	btf__add_field(b, "rules", T.rules, 32, 0);
	return T.top > 0;
}

struct row {
	const char *what;
	int *type;
	const char *text;
	int err;		/* 0, -EINVAL or -ERANGE */
	const char *want;	/* bytes as hex, or the message's start */
};

static const struct row rows[] = {
	/* integers: decimal unless 0x, a leading zero is decimal */
	{ "u8 max", &T.u8, "255", 0, "ff" },
	{ "u8 over", &T.u8, "256", -ERANGE,
	  "f=256: out of range for a 1-byte unsigned integer (0..255)" },
	{ "u8 negative", &T.u8, "-1", -ERANGE, "f=-1: out of range for a 1-byte unsigned" },
	{ "s8 min", &T.s8, "-128", 0, "80" },
	{ "s8 under", &T.s8, "-129", -ERANGE,
	  "f=-129: out of range for a 1-byte signed integer (-128..127)" },
	{ "s8 over", &T.s8, "128", -ERANGE, "f=128: out of range" },
	{ "u16", &T.u16, "0x1234", 0, "3412" },
	{ "u16 over", &T.u16, "65536", -ERANGE, "f=65536: out of range for a 2-byte unsigned integer (0..65535)" },
	{ "s16 -1", &T.s16, "-1", 0, "ffff" },
	{ "u32 leading zero is decimal", &T.u32, "010", 0, "0a000000" },
	{ "u32 hex", &T.u32, "0xff", 0, "ff000000" },
	{ "u32 max", &T.u32, "4294967295", 0, "ffffffff" },
	{ "u32 over", &T.u32, "4294967296", -ERANGE, "f=4294967296: out of range" },
	{ "s32 min", &T.s32, "-2147483648", 0, "00000080" },
	{ "u64 max", &T.u64, "18446744073709551615", 0, "ffffffffffffffff" },
	{ "u64 over", &T.u64, "18446744073709551616", -ERANGE, "f=18446744073709551616: out of range for a 8-byte" },
	{ "s64 min", &T.s64, "-9223372036854775808", 0, "0000000000000080" },
	{ "s64 over", &T.s64, "9223372036854775808", -ERANGE, "f=9223372036854775808: out of range" },
	{ "not a number", &T.u32, "fast", -EINVAL, "f=fast: not an integer" },
	{ "empty", &T.u32, "", -EINVAL, "f=: not an integer" },
	{ "space", &T.u32, " 1", -EINVAL, "f= 1: not an integer" },
	{ "plus", &T.u32, "+1", -EINVAL, "f=+1: not an integer" },
	{ "trailing junk", &T.u32, "12x", -EINVAL, "f=12x: not an integer" },
	{ "bare 0x", &T.u32, "0x", -EINVAL, "f=0x: not an integer" },
	{ "double sign", &T.s32, "--1", -EINVAL, "f=--1: not an integer" },
	/* multipliers */
	{ "k", &T.u32, "10k", 0, "10270000" },
	{ "K", &T.u32, "10K", 0, "10270000" },
	{ "M", &T.u32, "2M", 0, "80841e00" },
	{ "G", &T.u64, "1G", 0, "00ca9a3b00000000" },
	{ "Ki", &T.u32, "64Ki", 0, "00000100" },
	{ "Mi", &T.u32, "1Mi", 0, "00001000" },
	{ "Gi", &T.u64, "1Gi", 0, "0000004000000000" },
	{ "multiplier over", &T.u16, "64Ki", -ERANGE, "f=64Ki: out of range" },
	{ "u64 multiplier overflow", &T.u64, "18446744073709551615k", -ERANGE, "f=18446744073709551615k: out of range" },
	{ "negative with k", &T.s32, "-2k", 0, "30f8ffff" },
	{ "unknown suffix", &T.u32, "10m", -EINVAL, "f=10m: not an integer" },
	/* bools */
	{ "on", &T.bool_, "on", 0, "01" },
	{ "off", &T.bool_, "off", 0, "00" },
	{ "true", &T.bool_, "TRUE", 0, "01" },
	{ "no", &T.bool_, "no", 0, "00" },
	{ "1", &T.bool_, "1", 0, "01" },
	{ "not a bool", &T.bool_, "2", -EINVAL, "f=2: not a boolean (on/off, true/false, yes/no, 1/0)" },
	{ "bool word in an int", &T.u32, "on", -EINVAL, "f=on: not an integer" },
	/* enums */
	{ "enum name", &T.en, "DROP", 0, "02000000" },
	{ "enum number", &T.en, "7", 0, "07000000" },
	{ "enum unknown", &T.en, "drop", -EINVAL, "f=drop: not a value of enum verdict (PASS, DROP or a number)" },
	{ "enum too big", &T.en8, "256", -ERANGE, "f=256: out of range for a 1-byte unsigned" },
	/* IPv4 into integers */
	{ "ipv4 into u32", &T.u32, "10.9.0.1", 0, "0a090001" },
	{ "ipv4 into __be32", &T.be32, "10.9.0.1", 0, "0a090001" },
	{ "number into __be32", &T.be32, "0x0a090001", 0, "0a090001" },
	{ "ipv4 into tcc_ipv4_t", &T.ipv4_t, "192.0.2.255", 0, "c00002ff" },
	{ "ipv4 into u16", &T.u16, "10.9.0.1", -EINVAL, "f=10.9.0.1: an IPv4 address does not fit a 2-byte unsigned integer" },
	{ "ipv4 into s32", &T.s32, "10.9.0.1", -EINVAL, "f=10.9.0.1: an IPv4 address does not fit a 4-byte signed" },
	{ "ipv6 into u32", &T.u32, "::1", -EINVAL, "f=::1: an IPv6 address does not fit a 4-byte" },
	{ "bad ipv4", &T.be32, "10.9.0.256", -EINVAL, "f=10.9.0.256: not an IPv4 address or an integer" },
	/* addresses into byte arrays */
	{ "ipv4 into u8[4]", &T.a4, "10.9.0.1", 0, "0a090001" },
	{ "ipv6 into u8[16]", &T.a16, "2001:db8::1", 0, "20010db8000000000000000000000001" },
	{ "ipv6 into tcc_ipv6_t", &T.ipv6_t, "::ffff:10.0.0.1", 0, "00000000000000000000ffff0a000001" },
	{ "ipv4 into u8[16]", &T.a16, "10.9.0.1", -EINVAL,
	  "f=10.9.0.1: an IPv4 address does not fit a 16-byte field (give an IPv6 address or 0x and 32 hex digits)" },
	{ "ipv6 into u8[4]", &T.a4, "::1", -EINVAL, "f=::1: an IPv6 address does not fit a 4-byte field" },
	{ "ipv4 into u8[6]", &T.a6, "10.9.0.1", -EINVAL, "f=10.9.0.1: an IPv4 address does not fit a 6-byte field (give 0x and 12 hex digits)" },
	{ "text never as ASCII", &T.a16, "10.9.0.1x", -EINVAL, "f=10.9.0.1x: not an IPv6 address or 0x and 32 hex digits" },
	{ "hex into u8[4]", &T.a4, "0x0A090001", 0, "0a090001" },
	/* byte arrays: hex */
	{ "hex into u8[6]", &T.a6, "0x020000000001", 0, "020000000001" },
	{ "short hex", &T.a6, "0x0200", -EINVAL, "f=0x0200: not 0x and 12 hex digits" },
	{ "bad hex", &T.a6, "0x02000000000g", -EINVAL, "f=0x02000000000g: not 0x and 12 hex digits" },
	{ "string into bytes", &T.a6, "abc", -EINVAL, "f=abc: not 0x and 12 hex digits" },
	/* char arrays: strings */
	{ "string", &T.c8, "eth0", 0, "6574683000000000" },
	{ "longest string", &T.c8, "1234567", 0, "3132333435363700" },
	{ "string too long", &T.c8, "12345678", -ERANGE, "f=12345678: string longer than 7 bytes" },
	/* not a leaf */
	{ "a struct", &T.rule, "1", -EINVAL, "f: its type cannot be set from text" },
};

static void hex(const __u8 *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * n] = '\0';
}

static void parse_table(void)
{
	if (!ASSERT_TRUE(build(), "test BTF built"))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		__u8 buf[64], before[64];
		char err[256] = "", got[129];
		__s64 size = btf__resolve_size(T.btf, *r->type);
		int ret;

		memset(buf, 0xa5, sizeof(buf));
		memcpy(before, buf, sizeof(buf));
		ret = tcc__value_parse(T.btf, *r->type, buf, "f", r->text, err, sizeof(err));
		if (!ASSERT_EQ(ret, r->err, r->what))
			fprintf(stderr, "    (%s)\n", err);
		if (r->err) {
			ASSERT_TRUE(!strncmp(err, r->want, strlen(r->want)),
				    "%s: message \"%s\", want \"%s...\"", r->what, err, r->want);
			ASSERT_MEMEQ(buf, before, sizeof(buf), "a refused value changes nothing");
			continue;
		}
		hex(buf, size, got);
		ASSERT_STREQ(got, r->want, r->what);
		ASSERT_EQ(buf[size], 0xa5, "nothing written past the field");
	}
}

/* What format prints, parse takes back to the same bytes. */
static void format_round_trip(void)
{
	static const struct { int *type; const char *text, *shown; } cases[] = {
		{ &T.u32, "10.9.0.1", "16779530" },	/* a plain u32 prints as a number */
		{ &T.be32, "10.9.0.1", "10.9.0.1" },
		{ &T.ipv4_t, "0x0a090001", "10.9.0.1" },
		{ &T.a4, "192.0.2.1", "192.0.2.1" },
		{ &T.a16, "2001:db8::1", "2001:db8::1" },
		{ &T.ipv6_t, "::1", "::1" },
		{ &T.a6, "0x020000000001", "0x020000000001" },
		{ &T.c8, "eth0", "eth0" },
		{ &T.en, "DROP", "DROP" },
		{ &T.en, "7", "7" },
		{ &T.s16, "-2k", "-2000" },
		{ &T.bool_, "yes", "1" },
		{ &T.u64, "1Gi", "1073741824" },
	};

	if (!T.btf && !ASSERT_TRUE(build(), "test BTF built"))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		__u8 a[32] = {}, b[32] = {};
		char out[128], err[256];

		ASSERT_OK(tcc__value_parse(T.btf, *cases[i].type, a, "f", cases[i].text, err,
					   sizeof(err)), cases[i].text);
		tcc__value_format(T.btf, *cases[i].type, a, out, sizeof(out));
		ASSERT_STREQ(out, cases[i].shown, cases[i].text);
		ASSERT_OK(tcc__value_parse(T.btf, *cases[i].type, b, "f", out, err, sizeof(err)),
			  out);
		ASSERT_MEMEQ(a, b, sizeof(a), "shown text parses to the same bytes");
	}
}

struct names {
	char list[1024];
	size_t used;
};

static int name_cb(const char *name, const char *value, bool numeric, void *arg)
{
	struct names *n = arg;

	(void)numeric;
	n->used += snprintf(n->list + n->used, sizeof(n->list) - n->used, "%s=%s ", name, value);
	return 0;
}

/* Every name walk prints is a name set takes; an anonymous union's
 * members are named as C names them.
 */
static void names_round_trip(void)
{
	__u8 data[52] = {}, again[52] = {};
	struct names n = {};
	char err[256], *save, *w;

	if (!T.btf && !ASSERT_TRUE(build(), "test BTF built"))
		return;
	ASSERT_OK(tcc_btf_set(T.btf, T.top, data, "rules[1].src", "2001:db8::7", err,
			      sizeof(err)), "set through the anonymous union");
	ASSERT_OK(tcc_btf_set(T.btf, T.top, data, "rules[0].ports[1]", "443", err,
			      sizeof(err)), "set an array element");
	ASSERT_EQ(tcc_btf_set(T.btf, T.top, data, "rules[0]..src", "::1", err, sizeof(err)),
		  -ENOENT, "the double-dot name is gone");
	tcc_btf_walk(T.btf, T.top, data, name_cb, &n);
	ASSERT_TRUE(strstr(n.list, "rules[1].src=2001:db8::7 ") != NULL, "shown: %s", n.list);
	ASSERT_TRUE(strstr(n.list, "rules[0].ports[1]=443 ") != NULL, "shown: %s", n.list);
	ASSERT_TRUE(strstr(n.list, "rules[1].w[3]=117440512 ") != NULL, "union member: %s", n.list);
	ASSERT_TRUE(strstr(n.list, "..") == NULL, "no double dot: %s", n.list);
	for (w = strtok_r(n.list, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		*eq = '\0';
		ASSERT_OK(tcc_btf_set(T.btf, T.top, again, w, eq + 1, err, sizeof(err)), w);
	}
	ASSERT_MEMEQ(again, data, sizeof(data), "show -> set rebuilds the same bytes");
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(parse_table),
		TST_CASE(format_round_trip),
		TST_CASE(names_round_trip),
	};
	int r = tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));

	btf__free(T.btf);
	return r;
}
