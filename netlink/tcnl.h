/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * rtnetlink for clsact qdiscs and cls_bpf filters, over libmnl.
 *
 * Knows nothing about chains.  Every call returns 0 or -errno; when the
 * kernel attached an extended-ACK message to its answer, tcc_nl_ext_msg()
 * returns that text until the next request.
 */
#ifndef TCC_NETLINK_H
#define TCC_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

struct tcc_nl;
struct nlmsghdr;

struct tcc_nl *tcc_nl_open(void);		/* NULL + errno */
void tcc_nl_close(struct tcc_nl *nl);
/* The kernel's extended-ACK message for the last request, or NULL. */
const char *tcc_nl_ext_msg(const struct tcc_nl *nl);

/*
 * The clsact hook points.  The one direction type of the whole tree: the
 * library's chains are keyed by it too (libtcchain.h), so nothing casts
 * between two enums.
 */
enum tcc_dir {
	TCC_INGRESS,
	TCC_EGRESS,
};
/* The hook as a tc parent: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS|EGRESS). */
__u32 tcc_nl_hook_parent(enum tcc_dir dir);

/* ---- qdiscs -------------------------------------------------------------- */

struct tcc_nl_qdisc {
	char kind[16];		/* "clsact", "ingress", ... */
	__u32 handle;
	__u32 parent;
};

/*
 * The qdisc on the device's ingress/clsact attachment point (parent
 * TC_H_INGRESS): 0 and *q filled, -ENOENT when there is none, -ENODEV when
 * the device does not exist.
 */
int tcc_nl_qdisc_ingress_get(struct tcc_nl *nl, int ifindex, struct tcc_nl_qdisc *q);
/* Create clsact; NLM_F_EXCL, so an existing one is -EEXIST, never touched. */
int tcc_nl_qdisc_clsact_add(struct tcc_nl *nl, int ifindex);
int tcc_nl_qdisc_clsact_del(struct tcc_nl *nl, int ifindex);

/* ---- cls_bpf filters ------------------------------------------------------ */

struct tcc_nl_filter {
	int ifindex;
	__u32 parent;		/* tcc_nl_hook_parent() */
	__u16 prio;		/* 1..65535 */
	__u32 handle;		/* non-zero */
	int prog_fd;
	const char *name;	/* TCA_BPF_NAME, shown by tc */
};

/* Add a direct-action filter matching ETH_P_ALL; -EEXIST if one is at
 * (prio, handle) already.
 */
int tcc_nl_filter_add(struct tcc_nl *nl, const struct tcc_nl_filter *f);
/*
 * Swap the program of the existing filter at (prio, handle) in place.
 * No NLM_F_EXCL and no NLM_F_CREATE: the kernel replaces the program of the
 * filter atomically (packets see the old or the new one), and a missing
 * filter is -ENOENT rather than a new one.
 */
int tcc_nl_filter_replace(struct tcc_nl *nl, const struct tcc_nl_filter *f);
int tcc_nl_filter_del(struct tcc_nl *nl, int ifindex, __u32 parent, __u16 prio, __u32 handle);

struct tcc_nl_filter_info {
	__u32 parent;
	__u16 prio;
	__u16 protocol;		/* host order, ETH_P_* */
	__u32 handle;
	__u32 chain;		/* tc filter chain (TCA_CHAIN); tcchain uses 0 */
	char kind[16];		/* "bpf", "u32", ... */
	/* cls_bpf only; has_prog is false for other kinds */
	bool has_prog;
	bool direct_action;
	__u32 prog_id;
	char name[256];
	__u8 tag[8];
	__u32 gen_flags;	/* TCA_BPF_FLAGS_GEN */
};

typedef int (*tcc_nl_filter_cb)(const struct tcc_nl_filter_info *f, void *arg);

/*
 * Call cb for each filter under (ifindex, parent).  The per-chain header
 * entry (no handle) that the kernel also reports is skipped.  A non-zero
 * return from cb stops the walk and is returned.
 */
int tcc_nl_filter_dump(struct tcc_nl *nl, int ifindex, __u32 parent,
		       tcc_nl_filter_cb cb, void *arg);

/* ---- message encode / decode, exposed for the unit tests ------------------- */

/* Each builds one request in buf (at least MNL_SOCKET_BUFFER_SIZE bytes) and
 * returns its header, or NULL if it does not fit.
 */
struct nlmsghdr *tcc_nl_msg_qdisc(void *buf, __u16 type, __u16 flags, __u32 seq,
				  int ifindex, const char *kind);
struct nlmsghdr *tcc_nl_msg_qdisc_dump(void *buf, __u32 seq, int ifindex);
struct nlmsghdr *tcc_nl_msg_filter(void *buf, __u16 type, __u16 flags, __u32 seq,
				   const struct tcc_nl_filter *f);
struct nlmsghdr *tcc_nl_msg_filter_del(void *buf, __u32 seq, int ifindex, __u32 parent,
				       __u16 prio, __u32 handle);
struct nlmsghdr *tcc_nl_msg_filter_dump(void *buf, __u32 seq, int ifindex, __u32 parent);

/* Parse one RTM_NEWTFILTER / RTM_NEWQDISC message: 0, or -EINVAL if malformed. */
int tcc_nl_filter_parse(const struct nlmsghdr *nlh, struct tcc_nl_filter_info *f);
int tcc_nl_qdisc_parse(const struct nlmsghdr *nlh, int *ifindex, struct tcc_nl_qdisc *q);
/* The text of an NLMSGERR_ATTR_MSG in an NLMSG_ERROR message, or NULL. */
const char *tcc_nl_err_msg(const struct nlmsghdr *nlh);

#endif /* TCC_NETLINK_H */
