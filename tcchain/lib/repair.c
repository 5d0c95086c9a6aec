// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Crash repair: a changing command killed halfway leaves the chain in its
 * old or its new state, never in between.
 *
 * Each change has one commit point in the kernel, and everything before it
 * is undone, everything after it finished, by the next tcchain that takes
 * the lock:
 *
 *   add        pins go to DIR-new; the filter is attached (commit); DIR-new
 *              is renamed DIR.  DIR-new whose entry runs on the hook rolls
 *              forward, any other DIR-new is removed.
 *   del        DIR is renamed DIR-del (commit: the chain is gone for every
 *              reader); the filter is deleted, the pins removed.  DIR-del
 *              is finished: the filter running its entry goes, then its pins.
 *   apply,     a generation is pinned in DIR-next, numbered after DIR;
 *   rollback   the filter runs its entry (commit); DIR-next and DIR are
 *              exchanged; the old one becomes DIR/prev.  Rollback moves
 *              DIR/prev to DIR-next first.  See repair_gen().
 *   stage set  the slot's meta row is saved in the undo row; the new pins go
 *   stage del  to slot-NN-new, the old ones aside to slot-NN-old; the
 *              prog-array update is the commit.  The prog array is the truth:
 *              of slot-NN, -old and -new the one pinning the program in the
 *              array stays, the others go; the meta row is the one that
 *              names that program (the undo row holds the old one); next[]
 *              is rebuilt from the array.
 *
 * Changing calls repair under the lock before they look at anything.
 * Readers (show, stats) repair only when the lock is free: markers seen
 * while another tcchain holds it are that command's work in progress.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

/* The id of the program pinned as NAME in dir; 0 when there is none. */
static __u32 pinned_prog_id(const char *dir, const char *name)
{
	int fd = tcc__obj_get_at(dir, name);
	__u32 id;

	if (fd < 0)
		return 0;
	id = tcc__prog_id(fd);
	close(fd);
	return id;
}

/* An add killed before or after its commit: roll forward or remove. */
static int repair_added(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d,
			const char *dir, const char *newdir)
{
	__u32 id = pinned_prog_id(newdir, TCC_PIN_ENTRY);
	int on_hook = 0;

	/* a hook that cannot be listed (device or clsact gone) runs nothing */
	if (id && !exists(dir))
		on_hook = tcc__hook_filter_of(ctx, ifindex, d, id, NULL);
	if (on_hook > 0 && !rename(newdir, dir))
		return 0;
	return tcc__rm_rf(newdir);
}

/* A del killed after its commit: finish it. */
static int repair_deleted(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, const char *deldir)
{
	struct tcc_nl_filter_info f;
	__u32 id = pinned_prog_id(deldir, TCC_PIN_ENTRY);
	int err;

	/* The filter goes before the pins: no entry pin, no filter. */
	if (id) {
		/* a hook that cannot be listed (device or clsact gone) runs nothing */
		err = tcc__hook_filter_of(ctx, ifindex, d, id, &f);
		if (err > 0) {
			err = tcc_nl_filter_del(tcc__nl(ctx), ifindex, tcc_nl_hook_parent(d),
						f.prio, f.handle);
			if (err && err != -ENOENT)
				return tcc__nl_fail(ctx, err);
		}
	}
	return tcc__rm_rf(deldir);
}

/*
 * A generation commit or rollback killed halfway (gen.c): DIR-next runs
 * (committed: exchange and settle), is older than DIR (the one that ran,
 * or a rollback not committed: settle into DIR/prev), or is newer and
 * does not run (never committed: removed).
 */
static int repair_gen(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, const char *dir,
		      const char *next)
{
	char older[PATH_MAX];
	__u32 id, n_next = 0, n_dir = 0;
	int err;

	if (exists(next)) {
		id = pinned_prog_id(next, TCC_PIN_ENTRY);
		if (id && tcc__hook_filter_of(ctx, ifindex, d, id, NULL) > 0)
			return tcc__gen_settle(dir, next, true);
		if (!tcc__gen_number_at(next, &n_next) && !tcc__gen_number_at(dir, &n_dir) &&
		    n_next < n_dir)
			return tcc__gen_settle(dir, next, false);
		err = tcc__rm_rf(next);
		if (err)
			return err;
	}
	if (!path_fmt(older, "%s/" TCC_PIN_GEN_PREV "/" TCC_PIN_GEN_PREV, dir) && exists(older))
		return tcc__rm_rf(older);
	return 0;
}

