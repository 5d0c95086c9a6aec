// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Finding chains: every chain pinned for the current namespace, and prune. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcchain/lib/internal.h"

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int tcc_chain_foreach(struct tcc_ctx *ctx, int (*cb)(struct tcc_chain *, void *), void *arg)
{
	char nsdir[PATH_MAX], dir[PATH_MAX];
	int *ifs = NULL, n = 0, err = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	err = tcc__netns_dir(nsdir, sizeof(nsdir));
	if (err)
		return err;
	d = opendir(nsdir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		int *grown;

		if (*end || v <= 0)
			continue;
		grown = realloc(ifs, (n + 1) * sizeof(*ifs));
		if (!grown) {
			closedir(d);
			free(ifs);
			return -ENOMEM;
		}
		ifs = grown;
		ifs[n++] = v;
	}
	closedir(d);
	qsort(ifs, n, sizeof(ifs[0]), cmp_int);

	for (int i = 0; i < n; i++) {
		tcc__repair_if_idle(ctx, ifs[i], NULL);
		for (int dd = TCC_INGRESS; dd <= TCC_EGRESS; dd++) {
			struct tcc_chain *c;

			if (path_fmt(dir, "%s/%d/%s", nsdir, ifs[i], tcc_dir_str(dd)) ||
			    stat(dir, &st))
				continue;
			c = tcc__chain_open_dir(dir, ifs[i], dd);
			if (!c)
				c = tcc__chain_broken(dir, ifs[i], dd,
						      errno == ENOENT ? -EUCLEAN : -errno);
			if (!c) {
				err = -ENOMEM;
				goto out;
			}
			tcc__repair_if_idle(ctx, 0, c);
			err = cb(c, arg);
			tcc_chain_close(c);
			if (err)
				goto out;
		}
	}
out:
	free(ifs);
	return err;
}

struct prune {
	struct tcc_ctx *ctx;
	char dirs[2 * TCC_MAX_SLOTS][PATH_MAX];
	int ifindex[2 * TCC_MAX_SLOTS];
	int n;
	bool more;
};

static int prune_cb(struct tcc_chain *c, void *arg)
{
	struct prune *p = arg;
	char name[IF_NAMESIZE];
	int attached = 0;

	if (if_indextoname(c->ifindex, name)) {
		/* A chain we cannot open on a live device may well be on
		 * its hook: it is reported by show, never pruned on a guess.
		 */
		if (c->open_err)
			return 0;
		attached = tcc__chain_attached(p->ctx, c);
	}
	if (attached < 0)
		return attached;
	if (attached)
		return 0;
	if (p->n == (int)ARRAY_SIZE(p->ifindex)) {
		p->more = true;
		return 1;
	}
	snprintf(p->dirs[p->n], PATH_MAX, "%s", c->pin_dir);
	p->ifindex[p->n++] = c->ifindex;
	return 0;
}

int tcc_chain_prune(struct tcc_ctx *ctx, int *removed)
{
	struct prune *p = calloc(1, sizeof(*p));
	char devdir[PATH_MAX];
	int lock, err;

	*removed = 0;
	tcc__clear(ctx);
	if (!p)
		return -ENOMEM;
	p->ctx = ctx;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0) {
		free(p);
		return lock;
	}
	do {
		p->n = 0;
		p->more = false;
		err = tcc_chain_foreach(ctx, prune_cb, p);
		if (err < 0)
			break;
		err = 0;
		for (int i = 0; i < p->n && !err; i++) {
			err = tcc__rm_rf(p->dirs[i]);
			tcc__dev_dir(devdir, sizeof(devdir), p->dirs[i]);
			/* A gone device took its clsact along; a live one keeps
			 * it unless tcchain made it and it is empty.
			 */
			tcc__dev_cleanup(ctx, p->ifindex[i], devdir);
			(*removed)++;
		}
	} while (!err && p->more);
	tcc__unlock(lock);
	free(p);
	return err;
}
