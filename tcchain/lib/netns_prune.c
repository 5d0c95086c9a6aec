// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pins of namespaces that are gone.  A namespace deleted with a chain in
 * it takes its devices, filters and qdiscs along, but not the pins: they
 * keep the chain's programs and maps in kernel memory until removed.  Each
 * namespace directory records the namespace's nsfs file handle when its
 * first chain is added; the kernel refuses a stale handle (ESTALE) once
 * the namespace is freed, which proves it gone without seeing it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"

static void hex(char *out, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int unhex(unsigned char *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > max || !n)
		return -EINVAL;
	for (size_t i = 0; i < n / 2; i++)
		if (sscanf(s + 2 * i, "%2hhx", &b[i]) != 1)
			return -EINVAL;
	return n / 2;
}

int tcc__netns_mark(void)
{
	char nsdir[PATH_MAX], path[PATH_MAX], h[2 * TCC_NS_HANDLE_MAX + 1];
	struct tcc_ns_handle nh;
	int err;

	err = tcc__netns_dir(nsdir, sizeof(nsdir));
	if (err)
		return err;
	err = tcc__netns_handle(&nh);
	/* A kernel without nsfs file handles: no record, and prune leaves
	 * this namespace's pins alone, as it cannot prove it gone.
	 */
	if (err == -EOPNOTSUPP)
		return 0;
	if (err)
		return err;
	hex(h, nh.bytes, nh.len);
	if (path_fmt(path, "%s/" TCC_PIN_NETNS_PFX "%d-%s", nsdir, nh.type, h))
		return -ENAMETOOLONG;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/* The handle recorded in nsdir: 0 and *h, -ENOENT when there is none. */
static int mark_read(const char *nsdir, struct tcc_ns_handle *h)
{
	struct dirent *de;
	int err = -ENOENT;
	DIR *d = opendir(nsdir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *p = de->d_name, *dash;
		int n;

		if (strncmp(p, TCC_PIN_NETNS_PFX, strlen(TCC_PIN_NETNS_PFX)))
			continue;
		p += strlen(TCC_PIN_NETNS_PFX);
		dash = strchr(p, '-');
		if (!dash)
			continue;
		memset(h, 0, sizeof(*h));
		h->type = strtol(p, NULL, 10);
		n = unhex(h->bytes, dash + 1, sizeof(h->bytes));
		if (n < 0)
			continue;
		h->len = n;
		err = 0;
		break;
	}
	closedir(d);
	return err;
}

/* Chains under a namespace directory: <ifindex>/<dir> subdirectories. */
static int count_chains(const char *nsdir)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *d = opendir(nsdir);

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end;

		if (strtol(de->d_name, &end, 10) <= 0 || *end)
			continue;
		for (int dd = TCC_INGRESS; dd <= TCC_EGRESS; dd++)
			if (!path_fmt(path, "%s/%s/%s", nsdir, de->d_name, tcc_dir_str(dd)) &&
			    !stat(path, &st))
				n++;
	}
	closedir(d);
	return n;
}

void tcc__netns_dir_release(const char *nsdir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(nsdir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strncmp(de->d_name, TCC_PIN_NETNS_PFX, strlen(TCC_PIN_NETNS_PFX))) {
			closedir(d);
			return;		/* a device directory: chains are left */
		}
	}
	rewinddir(d);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, TCC_PIN_NETNS_PFX, strlen(TCC_PIN_NETNS_PFX)) &&
		    !path_fmt(path, "%s/%s", nsdir, de->d_name))
			rmdir(path);
	closedir(d);
	rmdir(nsdir);
}

int tcc_netns_prune(struct tcc_ctx *ctx, int *chains, int *netns)
{
	char nsdir[PATH_MAX];
	struct dirent *de;
	__u64 self;
	int lock, err;
	DIR *d;

	*chains = *netns = 0;
	tcc__clear(ctx);
	err = tcc_netns_id(&self);
	if (err)
		return err;
	lock = tcc__lock_ctx(ctx);
	if (lock < 0)
		return lock;
	d = opendir(TCC_PIN_ROOT);
	if (!d) {
		err = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	while ((de = readdir(d))) {
		struct tcc_ns_handle h;
		char *end;
		unsigned long long id = strtoull(de->d_name, &end, 10);
		int alive, n;

		if (*end || !id || id == self)
			continue;
		if (path_fmt(nsdir, "%s/%s", TCC_PIN_ROOT, de->d_name))
			continue;
		if (mark_read(nsdir, &h))
			continue;	/* no record: cannot prove anything */
		alive = tcc__netns_alive(&h);
		if (alive)
			continue;	/* alive (1) or unknown (< 0) */
		n = count_chains(nsdir);
		err = tcc__rm_rf(nsdir);
		if (err) {
			tcc__fail(ctx, err, "cannot remove %s", nsdir);
			break;
		}
		*chains += n;
		(*netns)++;
	}
	closedir(d);
out:
	tcc__unlock(lock);
	return err;
}
