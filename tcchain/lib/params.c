// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Stage parameters: the stage's `const volatile` globals in .rodata, found
 * and type-checked through BTF and written before load, so the verifier
 * sees them as constants.  Also the SDK ABI check and tcc_slot.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/value.h"

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

/* The variable's place in .rodata and its type (typedefs kept). */
static int rodata_var(const struct rodata *r, const char *name, char **ptr,
		      __u32 *type_id, __u32 *size)
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
		*type_id = v->type;
		return 0;
	}
	return -ENOENT;
}

static int set_param(struct tcc_ctx *ctx, const struct rodata *r, const struct tcc_param *p)
{
	char msg[256];
	__u32 size, id;
	char *ptr;
	int err;

	if (!strncmp(p->name, "tcc_", 4))
		return tcc__fail(ctx, -EINVAL, "param %s: names starting with tcc_ belong to the framework",
				 p->name);
	if (rodata_var(r, p->name, &ptr, &id, &size))
		return tcc__fail(ctx, -ENOENT,
				 "unknown param '%s' (the stage has no const volatile global of that name)",
				 p->name);
	/* the same rules as map set: value.c, doc/values.md */
	if (!tcc__value_is_leaf(r->btf, id))
		return tcc__fail(ctx, -EINVAL, "param %s: its type cannot be set from the command line",
				 p->name);
	err = tcc__value_parse(r->btf, id, ptr, p->name, p->value, msg, sizeof(msg));
	return err ? tcc__fail(ctx, err, "param %s", msg) : 0;
}

int tcc__params_apply(struct tcc_ctx *ctx, struct bpf_object *obj, const char *prog,
		      unsigned int flags, const struct tcc_param *typed, size_t n_typed, __u32 slot,
		      char *summary, size_t summary_len)
{
	const struct tcc_kind *kind = tcc_kind_find(prog);
	struct tcc_param params[TCC_MAX_PARAMS + 4];
	char text[64];
	struct rodata r;
	__u32 size, abi, t;
	size_t n = n_typed, used = 0;
	char *ptr;
	int err;

	if (rodata_open(obj, &r) ||
	    rodata_var(&r, "tcc_abi_version", &ptr, &t, &size) || size != 4) {
		/* A foreign program owes tcchain nothing; it may still have
		 * const volatile globals to set. */
		if (!(flags & TCC_STAGE_F_FOREIGN))
			return tcc__fail(ctx, -EPROTO,
					 "not a tcchain stage: no tcc_abi_version (build it with <tcchain.h>)");
		if (n_typed && !r.data)
			return tcc__fail(ctx, -ENOENT,
					 "param %s: the program has no params (no const volatile globals%s)",
					 typed[0].name, r.btf ? "" : ", or no BTF: compile it with -g");
		goto params;
	}
	memcpy(&abi, ptr, 4);
	if (abi != TCC_ABI_VERSION)
		return tcc__fail(ctx, -EPROTO,
				 "built against SDK ABI v%u, this tcchain speaks v%d (rebuild the stage)",
				 abi, TCC_ABI_VERSION);
	err = rodata_var(&r, "tcc_slot", &ptr, &t, &size);
	if (err || size != 4)
		return tcc__fail(ctx, -EPROTO, "not a tcchain stage: no tcc_slot");
	memcpy(ptr, &slot, 4);

params:
	if (n > TCC_MAX_PARAMS)
		return tcc__fail(ctx, -E2BIG, "more than %d params", TCC_MAX_PARAMS);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++)
			if (!strcmp(typed[i].name, typed[j].name))
				return tcc__fail(ctx, -EINVAL, "param %s given twice",
						 typed[i].name);
		params[i] = typed[i];
		/* What show and save print: the params as typed. */
		used += snprintf(summary + used, used < summary_len ? summary_len - used : 0,
				 "%s%s=%s", i ? " " : "", typed[i].name, typed[i].value);
	}
	if (used >= summary_len)
		return tcc__fail(ctx, -E2BIG, "the params take more than %zu characters",
				 summary_len - 1);
	/* The stage's own words (ratelimit's rate units), by what the
	 * program is, not what its file is called; a foreign program that
	 * happens to share a stage's name is not that stage. */
	if (kind && kind->params && !(flags & TCC_STAGE_F_FOREIGN)) {
		err = kind->params(ctx, params, &n, ARRAY_SIZE(params), text, sizeof(text));
		if (err)
			return err;
	}
	for (size_t i = 0; i < n; i++) {
		err = set_param(ctx, &r, &params[i]);
		if (err)
			return err;
	}
	return 0;
}
