// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A chain on a hook: tcchain add / del over netlink, the clsact qdisc
 * tcchain may own, and whether a pinned chain is still the filter's
 * program (attached) or left behind (stale).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"

struct find_filter {
	__u16 prio;
	__u32 handle;
	bool found;
	struct tcc_nl_filter_info info;
};

static int find_filter_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct find_filter *ff = arg;

	/* Filters of other tc chains at the same prio/handle are not ours. */
	if (f->chain || f->prio != ff->prio || f->handle != ff->handle)
		return 0;
	ff->found = true;
	ff->info = *f;
	return 1;
}

/* The filter at (prio, handle) on the hook: 1 found, 0 absent, -errno. */
static int hook_filter_get(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d,
			   __u16 prio, __u32 handle, struct tcc_nl_filter_info *out)
{
	struct find_filter ff = { .prio = prio, .handle = handle };
	struct tcc_nl *nl = tcc__nl(ctx);
	int err;

	if (!nl)
		return -errno;
	err = tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(d),
				 find_filter_cb, &ff);
	if (err < 0)
		return tcc__nl_fail(ctx, err);
	if (ff.found && out)
		*out = ff.info;
	return ff.found;
}

static int count_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	(void)f;
	(*(int *)arg)++;
	return 0;
}

static int hook_filter_count(struct tcc_ctx *ctx, int ifindex)
{
	struct tcc_nl *nl = tcc__nl(ctx);
	int n = 0, err;

	if (!nl)
		return -errno;
	for (int h = TCC_INGRESS; h <= TCC_EGRESS; h++) {
		err = tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(h), count_cb, &n);
		if (err < 0)
			return err;
	}
	return n;
}

__u32 tcc__prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.id;
}

/* Is the chain's entry the program of the filter at its prio/handle? */
int tcc__chain_attached(struct tcc_ctx *ctx, const struct tcc_chain *c)
{
	struct tcc_nl_filter_info f;
	struct tcc_meta row;
	int err;

	err = tcc__meta_read(c, TCC_META_CHAIN, &row);
	if (err)
		return err;
	err = hook_filter_get(ctx, c->ifindex, c->dir, row.prio, row.handle, &f);
	if (err <= 0)
		return err;
	return f.has_prog && f.prog_id == tcc__prog_id(c->entry_fd);
}

/*
 * Under the lock, before a change to a pinned chain: the chain opened
 * before the lock was taken must still be the one in bpffs (another
 * tcchain may have deleted or replaced it meanwhile; its entry program
 * says which), and it must still be attached: a change to a chain whose
 * filter is gone would exit 0 and do nothing to any packet.
 */
int tcc__chain_check(struct tcc_ctx *ctx, const struct tcc_chain *c)
{
	char name[IF_NAMESIZE] = "";
	const char *dir = tcc_dir_str(c->dir);
	int fd, err;
	__u32 id;

	if (!c->pin_dir)
		return 0;
	fd = tcc__obj_get_at(c->pin_dir, TCC_PIN_ENTRY);
	id = fd >= 0 ? tcc__prog_id(fd) : 0;
	if (fd >= 0)
		close(fd);
	if (!id || id != tcc__prog_id(c->entry_fd))
		return tcc__fail(ctx, -ESTALE,
				 "the chain was deleted or replaced while this command waited for the lock");
	if (!if_indextoname(c->ifindex, name))
		return tcc__fail(ctx, -ENOLINK,
				 "the chain is detached: its device (ifindex %d) is gone; remove it with 'tcchain prune'",
				 c->ifindex);
	err = tcc__chain_attached(ctx, c);
	if (err < 0)
		return err;
	if (!err)
		return tcc__fail(ctx, -ENOLINK,
				 "the chain is detached (its filter on %s %s is gone); re-attach it with 'tcchain add dev %s %s' (which replaces it) or remove it with 'tcchain del dev %s %s' or 'tcchain prune'",
				 name, dir, name, dir, name, dir);
	return 0;
}

/* "SLOT PROG, ..." of the occupied slots, for the line about a replaced chain. */
static void stage_list(const struct tcc_chain *c, char *buf, size_t len)
{
	struct tcc_meta m;
	size_t used = 0;

	buf[0] = '\0';
	for (__u32 slot = 0; slot < TCC_MAX_SLOTS && used < len; slot++) {
		if (tcc__meta_read(c, slot, &m) || !m.prog_id)
			continue;
		used += snprintf(buf + used, len - used, "%s%u %s", used ? ", " : "",
				 slot, m.prog[0] ? m.prog : "?");
	}
}

