// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Stage parameters: the stage's `const volatile` globals in .rodata, found
 * and type-checked through BTF and written before load, so the verifier
 * sees them as constants.  Also the SDK ABI check and tcc_slot.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

struct rodata {
	const struct btf *btf;
	const struct btf_type *sec;
	char *data;
	size_t size;
};

static int rodata_open(struct bpf_object *obj, struct rodata *r)
{
	struct bpf_map *m;
	__s32 id;

	memset(r, 0, sizeof(*r));
	r->btf = bpf_object__btf(obj);
	if (!r->btf)
		return -ENOENT;
	id = btf__find_by_name_kind(r->btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	r->sec = btf__type_by_id(r->btf, id);
	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t l = strlen(n);

		if (bpf_map__is_internal(m) && l >= 7 && !strcmp(n + l - 7, ".rodata")) {
			r->data = (char *)bpf_map__initial_value(m, &r->size);
			break;
		}
	}
	return r->data ? 0 : -ENOENT;
}

/* The variable's place in .rodata and its type with modifiers peeled. */
static int rodata_var(const struct rodata *r, const char *name, char **ptr,
		      const struct btf_type **type, __u32 *size)
{
	const struct btf_var_secinfo *vs = btf_var_secinfos(r->sec);

	for (int i = 0; i < btf_vlen(r->sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(r->btf, vs->type);

		if (strcmp(btf__name_by_offset(r->btf, v->name_off), name))
			continue;
		if (vs->offset + vs->size > r->size)
			return -EINVAL;
		*ptr = r->data + vs->offset;
		*size = vs->size;
		*type = btf__type_by_id(r->btf, btf__resolve_type(r->btf, v->type));
		return 0;
	}
	return -ENOENT;
}

/* Numbers with an optional SI (k, M, G: x1000) or binary (Ki, Mi, Gi)
 * multiplier: rate=10k, burst=64Ki.
 */
static int parse_u64(const char *s, __u64 *out)
{
	static const struct { const char *sfx; __u64 mul; } mults[] = {
		{ "", 1 }, { "k", 1000 }, { "K", 1000 }, { "M", 1000000 },
		{ "G", 1000000000 }, { "Ki", 1024 }, { "Mi", 1024 * 1024 },
		{ "Gi", 1024 * 1024 * 1024 },
	};
	char *end;
	__u64 v;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(mults); i++) {
		if (strcmp(end, mults[i].sfx))
			continue;
		if (v && mults[i].mul > UINT64_MAX / v)
			return -ERANGE;
		*out = v * mults[i].mul;
		return 0;
	}
	return -EINVAL;
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

static int set_int(struct tcc_ctx *ctx, const char *name, const char *val,
		   const struct btf_type *t, char *ptr, __u32 size)
{
	__u32 enc = btf_int_encoding(t);
	bool is_signed = enc & BTF_INT_SIGNED;
	struct in_addr a4;
	__u64 v;
	int err;

	if (enc & BTF_INT_BOOL) {
		err = parse_bool(val, &v);
	} else if (size == 4 && !is_signed && strchr(val, '.') && inet_pton(AF_INET, val, &a4) == 1) {
		/* An IPv4 address goes in as it sits in a packet. */
		memcpy(ptr, &a4, 4);
		return 0;
	} else if (is_signed && *val == '-') {
		err = parse_u64(val + 1, &v);
		if (!err && v > (1ULL << (size * 8 - 1)))
			err = -ERANGE;
		v = -v;
	} else {
		err = parse_u64(val, &v);
		if (!err && size < 8 && v >> (size * 8 - is_signed))
			err = -ERANGE;
	}
	if (err == -ERANGE)
		return tcc__fail(ctx, -ERANGE, "param %s=%s: out of range for a %u-byte %s integer",
				 name, val, size, is_signed ? "signed" : "unsigned");
	if (err)
		return tcc__fail(ctx, -EINVAL, "param %s=%s: not a%s", name, val,
				 enc & BTF_INT_BOOL ? " boolean" : "n integer");
	/* Little-endian host: the low bytes of v are the value. */
	memcpy(ptr, &v, size);
	return 0;
}

static int set_enum(struct tcc_ctx *ctx, const struct btf *btf, const char *name,
		    const char *val, const struct btf_type *t, char *ptr, __u32 size)
{
	const struct btf_enum *e = btf_enum(t);
	__u64 v;

	for (int i = 0; i < btf_vlen(t); i++, e++) {
		if (!strcmp(btf__name_by_offset(btf, e->name_off), val)) {
			__s64 x = e->val;

			memcpy(ptr, &x, size);
			return 0;
		}
	}
	if (!parse_u64(val, &v)) {
		memcpy(ptr, &v, size);
		return 0;
	}
	return tcc__fail(ctx, -EINVAL, "param %s=%s: not a value of enum %s", name, val,
			 btf__name_by_offset(btf, t->name_off));
}

static int set_param(struct tcc_ctx *ctx, const struct rodata *r, const struct tcc_param *p)
{
	const struct btf_type *t, *elem;
	const struct btf_array *arr;
	__u32 size;
	char *ptr;
	int err;

	if (!strncmp(p->name, "tcc_", 4))
		return tcc__fail(ctx, -EINVAL, "param %s: names starting with tcc_ belong to the framework",
				 p->name);
	err = rodata_var(r, p->name, &ptr, &t, &size);
	if (err)
		return tcc__fail(ctx, -ENOENT,
				 "unknown param '%s' (the stage has no const volatile global of that name)",
				 p->name);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		return set_int(ctx, p->name, p->value, t, ptr, size);
	case BTF_KIND_ENUM:
		return set_enum(ctx, r->btf, p->name, p->value, t, ptr, size);
	case BTF_KIND_ARRAY:
		arr = btf_array(t);
		elem = btf__type_by_id(r->btf, btf__resolve_type(r->btf, arr->type));
		if (btf_kind(elem) != BTF_KIND_INT || elem->size != 1)
			break;
		if (strlen(p->value) >= arr->nelems)
			return tcc__fail(ctx, -ERANGE, "param %s: string longer than %u bytes",
					 p->name, arr->nelems - 1);
		memset(ptr, 0, arr->nelems);
		memcpy(ptr, p->value, strlen(p->value));
		return 0;
	default:
		break;
	}
	return tcc__fail(ctx, -EINVAL, "param %s: its type cannot be set from the command line",
			 p->name);
}

