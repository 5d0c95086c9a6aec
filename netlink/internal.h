/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Private to the netlink/ sources, and to tests/unit/test_netlink.c, which
 * feeds captured replies through the same reply loop.  Not part of the API.
 */
#ifndef TCC_NETLINK_INTERNAL_H
#define TCC_NETLINK_INTERNAL_H

#include <stdbool.h>
#include <linux/netlink.h>
#include <libmnl/libmnl.h>

#include "netlink/tcnl.h"

/*
 * Requests are built in a buffer of MNL_SOCKET_BUFFER_SIZE bytes, which is
 * min(page size, 8192).  Replies are read into 32 KiB: the kernel sizes dump
 * datagrams after the largest buffer it has seen us read with (up to 32 KiB),
 * and a datagram that does not fit would be cut (MSG_TRUNC, ENOSPC).
 */
#define TCC_NL_REQ_SIZE		8192
#define TCC_NL_RECV_SIZE	32768
#define TCC_NL_EXT_MSG_SIZE	512

/*
 * The flags each operation sends (the builders add NLM_F_REQUEST); named here
 * so that the unit tests check the bytes the operations really send.  Why
 * these: see filter.c and qdisc.c.
 */
#define TCC_NL_QDISC_ADD_FLAGS		(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
#define TCC_NL_QDISC_DEL_FLAGS		NLM_F_ACK
#define TCC_NL_FILTER_ADD_FLAGS		(NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK)
#define TCC_NL_FILTER_REPLACE_FLAGS	(NLM_F_REPLACE | NLM_F_ACK)

struct tcc_nl {
	struct mnl_socket *sk;
	__u32 portid;
	__u32 seq;
	char ext_msg[TCC_NL_EXT_MSG_SIZE];	/* "" when the kernel said nothing */
	char req[TCC_NL_REQ_SIZE] __attribute__((aligned(8)));
	char rbuf[TCC_NL_RECV_SIZE] __attribute__((aligned(8)));
};

/*
 * Called for each data message (type >= NLMSG_MIN_TYPE) of the reply: 0 to
 * go on, anything else stops the walk and becomes the request's result (the
 * rest of a dump is still read and dropped, so the socket stays in step).
 */
typedef int (*tcc_nl__msg_cb)(const struct nlmsghdr *nlh, void *arg);

/* One request in flight: what tcc_nl__feed() needs to check and fill. */
struct tcc_nl_req {
	struct tcc_nl *nl;	/* gets the extended-ACK text; may be NULL */
	__u32 seq;
	__u32 portid;
	tcc_nl__msg_cb cb;	/* may be NULL */
	void *arg;
	int ret;		/* first error or cb result */
	bool done;		/* NLMSG_ERROR/ACK or NLMSG_DONE seen */
};

/*
 * Start a request in buf (MNL_SOCKET_BUFFER_SIZE bytes, all cleared):
 * the header with NLM_F_REQUEST | flags.
 */
struct nlmsghdr *tcc_nl__msg_start(void *buf, __u16 type, __u16 flags, __u32 seq);

/* A fresh, non-zero sequence number (libmnl does not check seq 0). */
__u32 tcc_nl__seq(struct tcc_nl *nl);

/*
 * Send nlh (its nlmsg_seq already set) and read replies until the kernel's
 * ACK, error or NLMSG_DONE.  Returns 0, the kernel's -errno, a transport
 * -errno, or the first non-zero result of cb.
 */
int tcc_nl__request(struct tcc_nl *nl, struct nlmsghdr *nlh, tcc_nl__msg_cb cb, void *arg);

/*
 * Run one datagram of replies through the request's checks and callbacks:
 * 1 wants more, 0 finished (result in r->ret), -errno when the datagram is
 * not a reply to this request (-ESRCH other port id, -EPROTO other sequence,
 * -EINTR dump interrupted, -EBADMSG malformed).
 */
int tcc_nl__feed(struct tcc_nl_req *r, const void *buf, size_t len);

/* The NLMSG_ERROR / NLMSG_DONE handlers given to mnl_cb_run2(). */
int tcc_nl__cb_error(const struct nlmsghdr *nlh, void *data);
int tcc_nl__cb_done(const struct nlmsghdr *nlh, void *data);

/*
 * mnl_attr_parse() and friends, strict: every attribute goes to cb (which
 * fills a tb[] table), and bytes left over that do not form a whole attribute
 * make the message malformed.  libmnl stops quietly at the first attribute
 * that does not fit, which would turn a truncated reply into a short one.
 * 0 or -EINVAL.
 */
int tcc_nl__parse(const struct nlmsghdr *nlh, size_t hdrlen, mnl_attr_cb_t cb, void *tb);
int tcc_nl__parse_nested(const struct nlattr *nest, mnl_attr_cb_t cb, void *tb);

/* Copy a validated NUL-terminated string attribute, truncating to len. */
void tcc_nl__strcpy(char *dst, size_t len, const struct nlattr *attr);

/* 0 when ifindex names a device in the socket's namespace, -ENODEV if not. */
int tcc_nl__link_check(struct tcc_nl *nl, int ifindex);

#endif /* TCC_NETLINK_INTERNAL_H */
