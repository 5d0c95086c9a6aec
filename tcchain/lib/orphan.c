// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Orphan filters: a tcchain filter on a hook with no pins behind it.  It
 * happens when the pins vanished under a running chain (a bpffs mounted
 * only for one command, as under `ip netns exec` before tcchain refused
 * that; pins removed by hand).  The filter still runs the old entry
 * program, which nothing can reach any more.  tcchain recognises its
 * filters by their name ("tcchain", as `tc filter show` prints it) and
 * removes such a filter when asked about its hook: `del` removes it,
 * `add` replaces it (saying so), `prune` removes every one in the
 * namespace.  A hook whose chain is pinned is never touched.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcchain/lib/internal.h"

struct orphans {
	int n;
	struct { __u16 prio; __u32 handle; } f[16];
};

static int orphan_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct orphans *o = arg;

	if (strcmp(f->kind, "bpf") || !f->has_prog || strcmp(f->name, TCC_FILTER_NAME))
		return 0;
	if (o->n < (int)ARRAY_SIZE(o->f)) {
		o->f[o->n].prio = f->prio;
		o->f[o->n].handle = f->handle;
		o->n++;
	}
	return 0;
}

static bool chain_pinned(int ifindex, enum tcc_dir d)
{
	char dir[PATH_MAX];
	struct stat st;

	return !tcc__chain_dir(dir, sizeof(dir), ifindex, d) && !stat(dir, &st);
}

int tcc__orphans_remove(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d, int *removed)
{
	struct tcc_nl *nl = tcc__nl(ctx);
	struct orphans o = {};
	int err;

	if (!nl)
		return -errno;
	/* A killed add or del of this device's chains is finished or
	 * undone first: its filter is not an orphan. */
	if (tcc__dev_needs_repair(ifindex)) {
		err = tcc__repair_dev(ctx, ifindex);
		if (err)
			return err;
	}
	if (chain_pinned(ifindex, d))
		return 0;
	/* No device, no clsact, a hook the kernel will not list: no
	 * filter of ours to find there. */
	if (tcc_nl_filter_dump(nl, ifindex, tcc_nl_hook_parent(d), orphan_cb, &o) < 0)
		return 0;
	for (int i = 0; i < o.n; i++) {
		err = tcc_nl_filter_del(nl, ifindex, tcc_nl_hook_parent(d), o.f[i].prio,
					o.f[i].handle);
		if (err && err != -ENOENT)
			return tcc__nl_fail(ctx, err);
		(*removed)++;
	}
	return 0;
}

int tcc__orphans_prune(struct tcc_ctx *ctx, int *removed)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && !err; i++) {
		err = tcc__orphans_remove(ctx, i->if_index, TCC_INGRESS, removed);
		if (!err)
			err = tcc__orphans_remove(ctx, i->if_index, TCC_EGRESS, removed);
	}
	if_freenameindex(ifs);
	return err;
}

int tcc_orphans_prune(struct tcc_ctx *ctx, int *removed)
{
	int lock = tcc__lock_ctx(ctx), err;

	*removed = 0;
	if (lock < 0)
		return lock;
	err = tcc__orphans_prune(ctx, removed);
	tcc__unlock(lock);
	return err;
}
