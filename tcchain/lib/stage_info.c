// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * What the kernel knows of a loaded stage (tcchain stage info): its
 * program's tag, sizes and verifier figures, and its own maps with their
 * ids and pins.  What tcchain itself recorded is tcc_stage_info().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"

struct maps_arg {
	const struct tcc_chain *c;
	__u32 slot;
	struct tcc_stage_kinfo *out;
	int err;
};

static int map_cb(const char *name, void *arg)
{
	struct maps_arg *a = arg;
	struct tcc_stage_kinfo *k = a->out;
	struct tcc_stage_map_kinfo *mi;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct tcc_map m;
	int err;

	if (k->n_maps == TCC_STAGE_MAPS_MAX) {
		k->more_maps = true;
		return 0;
	}
	err = tcc_map_open(a->c, a->slot, name, &m);
	if (err)
		return err == -ENOENT ? 0 : err;	/* gone since the listing */
	mi = &k->maps[k->n_maps];
	memset(mi, 0, sizeof(*mi));
	snprintf(mi->name, sizeof(mi->name), "%s", name);
	mi->type = m.type;
	mi->key_size = m.key_size;
	mi->value_size = m.value_size;
	mi->max_entries = m.max_entries;
	mi->per_cpu = m.ncpu > 0;
	if (!bpf_obj_get_info_by_fd(m.fd, &info, &len))
		mi->id = info.id;
	tcc_map_close(&m);
	if (a->c->pin_dir &&
	    (size_t)snprintf(mi->pin, sizeof(mi->pin), "%s/" TCC_PIN_SLOT_FMT "/" TCC_PIN_SLOT_MAPS "/%s",
			     a->c->pin_dir, a->slot, name) >= sizeof(mi->pin))
		mi->pin[0] = '\0';
	k->n_maps++;
	return 0;
}

int tcc_stage_kinfo(const struct tcc_chain *c, __u32 slot, struct tcc_stage_kinfo *out)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), id;
	struct maps_arg a = { .c = c, .slot = slot, .out = out };
	int fd, err;

	if (slot >= TCC_MAX_SLOTS)
		return -ERANGE;
	memset(out, 0, sizeof(*out));
	id = tcc__slot_prog_id(c, slot);
	if (!id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return err;
	for (int i = 0; i < BPF_TAG_SIZE; i++)
		snprintf(out->tag + 2 * i, 3, "%02x", info.tag[i]);
	out->xlated_len = info.xlated_prog_len;
	out->jited_len = info.jited_prog_len;
	out->verified_insns = info.verified_insns;
	out->btf_id = info.btf_id;
	if (c->pin_dir &&
	    (size_t)snprintf(out->pin, sizeof(out->pin), "%s/" TCC_PIN_SLOT_FMT "/" TCC_PIN_SLOT_PROG,
			     c->pin_dir, slot) >= sizeof(out->pin))
		out->pin[0] = '\0';
	err = tcc_stage_maps(c, slot, map_cb, &a);
	/* a stage with no maps of its own has no maps directory */
	return err == -ENOENT ? 0 : err;
}
