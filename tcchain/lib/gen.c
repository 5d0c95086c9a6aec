// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Generations: a whole-chain change built aside and committed with one
 * replace of the filter's program.
 *
 * A generation is a complete chain (entry program, prog array, config,
 * scratch, meta, stages) loaded in memory against the live chain's stats
 * map, so counting goes on across the commit.  Committing pins it in
 * DIR-next, swaps the filter's program to its entry (the commit point:
 * every packet runs the old chain or the new one, never a mix, because
 * each generation's stages tail-call only through their own prog array),
 * then exchanges DIR-next and DIR with one rename and moves the one that
 * ran to DIR/prev.  Rollback is the same the other way.  Killed at any
 * point, the next tcchain finishes or undoes it (tcc__gen_repair() in
 * repair.c).  doc/generations.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"


struct tcc_chain *tcc_gen_new(struct tcc_ctx *ctx, const struct tcc_chain *live,
			      const struct tcc_chain_opts *opts)
{
	return tcc__chain_load_stats(ctx, opts, live ? live->stats_fd : -1);
}

/* "a=1 b=2" as meta keeps them, back into params (text is modified). */
static size_t split_params(char *text, struct tcc_param *p, size_t max)
{
	size_t n = 0;

	for (char *save = NULL, *w = strtok_r(text, " ", &save); w && n < max;
	     w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		if (!eq)
			continue;
		*eq = '\0';
		p[n].name = w;
		p[n++].value = eq + 1;
	}
	return n;
}

int tcc_gen_keep(struct tcc_ctx *ctx, struct tcc_chain *gen, const struct tcc_chain *live,
		 __u32 slot)
{
	struct tcc_param params[TCC_MAX_PARAMS];
	struct tcc_stage_opts opts = { .params = params };
	struct tcc_meta m, g;
	int err;

	err = tcc__meta_read(live, slot, &m);
	if (err)
		return err;
	if (!m.prog_id)
		return tcc__fail(ctx, -ENOENT, "slot %u is empty", slot);
	opts.file = m.file;
	opts.prog = m.prog;
	opts.n_params = split_params(m.params, params, TCC_MAX_PARAMS);
	err = tcc__stage_set_maps(ctx, gen, slot, &opts, live, slot);
	if (err)
		return err;
	/* The same stage in the same slot goes on counting from where it was. */
	if (!tcc__meta_read(live, slot, &m) && !tcc__meta_read(gen, slot, &g)) {
		g.base_arrived = m.base_arrived;
		g.base_arrived_bytes = m.base_arrived_bytes;
		g.base = m.base;
		tcc__meta_write(gen, slot, &g);
	}
	return 0;
}

/* Pin an in-memory generation's chain and stages into dir. */
static int gen_pin(const struct tcc_chain *gen, const char *dir)
{
	char sd[PATH_MAX], maps[PATH_MAX];
	int err, fd;

	err = tcc__mkdir_p(dir) ?: tcc__chain_pin(gen, dir);
	if (err)
		return err;
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		__u32 id = tcc__slot_prog_id(gen, s);

		if (!id)
			continue;
		if (path_fmt(sd, "%s/" TCC_PIN_SLOT_FMT, dir, s) ||
		    path_fmt(maps, "%s/" TCC_PIN_SLOT_MAPS, sd))
			return -ENAMETOOLONG;
		err = tcc__mkdir_p(maps);
		if (err)
			return err;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			return -errno;
		err = tcc__pin_at(fd, sd, TCC_PIN_SLOT_PROG);
		close(fd);
		for (int i = 0; !err && i < gen->n_kept[s]; i++)
			if (!tcc__is_shared_map(gen->kept[s][i].name))
				err = tcc__pin_at(gen->kept[s][i].fd, maps, gen->kept[s][i].name);
		if (err)
			return err;
	}
	return 0;
}

static int filter_swap(struct tcc_ctx *ctx, const struct tcc_chain *live, int entry_fd)
{
	struct tcc_meta row;
	struct tcc_nl *nl = tcc__nl(ctx);
	int err;

	if (!nl)
		return -errno;
	err = tcc__meta_read(live, TCC_META_CHAIN, &row);
	if (err)
		return err;
	err = tcc_nl_filter_replace(nl, &(struct tcc_nl_filter){
		.ifindex = live->ifindex,
		.parent = tcc_nl_hook_parent(live->dir),
		.prio = row.prio,
		.handle = row.handle,
		.prog_fd = entry_fd,
		.name = "tcchain",
	});
	return err ? tcc__nl_fail(ctx, err) : 0;
}

/* A generation's number: the chain row's flags (internal.h). */
static int number_set(int meta_fd, __u32 n)
{
	__u32 key = TCC_META_CHAIN;
	struct tcc_meta row;

	if (bpf_map_lookup_elem(meta_fd, &key, &row))
		return -errno;
	row.flags = n;
	return bpf_map_update_elem(meta_fd, &key, &row, BPF_ANY) ? -errno : 0;
}

int tcc__gen_number_at(const char *dir, __u32 *n)
{
	struct tcc_meta row;
	__u32 key = TCC_META_CHAIN;
	int fd = tcc__obj_get_at(dir, TCC_PIN_META), err = 0;

	if (fd < 0)
		return fd;
	if (bpf_map_lookup_elem(fd, &key, &row))
		err = -errno;
	else
		*n = row.flags;
	close(fd);
	return err;
}

/* Number the generation pinned in dir. */
static int number_set_at(const char *dir, __u32 n)
{
	int fd = tcc__obj_get_at(dir, TCC_PIN_META), err;

	if (fd < 0)
		return fd;
	err = number_set(fd, n);
	close(fd);
	return err;
}