void tcc__dev_dir(char *buf, size_t len, const char *chain_dir)
{
	char *slash;

	snprintf(buf, len, "%s", chain_dir);
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
}

/*
 * After a chain's pins are gone: when no chain is left on the device,
 * delete the clsact if tcchain created it and no filter of anyone remains.
 */
void tcc__dev_cleanup(struct tcc_ctx *ctx, int ifindex, const char *devdir)
{
	char path[PATH_MAX];
	struct stat st;
	int n;

	for (int d = TCC_INGRESS; d <= TCC_EGRESS; d++) {
		if (path_fmt(path, "%s/%s", devdir, tcc_dir_str(d)) || !stat(path, &st))
			return;
	}
	if (!path_fmt(path, "%s/%s", devdir, TCC_PIN_OWN_QDISC) && !stat(path, &st)) {
		n = hook_filter_count(ctx, ifindex);
		if (n == 0 && ctx->nl)
			tcc_nl_qdisc_clsact_del(ctx->nl, ifindex);
		rmdir(path);
	}
	/* The device's directory, then the namespace's if that was the last. */
	if (!rmdir(devdir) && !path_fmt(path, "%s", devdir) && strrchr(path, '/')) {
		*strrchr(path, '/') = '\0';
		tcc__netns_dir_release(path);
	}
}

int tcc_chain_add(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts)
{
	char dir[PATH_MAX], newdir[PATH_MAX], devdir[PATH_MAX], own[PATH_MAX];
	__u16 prio = opts->prio ?: TCC_DEFAULT_PRIO;
	__u32 handle = opts->handle ?: TCC_DEFAULT_HANDLE;
	bool made_qdisc = false, made_dir = false, replaced = false;
	int orphans = 0;
	char stages[sizeof(ctx->warning) - 64] = "";
	struct tcc_nl_filter_info fi;
	struct tcc_nl_qdisc q;
	struct tcc_chain *c = NULL;
	struct tcc_nl *nl;
	struct stat st;
	int lock, err;

	tcc__clear(ctx);
	nl = tcc__nl(ctx);
	if (!nl)
		return -errno;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;

	err = tcc__chain_dir(dir, sizeof(dir), opts->ifindex, opts->dir);
	if (!err)
		err = path_fmt(newdir, "%s" TCC_PIN_CHAIN_NEW, dir);
	if (!err)
		err = tcc__repair_dev(ctx, opts->ifindex);
	if (err)
		goto out;
	tcc__dev_dir(devdir, sizeof(devdir), dir);

	if (!stat(dir, &st)) {
		struct tcc_meta row = {};

		c = tcc__chain_open_dir(dir, opts->ifindex, opts->dir);
		if (!c) {
			err = tcc__fail(ctx, -errno == -EPROTO ? -EPROTO : -EUCLEAN,
					"a chain is pinned in %s but cannot be opened (%s); nothing replaced: 'tcchain del' removes it",
					dir, strerror(errno));
			goto out;
		}
		err = tcc__chain_attached(ctx, c);
		tcc__meta_read(c, TCC_META_CHAIN, &row);
		if (!err)
			stage_list(c, stages, sizeof(stages));
		tcc_chain_close(c);
		c = NULL;
		if (err < 0)
			goto out;
		if (err > 0) {
			err = tcc__fail(ctx, -EEXIST, "a chain already exists there (prio %u handle 0x%x)",
					row.prio, row.handle);
			goto out;
		}
		/* Proven stale: its entry program is not the filter at its
		 * prio/handle (a device that went away and whose ifindex was
		 * reused, or a filter deleted behind our back).  Replace it,
		 * and say what was dropped.
		 */
		tcc__rm_rf(dir);
		replaced = true;
	}

	err = tcc_nl_qdisc_ingress_get(nl, opts->ifindex, &q);
	if (err == -ENOENT) {
		made_qdisc = true;
	} else if (err) {
		err = tcc__nl_fail(ctx, err);
		goto out;
	} else if (strcmp(q.kind, "clsact")) {
		err = tcc__fail(ctx, -EBUSY,
				"the device has a '%s' qdisc where clsact goes; tcchain needs clsact",
				q.kind);
		goto out;
	}
	if (!made_qdisc) {
		err = hook_filter_get(ctx, opts->ifindex, opts->dir, prio, handle, &fi);
		if (err < 0)
			goto out;
		if (err > 0 && !strcmp(fi.kind, "bpf") && !strcmp(fi.name, TCC_FILTER_NAME) &&
		    !replaced) {
			int n = 0;

			/* A tcchain filter with no pins (see orphan.c): nothing
			 * can reach its chain any more; this add replaces it.
			 */
			err = tcc__orphans_remove(ctx, opts->ifindex, opts->dir, &n);
			if (err)
				goto out;
			orphans = n;
		}
		if (err > 0) {
			err = tcc__fail(ctx, -EEXIST,
					"a %s filter%s%s already sits at prio %u handle 0x%x",
					fi.kind, fi.name[0] ? " " : "", fi.name, prio, handle);
			goto out;
		}
	}

	c = tcc_chain_load(ctx, opts);
	if (!c) {
		err = -errno;
		goto out;
	}
	/* Pinned aside (repair.c): a kill before the filter is attached
	 * leaves DIR-new, which the next tcchain removes.
	 */
	err = tcc__mkdir_p(newdir);
	if (err)
		goto undo;
	made_dir = true;
	err = tcc__netns_mark();
	if (err)
		goto undo;
	err = tcc__chain_pin(c, newdir);
	if (err)
		goto undo;

	if (made_qdisc) {
		/* The marker first: a kill between the two leaves a marker
		 * for a missing clsact, which cleanup ignores, never a
		 * clsact nobody knows tcchain made.
		 */
		if (!path_fmt(own, "%s/%s", devdir, TCC_PIN_OWN_QDISC))
			mkdir(own, 0700);
		err = tcc_nl_qdisc_clsact_add(nl, opts->ifindex);
		if (err) {
			err = tcc__nl_fail(ctx, err);
			goto undo;
		}
	}
	/* The commit point: the filter goes on the hook. */
	err = tcc_nl_filter_add(nl, &(struct tcc_nl_filter){
		.ifindex = opts->ifindex,
		.parent = tcc_nl_hook_parent(opts->dir),
		.prio = prio,
		.handle = handle,
		.prog_fd = c->entry_fd,
		.name = TCC_FILTER_NAME,
	});
	if (err) {
		err = tcc__nl_fail(ctx, err);
		goto undo;
	}
	if (rename(newdir, dir))	/* else the next tcchain rolls it forward */
		tcc__warn(ctx, "the chain runs, but its pins stay in %s until the next tcchain (%s)",
			  newdir, strerror(errno));
	if (replaced)
		tcc__warn(ctx, "replaced a detached chain (stages: %s)", stages[0] ? stages : "none");
	else if (orphans)
		tcc__warn(ctx, "replaced a tcchain filter that had no pins (prio %u handle 0x%x)",
			  prio, handle);
	goto out;

undo:
	if (made_dir)
		tcc__rm_rf(newdir);
	if (made_qdisc)
		tcc__dev_cleanup(ctx, opts->ifindex, devdir);
	else
		rmdir(devdir);	/* only if we left it empty */
out:
	tcc_chain_close(c);
	tcc__unlock(lock);
	return err;
}

