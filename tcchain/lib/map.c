// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* A stage's own maps: find them, read them with per-CPU values summed. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

int tcc_stage_maps(const struct tcc_chain *c, __u32 slot,
		   int (*cb)(const char *name, void *arg), void *arg)
{
	char dir[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (slot >= TCC_MAX_SLOTS)
		return -ERANGE;
	if (!c->pin_dir) {
		for (int i = 0; i < c->n_kept[slot] && !err; i++)
			err = cb(c->kept[slot][i].name, arg);
		return err;
	}
	if (path_fmt(dir, "%s/" TCC_PIN_SLOT_FMT "/" TCC_PIN_SLOT_MAPS, c->pin_dir, slot))
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d)))
		if (de->d_name[0] != '.')
			err = cb(de->d_name, arg);
	closedir(d);
	return err;
}

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY || type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

int tcc_map_open(const struct tcc_chain *c, __u32 slot, const char *name, struct tcc_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = tcc_stage_map_fd(c, slot, name);
	if (m->fd < 0)
		return m->fd;
	if (bpf_obj_get_info_by_fd(m->fd, &info, &len)) {
		err = -errno;
		close(m->fd);
		return err;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = info.type;
	m->key_size = info.key_size;
	m->value_size = info.value_size;
	m->max_entries = info.max_entries;
	m->key_type_id = info.btf_key_type_id;
	m->value_type_id = info.btf_value_type_id;
	if (is_percpu(info.type))
		m->ncpu = libbpf_num_possible_cpus();
	if (info.btf_id)
		m->btf = btf__load_from_kernel_by_id(info.btf_id);
	if (m->btf && (!m->key_type_id || !m->value_type_id)) {
		/* global-data maps: only the value (the datasec) has a type */
		if (!m->value_type_id) {
			btf__free(m->btf);
			m->btf = NULL;
		}
	}
	return 0;
}

void tcc_map_close(struct tcc_map *m)
{
	if (m->fd >= 0)
		close(m->fd);
	btf__free(m->btf);
	m->fd = -1;
	m->btf = NULL;
}

/* Add src's integer fields into dst: per-CPU counters become totals. */
static int sum_ints(const struct btf *btf, __u32 id, void *dst, const void *src)
{
	const struct btf_type *t;
	__s32 r = btf__resolve_type(btf, id);

	if (r < 0)
		return 0;
	t = btf__type_by_id(btf, r);
	if (btf_is_int(t)) {
		__u64 a = 0, b = 0;

		memcpy(&a, dst, t->size);
		memcpy(&b, src, t->size);
		a += b;
		memcpy(dst, &a, t->size);
	} else if (btf_is_struct(t)) {
		const struct btf_member *mb = btf_members(t);

		for (int i = 0; i < btf_vlen(t); i++, mb++) {
			__u32 off = btf_member_bit_offset(t, i) / 8;

			sum_ints(btf, mb->type, (char *)dst + off, (const char *)src + off);
		}
	} else if (btf_is_array(t)) {
		const struct btf_array *a = btf_array(t);
		__s64 es = btf__resolve_size(btf, a->type);

		for (__u32 i = 0; es > 0 && i < a->nelems; i++)
			sum_ints(btf, a->type, (char *)dst + i * es, (const char *)src + i * es);
	}
	return 0;
}

int tcc_map_lookup(const struct tcc_map *m, const void *key, void *value)
{
	size_t stride = (m->value_size + 7) & ~7U;
	char *all;
	int err = 0;

	if (!m->ncpu)
		return bpf_map_lookup_elem(m->fd, key, value) ? -errno : 0;
	all = calloc(m->ncpu, stride);
	if (!all)
		return -ENOMEM;
	if (bpf_map_lookup_elem(m->fd, key, all)) {
		err = -errno;
		goto out;
	}
	memcpy(value, all, m->value_size);
	for (int cpu = 1; cpu < m->ncpu && m->btf; cpu++)
		sum_ints(m->btf, m->value_type_id, value, all + cpu * stride);
out:
	free(all);
	return err;
}

int tcc_map_update(const struct tcc_map *m, const void *key, const void *value)
{
	size_t stride = (m->value_size + 7) & ~7U;
	char *all;
	int err = 0;

	if (!m->ncpu)
		return bpf_map_update_elem(m->fd, key, value, BPF_ANY) ? -errno : 0;
	all = calloc(m->ncpu, stride);
	if (!all)
		return -ENOMEM;
	for (int cpu = 0; cpu < m->ncpu; cpu++)
		memcpy(all + cpu * stride, value, m->value_size);
	if (bpf_map_update_elem(m->fd, key, all, BPF_ANY))
		err = -errno;
	free(all);
	return err;
}
