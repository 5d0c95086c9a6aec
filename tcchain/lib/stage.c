// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Stages: load an object against a chain's maps and put it in a slot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

#define VERIFIER_LOG_SIZE	(4U << 20)

/*
 * bpffs refuses names with a dot, so libbpf's "obj.rodata" style names of
 * global-data maps are pinned by their section: rodata, data, bss.
 */
const char *tcc__map_pin_name(const struct bpf_map *m)
{
	const char *name = bpf_map__name(m), *dot = strrchr(name, '.');

	return bpf_map__is_internal(m) && dot ? dot + 1 : name;
}

void tcc__drop_maps(struct tcc_chain *c, __u32 slot)
{
	for (int i = 0; i < c->n_kept[slot]; i++)
		close(c->kept[slot][i].fd);
	free(c->kept[slot]);
	c->kept[slot] = NULL;
	c->n_kept[slot] = 0;
}

/*
 * In-memory chains keep their stages' maps as fds.  Duplicated before the
 * commit (it can fail), installed after it (it cannot).
 */
struct kept {
	struct tcc_kept_map *k;
	int n;
};

static void kept_free(struct kept *kp)
{
	for (int i = 0; i < kp->n; i++)
		close(kp->k[i].fd);
	free(kp->k);
	kp->k = NULL;
	kp->n = 0;
}

static int kept_dup(struct bpf_object *obj, struct kept *kp)
{
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, obj)
		n++;
	kp->n = 0;
	kp->k = calloc(n ?: 1, sizeof(*kp->k));
	if (!kp->k)
		return -ENOMEM;
	bpf_object__for_each_map(m, obj) {
		int fd = dup(bpf_map__fd(m));

		if (fd < 0) {
			fd = -errno;
			kept_free(kp);
			return fd;
		}
		snprintf(kp->k[kp->n].name, sizeof(kp->k[kp->n].name), "%s",
			 tcc__map_pin_name(m));
		kp->k[kp->n++].fd = fd;
	}
	return 0;
}

static void kept_install(struct tcc_chain *c, __u32 slot, struct kept *kp)
{
	tcc__drop_maps(c, slot);
	c->kept[slot] = kp->k;
	c->n_kept[slot] = kp->n;
	kp->k = NULL;
	kp->n = 0;
}

int tcc__kept_map_fd(const struct tcc_chain *c, __u32 slot, const char *name)
{
	for (int i = 0; i < c->n_kept[slot]; i++)
		if (!strcmp(c->kept[slot][i].name, name))
			return dup(c->kept[slot][i].fd);
	return -ENOENT;
}

static const char *const shared_maps[] = {
	TCC_MAP_PROGS, TCC_MAP_CONFIG, TCC_MAP_SCRATCH, TCC_MAP_STATS, TCC_MAP_TRACE,
};

bool tcc__is_shared_map(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(shared_maps); i++)
		if (!strcmp(name, shared_maps[i]))
			return true;
	return false;
}

