// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Namespace keys and proofs against the real kernel: the netns cookie is
 * per namespace and never reused, a dead namespace's file handle is
 * refused by the kernel (ESTALE), and a bpffs mounted in a private mount
 * namespace (what `ip netns exec` leads to) is told from the host's.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"
#include "tests/lib/tst.h"

/* Run fn in a child in fresh namespaces (flags); its result through a pipe. */
struct child_out {
	int rc;
	__u64 cookie;
	struct tcc_ns_handle h;
};

static int in_child(int flags, void (*fn)(struct child_out *), struct child_out *out)
{
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		struct child_out o = {};

		close(pfd[0]);
		o.rc = unshare(flags) ? -errno : 0;
		if (!o.rc)
			fn(&o);
		_exit(write(pfd[1], &o, sizeof(o)) == sizeof(o) ? 0 : 1);
	}
	close(pfd[1]);
	if (read(pfd[0], out, sizeof(*out)) != sizeof(*out))
		out->rc = -EIO;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return 0;
}

static void child_ids(struct child_out *o)
{
	o->rc = tcc__netns_cookie(&o->cookie);
	if (!o->rc)
		o->rc = tcc__netns_handle(&o->h);
}

static void cookie_is_per_namespace(void)
{
	struct child_out a = {}, b = {};
	__u64 c1, c2;

	ASSERT_OK(tcc__netns_cookie(&c1), "cookie");
	ASSERT_OK(tcc__netns_cookie(&c2), "cookie again");
	ASSERT_EQ(c1, c2, "the same namespace, the same cookie");
	ASSERT_OK(in_child(CLONE_NEWNET, child_ids, &a), "child a");
	ASSERT_OK(in_child(CLONE_NEWNET, child_ids, &b), "child b");
	ASSERT_OK(a.rc, "cookie in a new namespace");
	ASSERT_OK(b.rc, "cookie in another new namespace");
	ASSERT_TRUE(a.cookie != c1 && b.cookie != c1 && a.cookie != b.cookie,
		    "cookies %llu %llu %llu", (unsigned long long)c1,
		    (unsigned long long)a.cookie, (unsigned long long)b.cookie);
}

static void dead_namespace_is_proven_dead(void)
{
	struct tcc_ns_handle self;
	struct child_out a = {};
	int alive;

	ASSERT_OK(tcc__netns_handle(&self), "handle of our namespace");
	ASSERT_EQ(tcc__netns_alive(&self), 1, "our namespace is alive");
	ASSERT_OK(in_child(CLONE_NEWNET, child_ids, &a), "child");
	if (!ASSERT_OK(a.rc, "handle in a namespace that dies with the child"))
		return;
	/* the child exited: nothing holds its namespace any more, but the
	 * kernel frees it asynchronously (cleanup_net)
	 */
	for (int i = 0; i < 200; i++) {
		alive = tcc__netns_alive(&a.h);
		if (alive != 1)
			break;
		usleep(10000);
	}
	ASSERT_EQ(alive, 0, "the kernel says the child's namespace is gone");
}

static void child_netns_exec(struct child_out *o)
{
	/* What `ip netns exec` does: a private mount namespace with a
	 * fresh sysfs on /sys, so no bpffs at /sys/fs/bpf.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) ||
	    umount2("/sys", MNT_DETACH) || mount("tcc-test", "/sys", "sysfs", 0, NULL)) {
		o->rc = -errno;
		return;
	}
	o->rc = tcc__bpffs_check();
}

static void child_shared_bpffs(struct child_out *o)
{
	o->rc = tcc__bpffs_check();
}

static void private_bpffs_is_refused(void)
{
	struct child_out a = {}, b = {};

	ASSERT_EQ(tcc__bpffs_check(), 0, "the bpffs we run with is the host's");
	ASSERT_OK(in_child(CLONE_NEWNS, child_shared_bpffs, &b), "child");
	ASSERT_EQ(b.rc, 0, "another mount namespace that sees the same bpffs is fine");
	ASSERT_OK(in_child(CLONE_NEWNS | CLONE_NEWNET, child_netns_exec, &a), "child");
	ASSERT_EQ(a.rc, -EXDEV, "no bpffs in a private mount namespace: refused, not mounted");
}

/* A bpffs of the child's own, to plant what a local user could. */
static void child_pin_root(struct child_out *o)
{
	char dir[] = "/tmp/tcc-pinroot-XXXXXX", root[64], other[64], why[256];
	int rc = 0;

	if (!mkdtemp(dir) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount("bpf", dir, "bpf", 0, "mode=0700")) {
		o->rc = -errno;
		return;
	}
	snprintf(root, sizeof(root), "%s/tcchain", dir);
	snprintf(other, sizeof(other), "%s/elsewhere", dir);
	/* each case: a pin root that must be refused, then a fine one */
	if (mkdir(other, 0700) || symlink(other, root))
		rc = -errno;
	else if (tcc__pin_root_check_at(dir, root, why, sizeof(why)) != -EPERM ||
		 !strstr(why, "symbolic link"))
		rc = 1;
	else if (unlink(root) || mkdir(root, 0700) || chown(root, 1000, 1000))
		rc = -errno;
	else if (tcc__pin_root_check_at(dir, root, why, sizeof(why)) != -EPERM ||
		 !strstr(why, "owned by uid 1000"))
		rc = 2;
	else if (chown(root, 0, 0) || chmod(root, 0770))
		rc = -errno;
	else if (tcc__pin_root_check_at(dir, root, why, sizeof(why)) != -EPERM ||
		 !strstr(why, "writable by others"))
		rc = 3;
	else if (chmod(root, 0700))
		rc = -errno;
	else if (tcc__pin_root_check_at(dir, root, why, sizeof(why)))
		rc = 4;
	else if (chmod(dir, 0777))
		rc = -errno;
	else if (tcc__pin_root_check_at(dir, root, why, sizeof(why)) != -EPERM ||
		 !strstr(why, "sticky"))
		rc = 5;
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	o->rc = rc;
}

static void pin_root_must_be_roots_alone(void)
{
	struct child_out a = {};

	ASSERT_OK(in_child(CLONE_NEWNS, child_pin_root, &a), "child");
	ASSERT_EQ(a.rc, 0, "symlink, foreign owner, group/other write, bpffs without sticky bit refused; root 0700 accepted");
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(cookie_is_per_namespace),
		TST_CASE(dead_namespace_is_proven_dead),
		TST_CASE(private_bpffs_is_refused),
		TST_CASE(pin_root_must_be_roots_alone),
	};

	return tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
