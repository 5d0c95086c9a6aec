// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Pruning the stage cache (TCC_CACHE_DIR): `stage set FILE.c` compiles
 * into it and nothing else ever removes an object, so every source ever
 * set (a test's temporary file, an edited copy) leaves one behind.
 *
 * An object goes when no chain pinned in any namespace (the live
 * generation, the previous one kept for rollback, or one half-way through
 * a change) holds a stage compiled from its source, and it was last
 * written more than TCC_CACHE_MAX_AGE ago.  The age keeps what a
 * `stage set` compiled a moment ago and has not recorded in a chain yet.
 * doc/writing-stages.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"

#define TCC_CACHE_MAX_AGE	(24 * 60 * 60)	/* seconds */
#define WALK_DEPTH		6	/* root/netns/ifindex/dir/{prev,next}/meta */

struct used {
	char **names;			/* basenames of the objects in use */
	int n;
};

static int used_add(struct used *u, const char *path)
{
	const char *base = strrchr(path, '/');
	char **grown;

	base = base ? base + 1 : path;
	for (int i = 0; i < u->n; i++)
		if (!strcmp(u->names[i], base))
			return 0;
	grown = realloc(u->names, (u->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	u->names = grown;
	u->names[u->n] = strdup(base);
	return u->names[u->n] ? (u->n++, 0) : -ENOMEM;
}

static bool used_has(const struct used *u, const char *name)
{
	for (int i = 0; i < u->n; i++)
		if (!strcmp(u->names[i], name))
			return true;
	return false;
}

/* Every row of one chain's meta map: the objects its source stages use.
 * A pin that is not a meta map of this ABI says nothing. */
static int meta_scan(const char *path, struct used *u)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char object[PATH_MAX];
	struct tcc_meta m;
	int fd, err = 0;

	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.key_size != sizeof(__u32) || info.value_size != sizeof(m)) {
		close(fd);
		return 0;
	}
	for (__u32 row = 0; row < info.max_entries && !err; row++) {
		if (bpf_map_lookup_elem(fd, &row, &m) || !m.prog_id ||
		    !(m.flags & TCC_STAGE_F_SOURCE))
			continue;
		m.file[sizeof(m.file) - 1] = '\0';
		if (!tcc_stage_cache_path(m.file, object, sizeof(object)))
			err = used_add(u, object);
	}
	close(fd);
	return err;
}

/* Every meta pin under dir (not following symlinks). */
static int walk(const char *dir, int depth, struct used *u)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	int err = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		if (de->d_name[0] == '.' || path_fmt(path, "%s/%s", dir, de->d_name) ||
		    lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0)
			err = walk(path, depth - 1, u);
		else if (S_ISREG(st.st_mode) && !strcmp(de->d_name, TCC_PIN_META))
			err = meta_scan(path, u);
	}
	closedir(d);
	return err;
}

/* A compiled object, or what a killed compile left (NAME.bpf.o.tmp.PID). */
static bool is_cache_file(const char *name)
{
	size_t n = strlen(name);

	return (n > 6 && !strcmp(name + n - 6, ".bpf.o")) || strstr(name, ".bpf.o.tmp.");
}

/*
 * Remove name if it is still the old file seen: moved aside first, so an
 * object a concurrent `stage set` compiled under the same name in the
 * meantime is put back, not removed.
 */
static int remove_old(int dfd, const char *name, const struct stat *seen)
{
	char aside[NAME_MAX + 1];
	struct stat st;

	if ((size_t)snprintf(aside, sizeof(aside), ".prune-%d", (int)getpid()) >= sizeof(aside))
		return -ENAMETOOLONG;
	if (renameat(dfd, name, dfd, aside))
		return errno == ENOENT ? 0 : -errno;
	if (fstatat(dfd, aside, &st, AT_SYMLINK_NOFOLLOW) || st.st_ino != seen->st_ino) {
		/* a new object came in: back, unless a newer one came too */
		if (renameat2(dfd, aside, dfd, name, RENAME_NOREPLACE))
			unlinkat(dfd, aside, 0);
		return 0;
	}
	return unlinkat(dfd, aside, 0) ? -errno : 1;
}

int tcc_cache_prune(struct tcc_ctx *ctx, int *removed)
{
	struct used u = {};
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	int dfd, err;
	DIR *d;

	*removed = 0;
	err = walk(TCC_PIN_ROOT, WALK_DEPTH, &u);
	if (err) {
		tcc__fail(ctx, err, "cannot read the chains' pins in %s", TCC_PIN_ROOT);
		goto out;
	}
	d = opendir(TCC_CACHE_DIR);
	if (!d) {
		if (errno != ENOENT)
			tcc__warn(ctx, "cannot read the stage cache %s: %s", TCC_CACHE_DIR,
				  strerror(errno));
		goto out;
	}
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		int r;

		if (!is_cache_file(de->d_name) || used_has(&u, de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode) ||
		    now - st.st_mtime <= TCC_CACHE_MAX_AGE)
			continue;
		r = remove_old(dfd, de->d_name, &st);
		if (r > 0)
			(*removed)++;
		else if (r < 0)
			tcc__warn(ctx, "cannot remove %s/%s from the stage cache: %s",
				  TCC_CACHE_DIR, de->d_name, strerror(-r));
	}
	closedir(d);
out:
	for (int i = 0; i < u.n; i++)
		free(u.names[i]);
	free(u.names);
	return err;
}