/* Point the stage's declarations of the shared maps at the chain's maps. */
static int bind_shared_maps(struct tcc_ctx *ctx, struct bpf_object *obj,
			    const struct tcc_chain *chain)
{
	struct bpf_map *m;
	int err;

	bpf_object__for_each_map(m, obj) {
		const char *name = bpf_map__name(m);
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (!tcc__is_shared_map(name))
			continue;
		fd = tcc_chain_map_fd(chain, name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		if (bpf_map__type(m) != info.type || bpf_map__key_size(m) != info.key_size ||
		    bpf_map__value_size(m) != info.value_size ||
		    bpf_map__max_entries(m) != info.max_entries)
			return tcc__fail(ctx, -EPROTO,
					 "map %s does not match the chain's (value size %u, want %u): built against another SDK",
					 name, bpf_map__value_size(m), info.value_size);
		err = bpf_map__reuse_fd(m, fd);
		if (err)
			return err;
	}
	return 0;
}

static void slot_dir(const struct tcc_chain *c, __u32 slot, const char *suffix,
		     char *buf, size_t len)
{
	snprintf(buf, len, "%s/" TCC_PIN_SLOT_FMT "%s", c->pin_dir, slot, suffix);
}

static int pin_stage(struct bpf_object *obj, int prog_fd, const char *dir)
{
	char maps[PATH_MAX];
	struct bpf_map *m;
	int err;

	snprintf(maps, sizeof(maps), "%s/" TCC_PIN_SLOT_MAPS, dir);
	err = tcc__mkdir_p(maps);
	if (err)
		return err;
	err = tcc__pin_at(prog_fd, dir, TCC_PIN_SLOT_PROG);
	if (err)
		return err;
	bpf_object__for_each_map(m, obj) {
		if (tcc__is_shared_map(bpf_map__name(m)))
			continue;
		err = tcc__pin_at(bpf_map__fd(m), maps, tcc__map_pin_name(m));
		if (err)
			return err;
	}
	return 0;
}

static void meta_fill(struct tcc_meta *m, const char *file, struct bpf_program *prog,
		      int prog_fd, const char *params, unsigned int flags)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	char *abs = realpath(file, NULL);

	memset(m, 0, sizeof(*m));
	if (!bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		m->prog_id = info.id;
	m->loaded = time(NULL);
	m->flags = flags;
	snprintf(m->prog, sizeof(m->prog), "%s", bpf_program__name(prog));
	snprintf(m->file, sizeof(m->file), "%s", abs ? abs : file);
	snprintf(m->params, sizeof(m->params), "%s", params);
	free(abs);
}

/* Start of every slot change: a slot in range; for pinned chains the lock,
 * and under it the proof that the chain is still there and attached.
 */
static int slot_begin(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot, int *lock)
{
	int err;

	tcc__clear(ctx);
	*lock = -1;
	if (slot >= TCC_MAX_SLOTS)
		return tcc__fail(ctx, -ERANGE, "slot %u is out of range (0..%d)",
				 slot, TCC_MAX_SLOTS - 1);
	if (c->pin_dir) {
		*lock = tcc__lock_ctx(ctx);
		if (*lock < 0)
			return *lock;
		err = tcc__chain_check(ctx, c);
		/* what a killed tcchain left (repair.c) */
		if (!err && (err = tcc__repair_chain(c)))
			tcc__fail(ctx, err, "cannot finish what an interrupted tcchain left in %s: %s",
				  c->pin_dir, strerror(-err));
		if (err) {
			tcc__unlock(*lock);
			*lock = -1;
			return err;
		}
	}
	return 0;
}

/*
 * A generation keeps an unchanged stage's state: its own maps (not the
 * global-data ones, which hold its params) are those of slot from_slot
 * of chain from.
 */
static int reuse_own_maps(struct bpf_object *obj, const struct tcc_chain *from, __u32 from_slot)
{
	struct bpf_map *m;
	int fd, err;

	bpf_object__for_each_map(m, obj) {
		if (tcc__is_shared_map(bpf_map__name(m)) || bpf_map__is_internal(m))
			continue;
		fd = tcc_stage_map_fd(from, from_slot, tcc__map_pin_name(m));
		if (fd < 0)
			continue;	/* a map the old stage did not have: new */
		err = bpf_map__reuse_fd(m, fd);
		close(fd);
		if (err)
			return err;
	}
	return 0;
}

int tcc_stage_set(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
		  const struct tcc_stage_opts *opts)
{
	return tcc__stage_set_maps(ctx, c, slot, opts, NULL, 0);
}

int tcc__stage_set_maps(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot,
			const struct tcc_stage_opts *opts,
			const struct tcc_chain *maps_from, __u32 from_slot)
{
	char newdir[PATH_MAX] = "", curdir[PATH_MAX], olddir[PATH_MAX];
	char params[sizeof(((struct tcc_meta *)0)->params)] = "";
	char kept_maps[sizeof(((struct tcc_meta *)0)->kept_maps)];
	struct bpf_object *obj = NULL;
	struct bpf_program *prog = NULL;
	struct tcc_meta meta, prev;
	struct kept kept = {};
	bool had_prev, moved_old = false;
	char object[PATH_MAX];
	unsigned int flags = 0;
	char *log = NULL;
	int lock = -1, err, prog_fd;
	__u32 old_id, unparsed;
	struct stat st;

	/* C source is compiled first, outside the lock: clang takes a
	 * while, and a compile error changes nothing.
	 */
	if (tcc_stage_is_source(opts->file)) {
		tcc__clear(ctx);
		err = tcc__check_source(ctx, opts->file);
		if (err)
			return err;
		err = tcc_stage_compile(ctx, opts->file, object, sizeof(object));
		if (err)
			return err;
		flags |= TCC_STAGE_F_SOURCE;
	} else {
		snprintf(object, sizeof(object), "%s", opts->file);
	}
	err = slot_begin(ctx, c, slot, &lock);
	if (err)
		return err;
	err = tcc__check_file(ctx, object);
	if (err)
		goto out;

	obj = bpf_object__open_file(object, NULL);
	if (!obj) {
		err = -errno;
		if (tcc_ctx_detail(ctx) && strstr(tcc_ctx_detail(ctx), "BTF is required"))
			tcc__fail(ctx, err, "the object has no BTF, which its maps need: "
				  "compile it with -g (clang -O2 -g -target bpf)");
		else if (!tcc_ctx_detail(ctx))
			tcc__fail(ctx, err, "not a BPF object libbpf can open");
		goto out;
	}
	err = tcc__pick_prog(ctx, obj, opts->prog, &prog);
	if (err)
		goto out;
	flags |= tcc__stage_probe(obj, bpf_program__name(prog));
	err = tcc__foreign_check(ctx, c, slot, bpf_program__name(prog), flags);
	if (err)
		goto out;
	err = tcc__params_apply(ctx, obj, bpf_program__name(prog), flags, opts->params,
				opts->n_params, slot, params, sizeof(params));
	if (err)
		goto out;
	err = bind_shared_maps(ctx, obj, c);
	if (!err)
		err = tcc__maps_carry(ctx, c, slot, obj, tcc__slot_prog_id(c, slot) != 0,
				      opts->fresh_maps, kept_maps, sizeof(kept_maps));
	if (err)
		goto out;
	if (maps_from) {
		err = reuse_own_maps(obj, maps_from, from_slot);
		if (err)
			goto out;
	}

	/* With a log buffer and level 0, libbpf loads quietly and reloads
	 * with level 1 only when the verifier says no.
	 */
	log = calloc(1, VERIFIER_LOG_SIZE);
	if (!log) {
		err = -ENOMEM;
		goto out;
	}
	bpf_program__set_log_buf(prog, log, VERIFIER_LOG_SIZE);
	err = bpf_object__load(obj);
	if (err) {
		if (log[0]) {
			char reason[768];

			tcc__verifier_reason(log, reason, sizeof(reason));
			tcc__fail(ctx, err, "verifier: %s", reason);
			tcc__refused(ctx, err);
			tcc__set_log(ctx, log);
		} else if (!tcc_ctx_detail(ctx)) {
			tcc__fail(ctx, err, "load failed");
			tcc__refused(ctx, err);
		}
		goto out;
	}
	prog_fd = bpf_program__fd(prog);

	if (c->pin_dir) {
		slot_dir(c, slot, TCC_PIN_SLOT_NEW, newdir, sizeof(newdir));
		tcc__rm_rf(newdir);
		err = pin_stage(obj, prog_fd, newdir);
		if (err)
			goto out;
		/* maps carried over: so are the entries map set recorded */
		if (kept_maps[0])
			tcc__record_carry(c, slot, newdir);
	} else {
		err = kept_dup(obj, &kept);
		if (err)
			goto out;
	}

	/* What show prints and where the stage's counts start.  A stage in
	 * an empty slot counts from now: its baseline is taken before next[]
	 * links it in, so no packet has reached it yet.  A replaced stage
	 * keeps the old baseline, so a live swap loses no count.
	 */
	old_id = tcc__slot_prog_id(c, slot);
	had_prev = !tcc__meta_read(c, slot, &prev);
	meta_fill(&meta, opts->file, prog, prog_fd, params, flags);
	snprintf(meta.kept_maps, sizeof(meta.kept_maps), "%s", kept_maps);
	/* A foreign stage counts nothing, so its packets and an SDK
	 * stage's cannot share a baseline: a swap between the two starts
	 * the slot's counts over (else the foreign stage's packets would
	 * read as the new stage's `next`).
	 */
	if (old_id && had_prev && !((prev.flags ^ flags) & TCC_STAGE_F_FOREIGN)) {
		meta.base_arrived = prev.base_arrived;
		meta.base_arrived_bytes = prev.base_arrived_bytes;
		meta.base = prev.base;
	} else if (!old_id || had_prev) {
		err = tcc__stats_baseline(c, slot, &meta);
		if (err)
			goto out;
	}

	/* Everything that can fail happens before the commit: the new
	 * stage's pins go in place (the old ones aside) and its meta row is
	 * written; a failed commit puts both back.
	 */
	err = tcc__undo_save(c, slot);	/* from here on repair.c can undo */
	if (err)
		goto out;
	if (c->pin_dir) {
		slot_dir(c, slot, "", curdir, sizeof(curdir));
		slot_dir(c, slot, TCC_PIN_SLOT_OLD, olddir, sizeof(olddir));
		tcc__rm_rf(olddir);
		moved_old = !stat(curdir, &st);
		if (moved_old && rename(curdir, olddir)) {
			err = -errno;
			goto out;
		}
		if (rename(newdir, curdir)) {
			err = -errno;
			goto undo_pins;
		}
		newdir[0] = '\0';
	}
	unparsed = tcc__unparsed_mask(c);
	err = tcc__meta_write(c, slot, &meta);
	if (err)
		goto undo_pins;

	/* The commit: the new program goes in at its slot's index, then at
	 * the holes before it (dispatch.c), the one index a packet reaches
	 * last.  A packet runs either the old program of this slot or the
	 * new one; both continue at slot + 1.  Only the first write can
	 * fail in practice (a program the array refuses); a later failure
	 * is put back from the old meta row all the same.
	 */
	err = tcc__dispatch_link(c, slot, prog_fd);
	if (err) {
		if (had_prev)
			tcc__meta_write(c, slot, &prev);
		tcc__dispatch_rebuild(c);
		goto undo_pins;
	}

	/* After the commit nothing fails: the command has happened. */
	if (!old_id)
		tcc__next_rebuild(c, TCC_MAX_SLOTS);
	if (flags & TCC_STAGE_F_FOREIGN)
		tcc__note(ctx, "'%s' is not a tcchain stage (no TCC_STAGE): loaded as a foreign, "
			  "terminal stage; its verdict ends the chain and tcchain does not count it",
			  bpf_program__name(prog));
	tcc__unparsed_warn(ctx, c, unparsed);
	if (!c->pin_dir)
		kept_install(c, slot, &kept);
	else if (tcc__rm_rf(olddir))
		tcc__warn(ctx, "the new stage runs; the old one's pins stay in %s until the next set",
			  olddir);
	tcc__undo_clear(c);
	goto out;

undo_pins:
	if (c->pin_dir) {
		if (!newdir[0]) {
			slot_dir(c, slot, TCC_PIN_SLOT_NEW, newdir, sizeof(newdir));
			rename(curdir, newdir);
		}
		if (moved_old)
			rename(olddir, curdir);
	}
	tcc__undo_clear(c);
out:
	if (newdir[0])
		tcc__rm_rf(newdir);
	kept_free(&kept);
	bpf_object__close(obj);
	free(log);
	tcc__unlock(lock);
	return err;
}

int tcc_stage_del(struct tcc_ctx *ctx, struct tcc_chain *c, __u32 slot)
{
	char dir[PATH_MAX];
	struct tcc_meta empty = {};
	int lock = -1, err = 0;
	__u32 unparsed;

	err = slot_begin(ctx, c, slot, &lock);
	if (err)
		return err;
	if (!tcc__slot_prog_id(c, slot)) {
		err = tcc__fail(ctx, -ENOENT, "slot %u is empty", slot);
		goto out;
	}
	/* What the stage added to the chain's totals stays (stats.c).  Before
	 * anything changes, so a failure leaves nothing to undo; idempotent,
	 * so a kill after it and the repair's undo change nothing. */
	err = tcc__stats_retire(c, slot);
	if (err)
		goto out;
	/* The indices that led to the stage lead past it (dispatch.c): a
	 * packet already in the stage continues at slot + 1, one that
	 * reaches the index after the write runs the next stage.
	 */
	unparsed = tcc__unparsed_mask(c);
	err = tcc__undo_save(c, slot);	/* from here on repair.c can undo */
	if (err)
		goto out;
	tcc__next_rebuild(c, slot);
	/* The commit point. */
	err = tcc__dispatch_unlink(c, slot);
	if (err) {
		tcc__dispatch_rebuild(c);
		tcc__undo_clear(c);
		goto out;
	}
	tcc__meta_write(c, slot, &empty);
	tcc__unparsed_warn(ctx, c, unparsed);
	tcc__drop_maps(c, slot);
	/* Past the commit point: pins that stay are a warning. */
	if (c->pin_dir) {
		slot_dir(c, slot, "", dir, sizeof(dir));
		if (tcc__rm_rf(dir))
			tcc__warn(ctx, "the stage is gone but some of its pins stay in %s", dir);
	}
	tcc__undo_clear(c);
out:
	tcc__unlock(lock);
	return err;
}

int tcc_stage_info(const struct tcc_chain *c, __u32 slot, struct tcc_stage_info *info)
{
	struct tcc_meta m;
	int err;

	if (slot >= TCC_MAX_SLOTS)
		return -ERANGE;
	memset(info, 0, sizeof(*info));
	info->slot = slot;
	info->prog_id = tcc__slot_prog_id(c, slot);
	if (!info->prog_id)
		return -ENOENT;
	err = tcc__meta_read(c, slot, &m);
	if (err)
		return err;
	snprintf(info->prog, sizeof(info->prog), "%s", m.prog);
	snprintf(info->file, sizeof(info->file), "%s", m.file);
	snprintf(info->params, sizeof(info->params), "%s", m.params);
	snprintf(info->kept_maps, sizeof(info->kept_maps), "%s", m.kept_maps);
	info->loaded = m.loaded;
	info->flags = m.flags;
	if (!strcmp(m.prog, "parse"))
		info->flags |= TCC_STAGE_F_FILLS_PKT;
	if ((m.flags & TCC_STAGE_F_SOURCE) &&
	    tcc_stage_cache_path(m.file, info->object, sizeof(info->object)))
		info->object[0] = '\0';
	return 0;
}

int tcc_stage_map_fd(const struct tcc_chain *c, __u32 slot, const char *name)
{
	char dir[PATH_MAX];

	if (slot >= TCC_MAX_SLOTS)
		return -ERANGE;
	if (!c->pin_dir)
		return tcc__kept_map_fd(c, slot, name);
	slot_dir(c, slot, "/" TCC_PIN_SLOT_MAPS, dir, sizeof(dir));
	return tcc__obj_get_at(dir, name);
}
