// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Network namespaces as tcchain keys them, and the proofs it needs about
 * them:
 *
 *  * the netns cookie (SO_NETNS_COOKIE; on this kernel the same number as
 *    the namespace id, NS_GET_ID) names a namespace for the life of the
 *    system: unlike the nsfs inode, the kernel never gives it to another
 *    namespace, so a directory keyed by it can never be mistaken for a
 *    newer namespace's;
 *  * an nsfs file handle (name_to_handle_at on the namespace's file)
 *    lets the kernel itself say whether the namespace still exists:
 *    open_by_handle_at() fails with ESTALE once it is gone.  That proof
 *    needs nothing but the handle, so `prune` run from the host can tell
 *    a dead namespace's pins from a live one that no process of ours can
 *    see;
 *  * whether the bpffs we would pin into is the host's: `ip netns exec`
 *    runs its command in a private mount namespace with a fresh /sys, and
 *    a bpffs mounted there dies with the command, taking the pins with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"

bool tcc_privileged(void)
{
	unsigned long long eff = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	/* capability numbers from linux/capability.h */
	return (eff >> 12 & 1) && ((eff >> 39 & 1) || (eff >> 21 & 1));
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE	71	/* since Linux 5.14 */
#endif

int tcc__netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

int tcc__netns_handle(struct tcc_ns_handle *h)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[TCC_NS_HANDLE_MAX];
	} buf;
	int mnt, fd, err = 0;

	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf.fh.handle_bytes = TCC_NS_HANDLE_MAX;
	/* AT_EMPTY_PATH: the handle of the namespace the fd is, not of a
	 * path (a bind mount under /run/netns would not give one).
	 */
	if (name_to_handle_at(fd, "", &buf.fh, &mnt, AT_EMPTY_PATH))
		err = -errno;
	close(fd);
	if (err)
		return err;
	memset(h, 0, sizeof(*h));
	h->type = buf.fh.handle_type;
	h->len = buf.fh.handle_bytes;
	memcpy(h->bytes, buf.fh.f_handle, h->len);
	return 0;
}

int tcc__netns_alive(const struct tcc_ns_handle *h)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[TCC_NS_HANDLE_MAX];
	} buf;
	int nsfs, fd, err;

	if (!h->len || h->len > TCC_NS_HANDLE_MAX)
		return -EINVAL;
	buf.fh.handle_type = h->type;
	buf.fh.handle_bytes = h->len;
	memcpy(buf.fh.f_handle, h->bytes, h->len);
	/* Any file on nsfs names the filesystem the handle belongs to. */
	nsfs = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (nsfs < 0)
		return -errno;
	fd = open_by_handle_at(nsfs, &buf.fh, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	close(nsfs);
	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return err == -ESTALE ? 0 : err;
}

/*
 * The initial mount namespace: a fixed inode number on kernels that give
 * init's namespaces fixed numbers (as they long have for ipc, uts, user,
 * pid, cgroup and time), else the namespace of pid 1 when we may look.
 */
#define MNT_NS_INIT_INO	0xEFFFFFF8U

static int in_initial_mnt_ns(void)
{
	struct stat self, init;

	if (stat("/proc/self/ns/mnt", &self))
		return -errno;
	if (self.st_ino == MNT_NS_INIT_INO)
		return 1;
	if (stat("/proc/1/ns/mnt", &init))
		return 0;
	return self.st_ino == init.st_ino && self.st_dev == init.st_dev;
}

int tcc__bpffs_check(void)
{
	struct stat ours, init;
	struct statfs sfs;
	int initial = in_initial_mnt_ns();

	if (initial < 0)
		return initial;
	if (statfs(TCC_BPFFS, &sfs) || sfs.f_type != BPF_FS_MAGIC)
		/* Mounting one is right on the host; anywhere else (`ip netns
		 * exec` has a private /sys) it would die with this command.
		 */
		return initial ? 1 : -EXDEV;
	if (initial)
		return 0;
	/*
	 * Another mount namespace (a container, `unshare -m`): fine when it
	 * is the very bpffs init sees; each bpffs mount is a filesystem of
	 * its own, so the device numbers tell.  Without a view of init (a
	 * pid namespace, a non-dumpable init), trust a bpffs that is there,
	 * as a container given the host's /sys/fs/bpf must.
	 */
	if (stat(TCC_BPFFS, &ours))
		return -errno;
	if (stat("/proc/1/root" TCC_BPFFS, &init))
		return 0;
	return ours.st_dev == init.st_dev ? 0 : -EXDEV;
}
