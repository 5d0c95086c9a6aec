// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Map keys and values in words: walk a BTF type and print each scalar
 * field as "name=value", or set one field from "name=value".  Nested
 * structs and arrays flatten to "outer.inner" and "arr[3]" names.  Byte
 * arrays of 4 and 16 read and write as IPv4/IPv6 addresses (how stages
 * store addresses), other byte arrays as strings if printable, else hex.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <bpf/btf.h>

#include "tcchain/lib/internal.h"

static const struct btf_type *resolve(const struct btf *btf, __u32 id, __u32 *out_id)
{
	__s32 r = btf__resolve_type(btf, id);

	if (r < 0)
		return NULL;
	if (out_id)
		*out_id = r;
	return btf__type_by_id(btf, r);
}

static bool is_byte(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = resolve(btf, id, NULL);

	return t && btf_is_int(t) && t->size == 1;
}

static void fmt_bytes(const __u8 *p, __u32 n, char *out, size_t len)
{
	bool text = true;
	size_t o = 0;
	__u32 i, end = n;

	if (n == 4 && inet_ntop(AF_INET, p, out, len))
		return;
	if (n == 16 && inet_ntop(AF_INET6, p, out, len))
		return;
	while (end && !p[end - 1])
		end--;
	for (i = 0; i < end; i++)
		if (!isprint(p[i]))
			text = false;
	if (text && end) {
		snprintf(out, len, "%.*s", (int)end, (const char *)p);
		return;
	}
	o = snprintf(out, len, "0x");
	for (i = 0; i < n && o + 2 < len; i++)
		o += snprintf(out + o, len - o, "%02x", p[i]);
}

static int walk(const struct btf *btf, __u32 id, const char *data, const char *prefix,
		tcc_field_cb cb, void *arg)
{
	const struct btf_type *t = resolve(btf, id, &id);
	char name[256], val[128];
	int err;

	if (!t)
		return -EINVAL;
	switch (btf_kind(t)) {
	case BTF_KIND_INT: {
		__u64 v = 0;
		bool sgn = btf_int_encoding(t) & BTF_INT_SIGNED;

		memcpy(&v, data, t->size > 8 ? 8 : t->size);
		if (sgn && t->size < 8 && (v >> (t->size * 8 - 1)) & 1)
			v |= ~0ULL << (t->size * 8);
		snprintf(val, sizeof(val), sgn ? "%lld" : "%llu", (unsigned long long)v);
		return cb(prefix, val, true, arg);
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_enum(t);
		__s32 v = 0;

		memcpy(&v, data, t->size > 4 ? 4 : t->size);
		for (int i = 0; i < btf_vlen(t); i++, e++)
			if (e->val == v)
				return cb(prefix, btf__name_by_offset(btf, e->name_off), false, arg);
		snprintf(val, sizeof(val), "%d", v);
		return cb(prefix, val, true, arg);
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		const struct btf_type *et = resolve(btf, a->type, NULL);

		if (!et)
			return -EINVAL;
		if (is_byte(btf, a->type)) {
			fmt_bytes((const __u8 *)data, a->nelems, val, sizeof(val));
			return cb(prefix, val, false, arg);
		}
		for (__u32 i = 0; i < a->nelems; i++) {
			snprintf(name, sizeof(name), "%s[%u]", prefix, i);
			err = walk(btf, a->type, data + i * btf__resolve_size(btf, a->type),
				   name, cb, arg);
			if (err)
				return err;
		}
		return 0;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			const char *mn = btf__name_by_offset(btf, m->name_off);

			if (btf_member_bitfield_size(t, i))
				continue;	/* no stage map uses bitfields */
			snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "", mn);
			err = walk(btf, m->type, data + btf_member_bit_offset(t, i) / 8, name, cb, arg);
			if (err)
				return err;
		}
		return 0;
	}
	case BTF_KIND_DATASEC: {
		/* global data (.rodata, .bss, .data): its variables by name */
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (int i = 0; i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "",
				 btf__name_by_offset(btf, v->name_off));
			err = walk(btf, v->type, data + vs->offset, name, cb, arg);
			if (err)
				return err;
		}
		return 0;
	}
	default:
		return 0;	/* pointers, spin locks' internals: nothing to show */
	}
}

int tcc_btf_walk(const struct btf *btf, __u32 type_id, const void *data,
		 tcc_field_cb cb, void *arg)
{
	return walk(btf, type_id, data, "", cb, arg);
}

