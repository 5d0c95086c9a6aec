// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A stage's own maps: find them, read them with per-CPU counters summed,
 * write them so that what is written reads back the same.
 */
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
	int fd = tcc_stage_map_fd(c, slot, name);

	if (fd < 0) {
		memset(m, 0, sizeof(*m));
		m->fd = -1;
		return fd;
	}
	return tcc_map_from_fd(fd, name, m);
}

int tcc_map_from_fd(int fd, const char *name, struct tcc_map *m)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int err;

	memset(m, 0, sizeof(*m));
	m->fd = fd;
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
		tcc__btf_sum_counters(m->btf, m->value_type_id, value, all + cpu * stride);
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
	/*
	 * Read back is a sum of the counters over CPUs and CPU 0 for the
	 * rest: so CPU 0 gets the value, and the other CPUs everything but
	 * the counters, which they start again from zero.
	 */
	for (int cpu = 0; cpu < m->ncpu; cpu++) {
		memcpy(all + cpu * stride, value, m->value_size);
		if (cpu && m->btf)
			tcc__btf_sum_counters(m->btf, m->value_type_id, all + cpu * stride, NULL);
	}
	if (bpf_map_update_elem(m->fd, key, all, BPF_ANY))
		err = -errno;
	free(all);
	return err;
}