int tcc__repair_dev(struct tcc_ctx *ctx, int ifindex)
{
	char dir[PATH_MAX], side[PATH_MAX], devdir[PATH_MAX];
	int err;

	for (int d = TCC_INGRESS; d <= TCC_EGRESS; d++) {
		err = tcc__chain_dir(dir, sizeof(dir), ifindex, d);
		if (err)
			return err;
		if (!path_fmt(side, "%s" TCC_PIN_CHAIN_DEL, dir) && exists(side)) {
			err = repair_deleted(ctx, ifindex, d, side);
			if (err)
				return err;
		}
		if (!path_fmt(side, "%s" TCC_PIN_CHAIN_NEW, dir) && exists(side)) {
			err = repair_added(ctx, ifindex, d, dir, side);
			if (err)
				return err;
		}
		if (!path_fmt(side, "%s" TCC_PIN_CHAIN_NEXT, dir)) {
			if (exists(dir))
				err = repair_gen(ctx, ifindex, d, dir, side);
			else if (exists(side))	/* no chain, no generation */
				err = tcc__rm_rf(side);
			if (err)
				return err;
		}
	}
	/* The device's directory and clsact when no chain is left on it
	 * (an add killed before its pins, a del killed in its cleanup);
	 * cleanup keeps them while a chain is there.
	 */
	tcc__dev_dir(devdir, sizeof(devdir), dir);
	if (exists(devdir))
		tcc__dev_cleanup(ctx, ifindex, devdir);
	return 0;
}

bool tcc__dev_needs_repair(int ifindex)
{
	char dir[PATH_MAX], side[PATH_MAX];
	bool chains = false;

	for (int d = TCC_INGRESS; d <= TCC_EGRESS; d++) {
		if (tcc__chain_dir(dir, sizeof(dir), ifindex, d))
			return false;
		if ((!path_fmt(side, "%s" TCC_PIN_CHAIN_DEL, dir) && exists(side)) ||
		    (!path_fmt(side, "%s" TCC_PIN_CHAIN_NEW, dir) && exists(side)) ||
		    (!path_fmt(side, "%s" TCC_PIN_CHAIN_NEXT, dir) && exists(side)) ||
		    (!path_fmt(side, "%s/" TCC_PIN_GEN_PREV "/" TCC_PIN_GEN_PREV, dir) &&
		     exists(side)))
			return true;
		chains |= exists(dir);
	}
	/* a device directory with no chain: an add or del killed early or late */
	tcc__dev_dir(side, sizeof(side), dir);
	return !chains && exists(side);
}

/* The undo row: the meta row of the slot being changed, as it was. */
int tcc__undo_save(const struct tcc_chain *c, __u32 slot)
{
	struct tcc_meta u = {};

	if (!c->pin_dir || c->meta_rows <= TCC_META_UNDO)
		return 0;	/* in memory, or a chain pinned without one */
	if (tcc__meta_read(c, slot, &u))
		memset(&u, 0, sizeof(u));
	u.prio = slot + 1;
	return tcc__meta_write(c, TCC_META_UNDO, &u);
}

void tcc__undo_clear(const struct tcc_chain *c)
{
	static const struct tcc_meta none;

	if (c->pin_dir && c->meta_rows > TCC_META_UNDO)
		tcc__meta_write(c, TCC_META_UNDO, &none);
}

static void slot_path(const struct tcc_chain *c, __u32 slot, const char *suffix,
		      char *buf, size_t len)
{
	snprintf(buf, len, "%s/" TCC_PIN_SLOT_FMT "%s", c->pin_dir, slot, suffix);
}

/*
 * One slot: of slot-NN, slot-NN-old and slot-NN-new the one that pins the
 * program in the array stays (as slot-NN), the others go; a slot the
 * array holds no program for keeps no pins.  A slot-NN whose program is
 * not the array's while no side directory matches either is left alone:
 * that is not what a killed tcchain leaves.
 */
static int repair_slot_pins(const struct tcc_chain *c, __u32 slot, __u32 id)
{
	static const char *const sfx[] = { "", TCC_PIN_SLOT_OLD, TCC_PIN_SLOT_NEW };
	char path[3][PATH_MAX];
	int keep = -1, err = 0;

	for (int i = 0; i < 3; i++) {
		slot_path(c, slot, sfx[i], path[i], sizeof(path[i]));
		if (keep < 0 && id && exists(path[i]) &&
		    pinned_prog_id(path[i], TCC_PIN_SLOT_PROG) == id)
			keep = i;
	}
	if (keep < 0 && id)
		keep = exists(path[0]) ? 0 : -1;	/* not ours to judge */
	for (int i = 0; i < 3; i++)
		if (i != keep && exists(path[i]) && tcc__rm_rf(path[i]))
			err = -errno;
	if (keep > 0 && rename(path[keep], path[0]))
		err = -errno;
	return err;
}