/* Find the scalar field called name; its offset, type id. */
static int find_field(const struct btf *btf, __u32 id, const char *name, const char *prefix,
		      __u32 off, __u32 *out_off, __u32 *out_id)
{
	const struct btf_type *t = resolve(btf, id, &id);
	char sub[256];

	if (!t)
		return -EINVAL;
	if (btf_is_struct(t) || btf_is_union(t)) {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, m++) {
			snprintf(sub, sizeof(sub), "%s%s%s", prefix, *prefix ? "." : "",
				 btf__name_by_offset(btf, m->name_off));
			if (!find_field(btf, m->type, name, sub,
					off + btf_member_bit_offset(t, i) / 8, out_off, out_id))
				return 0;
		}
		return -ENOENT;
	}
	if (btf_is_array(t) && !is_byte(btf, btf_array(t)->type)) {
		const struct btf_array *a = btf_array(t);

		for (__u32 i = 0; i < a->nelems; i++) {
			snprintf(sub, sizeof(sub), "%s[%u]", prefix, i);
			if (!find_field(btf, a->type, name, sub,
					off + i * btf__resolve_size(btf, a->type), out_off, out_id))
				return 0;
		}
		return -ENOENT;
	}
	/* A plain scalar key or value answers to "" as well as its name. */
	if (strcmp(prefix, name))
		return -ENOENT;
	*out_off = off;
	*out_id = id;
	return 0;
}

static int parse_num(const char *s, bool sgn, __u64 *v)
{
	char *end;

	errno = 0;
	*v = sgn ? (__u64)strtoll(s, &end, 0) : strtoull(s, &end, 0);
	if (errno || end == s || *end || (!sgn && *s == '-'))
		return -EINVAL;
	return 0;
}

int tcc_btf_set(const struct btf *btf, __u32 type_id, void *data, const char *name,
		const char *value, char *err, size_t errlen)
{
	const struct btf_type *t;
	__u32 off, id;
	__u64 v;

	if (find_field(btf, type_id, name, "", 0, &off, &id)) {
		snprintf(err, errlen, "no field '%s'", name);
		return -ENOENT;
	}
	t = btf__type_by_id(btf, id);
	data = (char *)data + off;
	if (btf_is_int(t)) {
		bool sgn = btf_int_encoding(t) & BTF_INT_SIGNED;

		if (t->size == 4 && !sgn && strchr(value, '.') &&
		    inet_pton(AF_INET, value, data) == 1)
			return 0;
		if (parse_num(value, sgn, &v) ||
		    (t->size < 8 && !sgn && v >> (t->size * 8))) {
			snprintf(err, errlen, "%s=%s: not a %u-byte %s integer", name, value,
				 t->size, sgn ? "signed" : "unsigned");
			return -EINVAL;
		}
		memcpy(data, &v, t->size);
		return 0;
	}
	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		for (int i = 0; i < btf_vlen(t); i++, e++) {
			if (!strcmp(btf__name_by_offset(btf, e->name_off), value)) {
				memcpy(data, &e->val, t->size > 4 ? 4 : t->size);
				return 0;
			}
		}
		if (!parse_num(value, true, &v)) {
			memcpy(data, &v, t->size > 4 ? 4 : t->size);
			return 0;
		}
		snprintf(err, errlen, "%s=%s: not a value of its enum", name, value);
		return -EINVAL;
	}
	if (btf_is_array(t)) {
		__u32 n = btf_array(t)->nelems;
		size_t len = strlen(value);

		if ((n == 4 && inet_pton(AF_INET, value, data) == 1) ||
		    (n == 16 && inet_pton(AF_INET6, value, data) == 1))
			return 0;
		if (len < n) {
			memset(data, 0, n);
			memcpy(data, value, len);
			return 0;
		}
		snprintf(err, errlen, "%s=%s: longer than %u bytes", name, value, n);
		return -EINVAL;
	}
	snprintf(err, errlen, "%s: this field cannot be set", name);
	return -EINVAL;
}

int tcc_btf_get(const struct btf *btf, __u32 type_id, const void *data, const char *name,
		__u64 *value)
{
	const struct btf_type *t;
	__u32 off, id;

	if (find_field(btf, type_id, name, "", 0, &off, &id))
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	if (!btf_is_int(t) && !btf_is_enum(t))
		return -EINVAL;
	*value = 0;
	memcpy(value, (const char *)data + off, t->size > 8 ? 8 : t->size);
	return 0;
}