int tcc__params_apply(struct tcc_ctx *ctx, struct bpf_object *obj,
		      const struct tcc_param *params, size_t n, __u32 slot,
		      char *summary, size_t summary_len)
{
	const struct btf_type *t;
	struct rodata r;
	__u32 size, abi;
	char *ptr;
	size_t used = 0;
	int err;

	if (rodata_open(obj, &r) ||
	    rodata_var(&r, "tcc_abi_version", &ptr, &t, &size) || size != 4)
		return tcc__fail(ctx, -EPROTO,
				 "not a tcchain stage: no tcc_abi_version (build it with <tcchain.h>)");
	memcpy(&abi, ptr, 4);
	if (abi != TCC_ABI_VERSION)
		return tcc__fail(ctx, -EPROTO,
				 "built against SDK ABI v%u, this tcchain speaks v%d (rebuild the stage)",
				 abi, TCC_ABI_VERSION);
	err = rodata_var(&r, "tcc_slot", &ptr, &t, &size);
	if (err || size != 4)
		return tcc__fail(ctx, -EPROTO, "not a tcchain stage: no tcc_slot");
	memcpy(ptr, &slot, 4);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (!strcmp(params[i].name, params[j].name))
				return tcc__fail(ctx, -EINVAL, "param %s given twice",
						 params[i].name);
		err = set_param(ctx, &r, &params[i]);
		if (err)
			return err;
		used += snprintf(summary + used, used < summary_len ? summary_len - used : 0,
				 "%s%s=%s", i ? " " : "", params[i].name, params[i].value);
	}
	if (used >= summary_len && summary_len)
		summary[summary_len - 1] = '\0';
	return 0;
}