/* The slot's meta row names the program in the array, or is empty. */
static int repair_slot_meta(const struct tcc_chain *c, __u32 slot, __u32 id,
			    const struct tcc_meta *undo)
{
	static const struct tcc_meta empty;
	struct tcc_meta m;

	if (tcc__meta_read(c, slot, &m))
		return -EIO;
	if (m.prog_id == id)
		return 0;
	if (undo && undo->prog_id == id) {
		struct tcc_meta old = *undo;

		old.prio = 0;
		return tcc__meta_write(c, slot, &old);
	}
	if (!id)
		return tcc__meta_write(c, slot, &empty);
	return 0;
}

static bool slot_side_dirs(const struct tcc_chain *c, __u32 *mask)
{
	size_t plen = 0;
	struct dirent *de;
	DIR *d;

	*mask = 0;
	d = opendir(c->pin_dir);
	if (!d)
		return false;
	plen = strlen("slot-NN");
	while ((de = readdir(d))) {
		unsigned int s;

		if (strncmp(de->d_name, "slot-", 5) || strlen(de->d_name) <= plen ||
		    sscanf(de->d_name, "slot-%2u", &s) != 1 || s >= TCC_MAX_SLOTS)
			continue;
		if (!strcmp(de->d_name + plen, TCC_PIN_SLOT_NEW) ||
		    !strcmp(de->d_name + plen, TCC_PIN_SLOT_OLD))
			*mask |= 1U << s;
	}
	closedir(d);
	return *mask != 0;
}

bool tcc__undo_pending(const struct tcc_chain *c, struct tcc_meta *undo)
{
	if (!c->pin_dir || c->meta_rows <= TCC_META_UNDO ||
	    tcc__meta_read(c, TCC_META_UNDO, undo))
		return false;
	return undo->prio > 0 && undo->prio <= TCC_MAX_SLOTS;
}

bool tcc__chain_needs_repair(const struct tcc_chain *c)
{
	struct tcc_meta undo;
	__u32 mask;

	if (!c->pin_dir || c->open_err)
		return false;
	return tcc__undo_pending(c, &undo) || slot_side_dirs(c, &mask);
}

int tcc__repair_chain(struct tcc_chain *c)
{
	struct tcc_meta undo;
	bool has_undo;
	__u32 mask;
	int err = 0, e;

	if (!c->pin_dir || c->open_err)
		return 0;
	has_undo = tcc__undo_pending(c, &undo);
	slot_side_dirs(c, &mask);
	if (has_undo)
		mask |= 1U << (undo.prio - 1);
	if (!mask)
		return 0;
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		__u32 id;

		if (!(mask & (1U << s)))
			continue;
		id = tcc__slot_prog_id(c, s);
		e = repair_slot_pins(c, s, id);
		err = err ?: e;
		e = repair_slot_meta(c, s, id, has_undo && undo.prio - 1 == s ? &undo : NULL);
		err = err ?: e;
	}
	/* the holes' indices and next[] follow the slots as repaired */
	e = tcc__dispatch_rebuild(c);
	err = err ?: e;
	if (!err)
		tcc__undo_clear(c);
	return err;
}

/*
 * For readers: repair what a killed tcchain left, if no tcchain is at
 * work now.  Whatever stops the repair (no lock, no rights) leaves the
 * reader to read what is there.
 */
void tcc__repair_if_idle(struct tcc_ctx *ctx, int ifindex, struct tcc_chain *c)
{
	char detail[sizeof(ctx->detail)];
	bool kernel = ctx->kernel;
	int lock;

	if (!(ifindex && tcc__dev_needs_repair(ifindex)) && !(c && tcc__chain_needs_repair(c)))
		return;
	lock = tcc__trylock();
	if (lock < 0)
		return;
	/* The reader's own messages are not the repair's. */
	memcpy(detail, ctx->detail, sizeof(detail));
	if (ifindex)
		tcc__repair_dev(ctx, ifindex);
	if (c)
		tcc__repair_chain(c);
	memcpy(ctx->detail, detail, sizeof(detail));
	ctx->kernel = kernel;
	tcc__unlock(lock);
}