struct entry_filter {
	__u32 entry_id;		/* 0: any filter tcchain named */
	bool found;
	struct tcc_nl_filter_info f;
};

static int entry_filter_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct entry_filter *ef = arg;

	if (f->chain || !f->has_prog)
		return 0;
	if (ef->entry_id ? f->prog_id != ef->entry_id : strcmp(f->name, TCC_FILTER_NAME))
		return 0;
	ef->found = true;
	ef->f = *f;
	return 1;
}

int tcc__hook_filter_of(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, __u32 prog_id,
			struct tcc_nl_filter_info *out)
{
	struct entry_filter ef = { .entry_id = prog_id };
	struct tcc_nl *nl = tcc__nl(ctx);
	int err;

	if (!nl)
		return -errno;
	err = tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(d), entry_filter_cb, &ef);
	if (err < 0)
		return tcc__nl_fail(ctx, err);
	if (ef.found && out)
		*out = ef.f;
	return ef.found;
}

/*
 * del of a chain whose pins cannot all be opened (another ABI, a pin
 * gone): its filter is the one running its pinned entry program.  Without
 * the entry pin nothing proves which filter was its: then the pins go only
 * when no filter tcchain made is on the hook at all.
 */
static int del_broken(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, const char *dir,
		      int open_err)
{
	struct entry_filter ef = {};
	struct tcc_nl *nl = tcc__nl(ctx);
	int entry, err;

	if (open_err == -EMFILE || open_err == -ENFILE || open_err == -ENOMEM)
		return open_err;	/* nothing wrong with the chain */
	if (!nl)
		return -errno;
	entry = tcc__obj_get_at(dir, TCC_PIN_ENTRY);
	if (entry >= 0) {
		ef.entry_id = tcc__prog_id(entry);
		close(entry);
	}
	err = tcc__hook_filter_of(ctx, ifindex, d, ef.entry_id, &ef.f);
	if (err < 0)
		return err;
	ef.found = err > 0;
	if (ef.found && !ef.entry_id)
		return tcc__fail(ctx, -EUCLEAN,
				 "its pins are damaged and a tcchain filter at prio %u handle 0x%x may be its: remove that with tc, then del again",
				 ef.f.prio, ef.f.handle);
	if (ef.found) {
		err = tcc_nl_filter_del(nl, ifindex, tcc_nl_hook_parent(d), ef.f.prio,
					ef.f.handle);
		if (err)
			return tcc__nl_fail(ctx, err);
	}
	return tcc__rm_rf(dir);
}

