/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Network-namespace keys and liveness proofs (netns.c); library-internal. */
#ifndef TCC_NETNS_H
#define TCC_NETNS_H

#include <linux/types.h>

#define TCC_BPFFS		"/sys/fs/bpf"
#define TCC_NS_HANDLE_MAX	64

/* An nsfs file handle: the kernel's own name for a namespace. */
struct tcc_ns_handle {
	__s32 type;
	__u32 len;
	unsigned char bytes[TCC_NS_HANDLE_MAX];
};

/* The current netns's cookie: never reused while the system runs. */
int tcc__netns_cookie(__u64 *cookie);
/* The current netns's file handle. */
int tcc__netns_handle(struct tcc_ns_handle *h);
/* 1: the namespace exists; 0: the kernel says it is gone (ESTALE);
 * -errno: no proof either way (e.g. -EOPNOTSUPP on kernels without nsfs
 * file handles): treat as alive.
 */
int tcc__netns_alive(const struct tcc_ns_handle *h);
/* Record the current namespace's file handle in its pin directory (a
 * directory named TCC_PIN_NETNS_PFX "<type>-<hex>"), once. */
int tcc__netns_mark(void);
#define TCC_PIN_NETNS_PFX	"netns-"
/* Remove a namespace's directory (and its record) when no chain is left. */
void tcc__netns_dir_release(const char *nsdir);

/*
 * Whether pins made under /sys/fs/bpf outlive this command: 0 when it is
 * the host's bpffs; 1 when none is mounted and this is the initial mount
 * namespace (mount one there); -EXDEV when the pins would live only as
 * long as a private mount namespace (`ip netns exec`); other -errno.
 */
int tcc__bpffs_check(void);

#endif
