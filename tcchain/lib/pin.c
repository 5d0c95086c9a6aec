// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The bpffs layout: one directory per chain,
 *   /sys/fs/bpf/tcchain/<netns cookie>/<ifindex>/<ingress|egress>/
 * so the same device name in two namespaces gets two chains, and a
 * namespace's directory also holds its liveness record (netns.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"

int tcc__netns_dir(char *buf, size_t len)
{
	__u64 ns;
	int err = tcc_netns_id(&ns);

	if (err)
		return err;
	if ((size_t)snprintf(buf, len, "%s/%llu", TCC_PIN_ROOT,
			     (unsigned long long)ns) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int tcc__chain_dir(char *buf, size_t len, int ifindex, enum tcc_dir dir)
{
	char ns[PATH_MAX];
	int err = tcc__netns_dir(ns, sizeof(ns));

	if (err)
		return err;
	if ((size_t)snprintf(buf, len, "%s/%d/%s", ns, ifindex,
			     tcc_dir_str(dir)) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int tcc__mkdir_p(const char *path)
{
	char tmp[PATH_MAX], *p;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int tcc__pin_root_check_at(const char *bpffs, const char *root, char *why, size_t len)
{
	struct stat st;

	/* Others may create entries in a world-writable bpffs (some systems
	 * mount it 1777); without the sticky bit they could also rename
	 * ours away and put their own in its place.
	 */
	if (lstat(bpffs, &st))
		return errno == ENOENT ? 0 : -errno;
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		snprintf(why, len, "%s is writable by everyone without the sticky bit", bpffs);
		return -EPERM;
	}
	if (lstat(root, &st))
		return errno == ENOENT ? 0 : -errno;
	if (S_ISLNK(st.st_mode)) {
		snprintf(why, len, "%s is a symbolic link", root);
		return -EPERM;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, len, "%s is not a directory", root);
		return -EPERM;
	}
	if (st.st_uid != 0) {
		snprintf(why, len, "%s is owned by uid %u, not root", root, st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "%s is writable by others (mode %04o)", root,
			 st.st_mode & 07777);
		return -EPERM;
	}
	return 0;
}

int tcc_pin_root_check(char *why, size_t len)
{
	return tcc__pin_root_check_at(TCC_BPFFS, TCC_PIN_ROOT, why, len);
}

/* Remove a directory of pins.  bpffs holds only pins and directories. */
int tcc__rm_rf(const char *path)
{
	struct dirent *de;
	char sub[PATH_MAX];
	int err = 0;
	DIR *d;

	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_type == DT_DIR)
			err = tcc__rm_rf(sub) ?: err;
		else if (unlink(sub) && errno != ENOENT)
			err = -errno;
	}
	closedir(d);
	if (rmdir(path) && errno != ENOENT)
		err = -errno;
	return err;
}

int tcc__pin_at(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	return bpf_obj_pin(fd, path) ? -errno : 0;
}

int tcc__obj_get_at(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}
