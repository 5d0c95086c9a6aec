// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Map keys and values in words: walk a BTF type down to its leaves (the
 * values value.c reads and writes) and name each one.  Nested structs
 * and arrays flatten to "outer.inner" and "arr[3]" names; the members of
 * an anonymous struct or union are named as C names them, as members of
 * the enclosing struct (rules[0].src, not rules[0]..src).  One walk
 * serves show, set and get, so a name show prints is a name set takes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/value.h"

/* Called per leaf: its flattened name, type id and byte offset. */
typedef int (*leaf_cb)(const char *name, __u32 type_id, __u32 off, void *arg);

static int join(char *out, size_t len, const char *prefix, const char *member)
{
	int n;

	if (!*member)			/* anonymous: its members are ours */
		n = snprintf(out, len, "%s", prefix);
	else
		n = snprintf(out, len, "%s%s%s", prefix, *prefix ? "." : "", member);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int leaves(const struct btf *btf, __u32 id, const char *prefix, __u32 off,
		  leaf_cb cb, void *arg)
{
	const struct btf_type *t;
	__s32 r = btf__resolve_type(btf, id);
	char name[256];
	int err = 0;

	if (r < 0)
		return -EINVAL;
	/* Leaves keep the unresolved id: typedefs say what is an address. */
	if (tcc__value_is_leaf(btf, id))
		return cb(prefix, id, off, arg);
	t = btf__type_by_id(btf, r);
	if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		__s64 es = btf__resolve_size(btf, a->type);

		for (__u32 i = 0; !err && es > 0 && i < a->nelems; i++) {
			snprintf(name, sizeof(name), "%s[%u]", prefix, i);
			err = leaves(btf, a->type, name, off + i * es, cb, arg);
		}
	} else if (btf_is_struct(t) || btf_is_union(t)) {
		const struct btf_member *m = btf_members(t);

		for (int i = 0; !err && i < btf_vlen(t); i++, m++) {
			if (btf_member_bitfield_size(t, i))
				continue;	/* no stage map uses bitfields */
			err = join(name, sizeof(name), prefix, btf__name_by_offset(btf, m->name_off));
			if (!err)
				err = leaves(btf, m->type, name,
					     off + btf_member_bit_offset(t, i) / 8, cb, arg);
		}
	} else if (btf_is_datasec(t)) {
		/* global data (.rodata, .bss, .data): its variables by name */
		const struct btf_var_secinfo *vs = btf_var_secinfos(t);

		for (int i = 0; !err && i < btf_vlen(t); i++, vs++) {
			const struct btf_type *v = btf__type_by_id(btf, vs->type);

			err = join(name, sizeof(name), prefix, btf__name_by_offset(btf, v->name_off));
			if (!err)
				err = leaves(btf, v->type, name, off + vs->offset, cb, arg);
		}
	}
	return err;	/* pointers, spin locks' internals: nothing to show */
}

struct walk_args {
	const char *data;
	const struct btf *btf;
	tcc_field_cb cb;
	void *arg;
};

static int walk_leaf(const char *name, __u32 id, __u32 off, void *arg)
{
	struct walk_args *w = arg;
	char val[600];
	bool num = tcc__value_format(w->btf, id, w->data + off, val, sizeof(val));

	return w->cb(name, val, num, w->arg);
}

int tcc_btf_walk(const struct btf *btf, __u32 type_id, const void *data,
		 tcc_field_cb cb, void *arg)
{
	struct walk_args w = { data, btf, cb, arg };

	return leaves(btf, type_id, "", 0, walk_leaf, &w);
}

struct find_args {
	const char *name;
	__u32 off, id;
};

/* A plain scalar key or value is the one leaf, named "". */
static int find_leaf(const char *name, __u32 id, __u32 off, void *arg)
{
	struct find_args *f = arg;

	if (strcmp(name, f->name))
		return 0;
	f->off = off;
	f->id = id;
	return 1;
}

static int find_field(const struct btf *btf, __u32 type_id, const char *name,
		      __u32 *off, __u32 *id)
{
	struct find_args f = { .name = name };

	if (leaves(btf, type_id, "", 0, find_leaf, &f) != 1)
		return -ENOENT;
	*off = f.off;
	*id = f.id;
	return 0;
}

int tcc_btf_set(const struct btf *btf, __u32 type_id, void *data, const char *name,
		const char *value, char *err, size_t errlen)
{
	__u32 off, id;
	int r;

	if (find_field(btf, type_id, name, &off, &id)) {
		snprintf(err, errlen, "no field '%s'", name);
		return -ENOENT;
	}
	r = tcc__value_parse(btf, id, (char *)data + off, name, value, err, errlen);
	if (r && !*name && err[0] == '=')	/* a bare VALUE: "7: out of range..." */
		memmove(err, err + 1, strlen(err));
	return r;
}

int tcc_btf_get(const struct btf *btf, __u32 type_id, const void *data, const char *name,
		__u64 *value)
{
	const struct btf_type *t;
	__u32 off, id;

	if (find_field(btf, type_id, name, &off, &id))
		return -ENOENT;
	t = btf__type_by_id(btf, btf__resolve_type(btf, id));
	if (!btf_is_int(t) && !btf_is_any_enum(t))
		return -EINVAL;
	*value = 0;
	memcpy(value, (const char *)data + off, t->size > 8 ? 8 : t->size);
	return 0;
}

struct sum_args {
	const struct btf *btf;
	char *dst;
	const char *src;	/* NULL: zero the counters instead */
};

static int sum_leaf(const char *name, __u32 id, __u32 off, void *arg)
{
	struct sum_args *s = arg;
	const struct btf_type *t = btf__type_by_id(s->btf, btf__resolve_type(s->btf, id));
	__u64 a = 0, b = 0;

	(void)name;
	if (!tcc__value_is_counter(s->btf, id))
		return 0;
	if (s->src) {
		memcpy(&a, s->dst + off, t->size);
		memcpy(&b, s->src + off, t->size);
	}
	a += b;
	memcpy(s->dst + off, &a, t->size);
	return 0;
}

int tcc__btf_sum_counters(const struct btf *btf, __u32 type_id, void *dst, const void *src)
{
	struct sum_args s = { btf, dst, src };

	return leaves(btf, type_id, "", 0, sum_leaf, &s);
}
