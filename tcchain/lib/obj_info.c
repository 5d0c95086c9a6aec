// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Know a stage before loading it: what an object file holds (programs,
 * params with types and defaults, its own maps, the SDK ABI), and with
 * check, what the verifier says of it against a throwaway chain in
 * memory: no pin, no filter, no real chain touched.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/value.h"

static const char *type_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf ? btf__type_by_id(btf, id) : NULL;
	const char *n;

	/* const volatile __u32: the type is __u32 */
	while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t)))
		t = btf__type_by_id(btf, t->type);
	n = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	if (t && btf_is_array(t))
		return "array";
	return n && *n ? n : t && btf_is_struct(t) ? "struct" : "?";
}

/* The .rodata variables: the ABI version and the params, with defaults. */
static void obj_params(struct bpf_object *obj, struct tcc_obj_info *oi)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	const char *data = NULL;
	struct bpf_map *m;
	size_t size = 0;
	__s32 id;

	if (!btf || (id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC)) < 0)
		return;
	bpf_object__for_each_map(m, obj) {
		const char *n = bpf_map__name(m);
		size_t l = strlen(n);

		if (bpf_map__is_internal(m) && l >= 7 && !strcmp(n + l - 7, ".rodata"))
			data = bpf_map__initial_value(m, &size);
	}
	if (!data)
		return;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);
		const char *name = btf__name_by_offset(btf, v->name_off);
		struct tcc_obj_param *p;

		if (vs->offset + vs->size > size)
			continue;
		if (!strcmp(name, "tcc_abi_version") && vs->size == 4) {
			memcpy(&oi->abi, data + vs->offset, 4);
			continue;
		}
		if (!strncmp(name, "tcc_", 4) || oi->n_params == TCC_OBJ_PARAMS_MAX)
			continue;
		p = &oi->params[oi->n_params++];
		snprintf(p->name, sizeof(p->name), "%s", name);
		snprintf(p->type, sizeof(p->type), "%s", type_name(btf, v->type));
		p->settable = tcc__value_is_leaf(btf, v->type);
		if (p->settable)
			tcc__value_format(btf, v->type, data + vs->offset, p->value, sizeof(p->value));
	}
}

static void obj_maps(struct bpf_object *obj, struct tcc_obj_info *oi)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj) {
		struct tcc_obj_map *om;

		if (bpf_map__is_internal(m) || tcc__is_shared_map(bpf_map__name(m)) ||
		    oi->n_maps == TCC_OBJ_MAPS_MAX)
			continue;
		om = &oi->maps[oi->n_maps++];
		snprintf(om->name, sizeof(om->name), "%s", bpf_map__name(m));
		om->type = bpf_map__type(m);
		om->key_size = bpf_map__key_size(m);
		om->value_size = bpf_map__value_size(m);
		om->max_entries = bpf_map__max_entries(m);
		snprintf(om->key_type, sizeof(om->key_type), "%s",
			 bpf_map__btf_key_type_id(m) ? type_name(btf, bpf_map__btf_key_type_id(m)) : "");
		snprintf(om->value_type, sizeof(om->value_type), "%s",
			 bpf_map__btf_value_type_id(m) ?
			 type_name(btf, bpf_map__btf_value_type_id(m)) : "");
	}
}

/* Load it in slot 0 of a chain that exists only in this process. */
static int obj_check(struct tcc_ctx *ctx, const char *file, const char *prog,
		     struct tcc_obj_info *oi)
{
	struct tcc_chain_opts co = {};
	struct tcc_stage_opts so = { .file = file, .prog = prog };
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct tcc_chain *c;
	int fd, err;

	c = tcc_chain_load(ctx, &co);
	if (!c)
		return -errno;
	err = tcc_stage_set(ctx, c, 0, &so);
	if (!err) {
		fd = bpf_prog_get_fd_by_id(tcc__slot_prog_id(c, 0));
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len)) {
			oi->verified_insns = info.verified_insns;
			oi->xlated_len = info.xlated_prog_len;
			oi->jited_len = info.jited_prog_len;
		}
		if (fd >= 0)
			close(fd);
	}
	tcc_chain_close(c);
	return err;
}

int tcc_obj_info(struct tcc_ctx *ctx, const char *file, const char *prog, bool check,
		 struct tcc_obj_info *oi)
{
	char object[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *p;
	int err;

	tcc__clear(ctx);
	memset(oi, 0, sizeof(*oi));
	/* C source is compiled into the stage cache, as stage set does */
	if (tcc_stage_is_source(file)) {
		err = tcc__check_source(ctx, file) ?:
		      tcc_stage_compile(ctx, file, object, sizeof(object));
	} else {
		snprintf(object, sizeof(object), "%s", file);
		err = tcc__check_file(ctx, file);
	}
	if (err)
		return err;
	obj = bpf_object__open_file(object, NULL);
	if (!obj) {
		err = -errno;
		if (!tcc_ctx_detail(ctx))
			tcc__fail(ctx, err, "not a BPF object libbpf can open");
		return err;
	}
	bpf_object__for_each_program(p, obj) {
		struct tcc_obj_prog *op;
		const char *type = libbpf_bpf_prog_type_str(bpf_program__type(p));

		if (oi->n_progs == TCC_OBJ_PROGS_MAX)
			break;
		op = &oi->progs[oi->n_progs++];
		snprintf(op->name, sizeof(op->name), "%s", bpf_program__name(p));
		snprintf(op->section, sizeof(op->section), "%s", bpf_program__section_name(p));
		snprintf(op->type, sizeof(op->type), "%s", type ? type : "?");
		op->foreign = tcc__stage_probe(obj, op->name) & TCC_STAGE_F_FOREIGN;
		if (prog && !strcmp(prog, op->name))
			oi->picked = oi->n_progs;
	}
	if (prog && !oi->picked) {
		bpf_object__close(obj);
		return tcc__fail(ctx, -ENOENT, "no program '%s' in %s", prog, file);
	}
	obj_params(obj, oi);
	obj_maps(obj, oi);
	bpf_object__close(obj);
	if (!check)
		return 0;
	oi->checked = true;
	oi->check_err = obj_check(ctx, file, prog, oi);
	return 0;
}
