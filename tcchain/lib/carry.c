// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A stage's own maps across an in-place replace.  `stage set` on an
 * occupied slot (an upgrade, a new param) gives the new program the old
 * stage's maps when their name and definition are unchanged, so what
 * `map set` configured, and the state the stage keeps, carry over with
 * the program swap: the one prog-array update that swaps the program is
 * also the moment the maps change hands, and they never do.  A map whose
 * definition changed is refused, naming the map and the difference,
 * unless the caller asks for fresh maps.  The stage's globals (.rodata,
 * .data, .bss: its params and scalars) are always fresh.
 *
 * A map that asks to be pinned by name (LIBBPF_PIN_BY_NAME) would be
 * shared by every chain in every namespace and outlive `stage del`; here
 * it is the stage's own like any other (kept per slot, carried over on
 * replace), so the attribute is dropped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

/* The name of a BTF type, through typedefs and modifiers, or "". */
static const char *type_name(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;

	if (!btf || !id)
		return "";
	id = btf__resolve_type(btf, id);
	t = btf__type_by_id(btf, id);
	return t ? btf__name_by_offset(btf, t->name_off) ?: "" : "";
}

/* Why old (a live map) cannot serve as m, in why; 0 when it can. */
static int map_differs(const struct bpf_object *obj, const struct bpf_map *m, int old,
		       char *why, size_t len)
{
	struct bpf_map_info info = {};
	__u32 ilen = sizeof(info);
	struct btf *kbtf = NULL;
	const char *a, *b;

	if (bpf_obj_get_info_by_fd(old, &info, &ilen))
		return -errno;
	if (info.type != bpf_map__type(m))
		snprintf(why, len, "type %s -> %s", libbpf_bpf_map_type_str(info.type) ?: "?",
			 libbpf_bpf_map_type_str(bpf_map__type(m)) ?: "?");
	else if (info.key_size != bpf_map__key_size(m))
		snprintf(why, len, "key size %u -> %u", info.key_size, bpf_map__key_size(m));
	else if (info.value_size != bpf_map__value_size(m))
		snprintf(why, len, "value size %u -> %u", info.value_size, bpf_map__value_size(m));
	else if (info.max_entries != bpf_map__max_entries(m))
		snprintf(why, len, "max_entries %u -> %u", info.max_entries,
			 bpf_map__max_entries(m));
	else if (info.map_flags != bpf_map__map_flags(m))
		snprintf(why, len, "flags 0x%x -> 0x%x", info.map_flags, bpf_map__map_flags(m));
	if (*why)
		return 1;
	if (info.btf_id)
		kbtf = btf__load_from_kernel_by_id(info.btf_id);
	a = type_name(kbtf, info.btf_value_type_id);
	b = type_name(bpf_object__btf(obj), bpf_map__btf_value_type_id(m));
	if (*a && *b && strcmp(a, b))
		snprintf(why, len, "value type %s -> %s", a, b);
	a = type_name(kbtf, info.btf_key_type_id);
	b = type_name(bpf_object__btf(obj), bpf_map__btf_key_type_id(m));
	if (!*why && *a && *b && strcmp(a, b))
		snprintf(why, len, "key type %s -> %s", a, b);
	btf__free(kbtf);
	return *why ? 1 : 0;
}

int tcc__maps_carry(struct tcc_ctx *ctx, const struct tcc_chain *c, __u32 slot,
		    struct bpf_object *obj, bool occupied, bool fresh,
		    char *kept, size_t kept_len)
{
	struct bpf_map *m;
	size_t used = 0;

	kept[0] = '\0';
	bpf_object__for_each_map(m, obj) {
		char name[BPF_OBJ_NAME_LEN * 2], why[128] = "";
		int old, err;

		/* A copy: bpf_map__reuse_fd() replaces the map's name. */
		snprintf(name, sizeof(name), "%s", bpf_map__name(m));
		if (bpf_map__is_internal(m) || tcc__is_shared_map(name))
			continue;
		bpf_map__set_pin_path(m, NULL);
		if (!occupied || fresh)
			continue;
		old = tcc_stage_map_fd(c, slot, name);
		if (old < 0)
			continue;	/* a map the old stage did not have: new */
		err = map_differs(obj, m, old, why, sizeof(why));
		if (!err)
			err = bpf_map__reuse_fd(m, old);
		close(old);
		if (err > 0)
			return tcc__fail(ctx, -EINVAL, "map %s changed (%s): its entries cannot carry "
					 "over; add 'maps fresh' to start with empty maps", name, why);
		if (err)
			return tcc__fail(ctx, err, "cannot keep map %s", name);
		used += snprintf(kept + used, used < kept_len ? kept_len - used : 0, "%s%s",
				 used ? " " : "", name);
	}
	return 0;	/* snprintf cut the list, if it had to, at kept_len */
}