/*
 * After the commit, DIR-next holds the generation that runs: exchange it
 * with DIR (one rename, so DIR is never missing), then the one that ran
 * becomes DIR/prev, dropping the generation before it.  Every step is
 * redone by tcc__gen_repair() after a kill.
 */
int tcc__gen_settle(const char *dir, const char *next, bool exchange)
{
	char prev[PATH_MAX], older[PATH_MAX];

	if (path_fmt(prev, "%s/" TCC_PIN_GEN_PREV, dir) ||
	    path_fmt(older, "%s/" TCC_PIN_GEN_PREV "/" TCC_PIN_GEN_PREV, dir))
		return -ENAMETOOLONG;
	if (exchange && renameat2(AT_FDCWD, next, AT_FDCWD, dir, RENAME_EXCHANGE))
		return -errno;
	tcc__rm_rf(prev);
	if (rename(next, prev))
		return -errno;
	return tcc__rm_rf(older);
}

static void settle_warn(struct tcc_ctx *ctx, const char *next, int err)
{
	if (err)
		tcc__warn(ctx, "the new generation runs, but its pins are still in %s (%s); the next tcchain moves them",
			  next, strerror(-err));
}

int tcc_gen_commit(struct tcc_ctx *ctx, struct tcc_chain *live, struct tcc_chain *gen)
{
	char next[PATH_MAX];
	__u32 n = 0;
	int lock, err;

	tcc__clear(ctx);
	if (!live->pin_dir || gen->pin_dir)
		return -EINVAL;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;
	err = tcc__chain_check(ctx, live);
	if (err)
		goto out;
	err = path_fmt(next, "%s" TCC_PIN_CHAIN_NEXT, live->pin_dir);
	if (err)
		goto out;
	tcc__rm_rf(next);
	/* stages may have been loaded concurrently: the table once more */
	err = tcc__dispatch_rebuild(gen);
	if (err) {
		tcc__fail(ctx, err, "cannot fill the new generation's prog array");
		goto out;
	}
	/* the totals count on across the commit (doc/stats.md) */
	err = tcc__stats_carry(live, gen->meta_fd);
	if (err) {
		tcc__fail(ctx, err, "cannot carry the chain's counters over");
		goto out;
	}
	/* Numbered after the live one: a DIR-next that is newer than DIR
	 * and does not run was never committed (repair.c). */
	tcc__gen_number_at(live->pin_dir, &n);
	err = number_set(gen->meta_fd, n + 1);
	err = err ?: gen_pin(gen, next);
	if (err) {
		tcc__fail(ctx, err, "cannot pin the new generation in %s: %s", next,
			  strerror(-err));
		tcc__rm_rf(next);
		goto out;
	}
	/* The commit point: one replace of the filter's program. */
	err = filter_swap(ctx, live, gen->entry_fd);
	if (err) {
		tcc__rm_rf(next);
		goto out;
	}
	settle_warn(ctx, next, tcc__gen_settle(live->pin_dir, next, true));
out:
	tcc__unlock(lock);
	return err;
}

bool tcc_chain_has_prev(const struct tcc_chain *live)
{
	char path[PATH_MAX];
	struct stat st;

	return live->pin_dir &&
	       !path_fmt(path, "%s/" TCC_PIN_GEN_PREV "/" TCC_PIN_ENTRY, live->pin_dir) &&
	       !stat(path, &st);
}

/*
 * Rollback: DIR/prev goes to DIR-next (older than DIR: a kill here puts
 * it back), the filter runs its entry (the commit), it is numbered after
 * DIR, then settled like a new generation: the one rolled back from
 * becomes DIR/prev, so a second rollback goes forward again.
 */
int tcc_chain_rollback(struct tcc_ctx *ctx, struct tcc_chain *live)
{
	char prev[PATH_MAX], next[PATH_MAX];
	int lock, err, entry = -1, meta = -1;
	__u32 n = 0;

	tcc__clear(ctx);
	if (!live->pin_dir)
		return -EINVAL;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;
	err = tcc__chain_check(ctx, live);
	if (err)
		goto out;
	if (path_fmt(prev, "%s/" TCC_PIN_GEN_PREV, live->pin_dir) ||
	    path_fmt(next, "%s" TCC_PIN_CHAIN_NEXT, live->pin_dir)) {
		err = -ENAMETOOLONG;
		goto out;
	}
	entry = tcc__obj_get_at(prev, TCC_PIN_ENTRY);
	if (entry < 0) {
		err = tcc__fail(ctx, -ENOENT, "no previous generation to roll back to");
		goto out;
	}
	/* the totals count on across the rollback too (doc/stats.md) */
	meta = tcc__obj_get_at(prev, TCC_PIN_META);
	err = meta < 0 ? meta : tcc__stats_carry(live, meta);
	if (err) {
		tcc__fail(ctx, err, "cannot carry the chain's counters over");
		goto out;
	}
	tcc__rm_rf(next);
	if (rename(prev, next)) {
		err = tcc__fail(ctx, -errno, "cannot move %s aside: %s", prev, strerror(errno));
		goto out;
	}
	err = filter_swap(ctx, live, entry);
	if (err) {
		rename(next, prev);
		goto out;
	}
	tcc__gen_number_at(live->pin_dir, &n);
	err = number_set_at(next, n + 1);
	settle_warn(ctx, next, err ?: tcc__gen_settle(live->pin_dir, next, true));
	err = 0;
out:
	if (entry >= 0)
		close(entry);
	if (meta >= 0)
		close(meta);
	tcc__unlock(lock);
	return err;
}