int tcc_chain_del(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d)
{
	char devdir[PATH_MAX], deldir[PATH_MAX];
	struct tcc_chain *c = NULL;
	struct tcc_meta row;
	int lock, err, attached;

	tcc__clear(ctx);
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;
	err = tcc__repair_dev(ctx, ifindex);
	if (err)
		goto out_unlock;
	c = tcc_chain_open(ctx, ifindex, d);
	if (!c && errno != ENOENT) {
		char dir[PATH_MAX];

		err = -errno;
		tcc__clear(ctx);
		if (!tcc__chain_dir(dir, sizeof(dir), ifindex, d))
			err = del_broken(ctx, ifindex, d, dir, err);
		if (!err) {
			tcc__dev_dir(devdir, sizeof(devdir), dir);
			tcc__dev_cleanup(ctx, ifindex, devdir);
		}
		goto out;
	}
	if (!c) {
		int n = 0;

		err = -errno;
		/* No pins: a tcchain filter left on the hook is removed. */
		if (err == -ENOENT && !tcc__orphans_remove(ctx, ifindex, d, &n) && n) {
			tcc__warn(ctx, "removed %d tcchain filter%s that had no pins", n,
				  n > 1 ? "s" : "");
			err = 0;
		}
		goto out;
	}
	attached = tcc__chain_attached(ctx, c);
	if (attached < 0 && attached != -ENODEV) {
		err = attached;
		goto out;
	}
	err = tcc__meta_read(c, TCC_META_CHAIN, &row);
	if (!err)
		err = path_fmt(deldir, "%s" TCC_PIN_CHAIN_DEL, c->pin_dir);
	if (err)
		goto out;
	/* The commit point: renamed, the chain is gone for every reader;
	 * a kill after it leaves DIR-del, which the next tcchain finishes
	 * (repair.c).
	 */
	tcc__rm_rf(deldir);
	if (rename(c->pin_dir, deldir)) {
		err = -errno;
		goto out;
	}
	if (attached > 0) {
		err = tcc_nl_filter_del(ctx->nl, ifindex, tcc_nl_hook_parent(d),
					row.prio, row.handle);
		if (err) {
			err = tcc__nl_fail(ctx, err);
			rename(deldir, c->pin_dir);	/* nothing happened */
			goto out;
		}
	}
	err = tcc__rm_rf(deldir);
	if (err)
		goto out;
	tcc__dev_dir(devdir, sizeof(devdir), c->pin_dir);
	tcc__dev_cleanup(ctx, ifindex, devdir);
out:
	tcc_chain_close(c);
out_unlock:
	tcc__unlock(lock);
	return err;
}

int tcc_chain_info(struct tcc_ctx *ctx, const struct tcc_chain *c, struct tcc_chain_info *info)
{
	char devdir[PATH_MAX], path[PATH_MAX];
	struct tcc_meta row;
	struct stat st;
	int err;

	memset(info, 0, sizeof(*info));
	tcc_netns_id(&info->netns);
	info->ifindex = c->ifindex;
	info->dir = c->dir;
	if (!if_indextoname(c->ifindex, info->ifname))
		info->ifname[0] = '\0';
	if (c->open_err)
		return c->open_err;
	err = tcc__meta_read(c, TCC_META_CHAIN, &row);
	if (err)
		return err;
	info->prio = row.prio;
	info->handle = row.handle;
	info->entry_id = tcc__prog_id(c->entry_fd);
	info->end_verdict = c->cfg->end_verdict;
	info->miss_verdict = c->cfg->miss_verdict;
	if (info->ifname[0]) {
		err = tcc__chain_attached(ctx, c);
		info->attached = err > 0;
	}
	if (c->pin_dir) {
		tcc__dev_dir(devdir, sizeof(devdir), c->pin_dir);
		info->owns_qdisc = !path_fmt(path, "%s/%s", devdir, TCC_PIN_OWN_QDISC) &&
				   !stat(path, &st);
	}
	return 0;
}
