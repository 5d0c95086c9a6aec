// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * netlink/: request bytes, reply parsing, and the real kernel.
 *
 *  msg_*    the bytes of every request, against arrays written out by hand
 *           from the uapi layout (little-endian hosts only)
 *  parse_*  replies captured once from this kernel (netlink_data.h): a
 *  feed_*   throwaway program ran each request in a fresh network namespace
 *           and saved every datagram it read; see that file for which
 *  live_*   the kernel itself, each case in a network namespace of its own
 *           (unshare(CLONE_NEWNET), root only)
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "netlink/internal.h"
#include "netlink/tcnl.h"
#include "tests/lib/tst.h"
#include "tests/unit/netlink_data.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Little-endian byte sequences, for writing the expected messages out. */
#define LE16(x)	(unsigned char)((x) & 0xff), (unsigned char)(((x) >> 8) & 0xff)
#define LE32(x)	LE16((x) & 0xffff), LE16(((x) >> 16) & 0xffff)

#define SEQ	0x01020304

static bool little_endian(void)
{
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		return true;
	SKIP("expected bytes are written for little-endian hosts");
	return false;
}

/* A buffer full of junk, so that bytes the builder forgets to clear show. */
static void *junk_buf(void)
{
	static char buf[TCC_NL_REQ_SIZE] __attribute__((aligned(8)));

	memset(buf, 0xaa, sizeof(buf));
	return buf;
}

static void check_msg(const struct nlmsghdr *nlh, const unsigned char *want, size_t len,
		      const char *what)
{
	if (!ASSERT_TRUE(nlh, "%s: builder returned NULL (%s)", what, strerror(errno)))
		return;
	if (!ASSERT_EQ(nlh->nlmsg_len, len, what))
		return;
	ASSERT_MEMEQ(nlh, want, len, what);
}

/* ---- request bytes --------------------------------------------------------- */

static void msg_qdisc_add(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: len, RTM_NEWQDISC, REQUEST|ACK|EXCL|CREATE, seq, pid */
		LE32(48), LE16(36), LE16(0x0605), LE32(SEQ), LE32(0),
		/* tcmsg: family, pad, pad, ifindex, handle ffff:0, parent
		 * TC_H_INGRESS (= TC_H_CLSACT), info
		 */
		0, 0, LE16(0), LE32(3), LE32(0xffff0000), LE32(0xfffffff1), LE32(0),
		/* TCA_KIND "clsact" (7 bytes with NUL, 1 byte of padding) */
		LE16(11), LE16(1), 'c', 'l', 's', 'a', 'c', 't', 0, 0,
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_qdisc(junk_buf(), RTM_NEWQDISC, TCC_NL_QDISC_ADD_FLAGS,
				   SEQ, 3, "clsact"), want, sizeof(want), "clsact add");
}

static void msg_qdisc_del(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_DELQDISC, REQUEST|ACK */
		LE32(48), LE16(37), LE16(0x0005), LE32(SEQ), LE32(0),
		0, 0, LE16(0), LE32(3), LE32(0xffff0000), LE32(0xfffffff1), LE32(0),
		LE16(11), LE16(1), 'c', 'l', 's', 'a', 'c', 't', 0, 0,
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_qdisc(junk_buf(), RTM_DELQDISC, TCC_NL_QDISC_DEL_FLAGS,
				   SEQ, 3, "clsact"), want, sizeof(want), "clsact del");
}

static void msg_qdisc_dump(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_GETQDISC, REQUEST|DUMP (ROOT|MATCH) */
		LE32(36), LE16(38), LE16(0x0301), LE32(SEQ), LE32(0),
		/* tcmsg: only the ifindex */
		0, 0, LE16(0), LE32(3), LE32(0), LE32(0), LE32(0),
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_qdisc_dump(junk_buf(), SEQ, 3), want, sizeof(want), "qdisc dump");
}

static const struct tcc_nl_filter test_filter = {
	.ifindex = 3,
	.parent = 0xfffffff2,	/* ffff:fff2, clsact ingress */
	.prio = 0xc000,		/* high bit set: no sign trouble in the shift */
	.handle = 0x2a,
	.prog_fd = 7,
	.name = "tcchain",
};

/* The same body for add and replace; only the flags differ. */
#define FILTER_BODY							\
	/* tcmsg: family, pad, pad, ifindex, handle, parent,		\
	 * info = prio << 16 | htons(ETH_P_ALL)				\
	 */								\
	0, 0, LE16(0), LE32(3), LE32(0x2a), LE32(0xfffffff2), LE32(0xc0000300), \
	/* TCA_KIND "bpf" */						\
	LE16(8), LE16(1), 'b', 'p', 'f', 0,				\
	/* TCA_OPTIONS, NLA_F_NESTED set by libmnl */			\
	LE16(32), LE16(0x8002),						\
	/* TCA_BPF_FD 7 */						\
	LE16(8), LE16(6), LE32(7),					\
	/* TCA_BPF_NAME "tcchain" */					\
	LE16(12), LE16(7), 't', 'c', 'c', 'h', 'a', 'i', 'n', 0,	\
	/* TCA_BPF_FLAGS TCA_BPF_FLAG_ACT_DIRECT */			\
	LE16(8), LE16(8), LE32(1)

static void msg_filter_add(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_NEWTFILTER, REQUEST|ACK|EXCL|CREATE */
		LE32(76), LE16(44), LE16(0x0605), LE32(SEQ), LE32(0),
		FILTER_BODY,
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_filter(junk_buf(), RTM_NEWTFILTER, TCC_NL_FILTER_ADD_FLAGS,
				    SEQ, &test_filter), want, sizeof(want), "filter add");
}

static void msg_filter_replace(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_NEWTFILTER, REQUEST|ACK|REPLACE: no EXCL, no CREATE */
		LE32(76), LE16(44), LE16(0x0105), LE32(SEQ), LE32(0),
		FILTER_BODY,
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_filter(junk_buf(), RTM_NEWTFILTER, TCC_NL_FILTER_REPLACE_FLAGS,
				    SEQ, &test_filter), want, sizeof(want), "filter replace");
}

static void msg_filter_del(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_DELTFILTER, REQUEST|ACK */
		LE32(44), LE16(45), LE16(0x0005), LE32(SEQ), LE32(0),
		0, 0, LE16(0), LE32(3), LE32(0x2a), LE32(0xfffffff2), LE32(0xc0000300),
		LE16(8), LE16(1), 'b', 'p', 'f', 0,
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_filter_del(junk_buf(), SEQ, 3, 0xfffffff2, 0xc000, 0x2a),
		  want, sizeof(want), "filter del");
}

static void msg_filter_dump(void)
{
	static const unsigned char want[] = {
		/* nlmsghdr: RTM_GETTFILTER, REQUEST|DUMP */
		LE32(36), LE16(46), LE16(0x0301), LE32(SEQ), LE32(0),
		/* tcmsg: ifindex, parent ffff:fff3 (egress); no prio, no handle */
		0, 0, LE16(0), LE32(3), LE32(0), LE32(0xfffffff3), LE32(0),
	};

	if (!little_endian())
		return;
	check_msg(tcc_nl_msg_filter_dump(junk_buf(), SEQ, 3, 0xfffffff3),
		  want, sizeof(want), "filter dump");
}

static void msg_filter_too_big(void)
{
	struct tcc_nl_filter f = test_filter;
	static char name[TCC_NL_REQ_SIZE];

	memset(name, 'x', sizeof(name) - 1);
	f.name = name;
	errno = 0;
	ASSERT_TRUE(!tcc_nl_msg_filter(junk_buf(), RTM_NEWTFILTER, TCC_NL_FILTER_ADD_FLAGS,
				       SEQ, &f), "a name larger than the buffer must not fit");
	ASSERT_EQ(errno, EMSGSIZE, "errno");
}

static void hook_parent(void)
{
	ASSERT_EQ(tcc_nl_hook_parent(TCC_INGRESS), 0xfffffff2, "ingress parent");
	ASSERT_EQ(tcc_nl_hook_parent(TCC_EGRESS), 0xfffffff3, "egress parent");
}

/* ---- captured replies ------------------------------------------------------ */

/* The n-th message of a captured datagram. */
static const struct nlmsghdr *nth_msg(const void *buf, size_t len, int n)
{
	const struct nlmsghdr *nlh = buf;
	int rem = len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		if (n-- == 0)
			return nlh;
	return NULL;
}

static void parse_filter_dump(void)
{
	static const __u8 tag[8] = { 0x59, 0xf4, 0xa9, 0x31, 0x74, 0x4d, 0xcd, 0xc6 };
	const struct nlmsghdr *nlh;
	struct tcc_nl_filter_info f;

	/* First the per-priority header entry: no handle, no options. */
	nlh = nth_msg(cap_filter_dump_0, sizeof(cap_filter_dump_0), 0);
	if (!ASSERT_TRUE(nlh, "message 0"))
		return;
	ASSERT_OK(tcc_nl_filter_parse(nlh, &f), "parse header entry");
	ASSERT_EQ(f.handle, 0, "header handle");
	ASSERT_EQ(f.prio, 1, "header prio");
	ASSERT_EQ(f.protocol, ETH_P_ALL, "header protocol");
	ASSERT_STREQ(f.kind, "bpf", "header kind");
	ASSERT_TRUE(!f.has_prog, "header entry has no program");

	nlh = nth_msg(cap_filter_dump_0, sizeof(cap_filter_dump_0), 1);
	if (!ASSERT_TRUE(nlh, "message 1"))
		return;
	ASSERT_OK(tcc_nl_filter_parse(nlh, &f), "parse filter");
	ASSERT_EQ(f.parent, 0xfffffff2, "parent");
	ASSERT_EQ(f.prio, 1, "prio");
	ASSERT_EQ(f.protocol, ETH_P_ALL, "protocol");
	ASSERT_EQ(f.handle, 1, "handle");
	ASSERT_STREQ(f.kind, "bpf", "kind");
	ASSERT_TRUE(f.has_prog, "has_prog");
	ASSERT_TRUE(f.direct_action, "direct_action");
	ASSERT_EQ(f.prog_id, 0x5e0, "prog_id");
	ASSERT_STREQ(f.name, "tcc_cap", "name");
	ASSERT_MEMEQ(f.tag, tag, sizeof(tag), "tag");
	ASSERT_EQ(f.gen_flags, TCA_CLS_FLAGS_NOT_IN_HW, "gen_flags");

	ASSERT_TRUE(!nth_msg(cap_filter_dump_0, sizeof(cap_filter_dump_0), 2),
		    "two messages in the first datagram");
	nlh = nth_msg(cap_filter_dump_1, sizeof(cap_filter_dump_1), 0);
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "NLMSG_DONE is not a filter");
}

static void parse_qdisc_dump(void)
{
	const struct nlmsghdr *nlh;
	struct tcc_nl_qdisc q;
	int ifindex = -1;

	nlh = nth_msg(cap_qdisc_dump_0, sizeof(cap_qdisc_dump_0), 0);
	ASSERT_OK(tcc_nl_qdisc_parse(nlh, &ifindex, &q), "parse root qdisc");
	ASSERT_STREQ(q.kind, "noqueue", "root kind");
	ASSERT_EQ(q.parent, TC_H_ROOT, "root parent");
	ASSERT_EQ(ifindex, 1, "root ifindex");

	nlh = nth_msg(cap_qdisc_dump_0, sizeof(cap_qdisc_dump_0), 1);
	ASSERT_OK(tcc_nl_qdisc_parse(nlh, &ifindex, &q), "parse clsact");
	ASSERT_STREQ(q.kind, "clsact", "kind");
	ASSERT_EQ(q.handle, 0xffff0000, "handle");
	ASSERT_EQ(q.parent, TC_H_INGRESS, "parent");
	ASSERT_EQ(ifindex, 1, "ifindex");

	nlh = nth_msg(cap_ingress_dump_0, sizeof(cap_ingress_dump_0), 1);
	ASSERT_OK(tcc_nl_qdisc_parse(nlh, NULL, &q), "parse classic ingress");
	ASSERT_STREQ(q.kind, "ingress", "classic kind");
	ASSERT_EQ(q.handle, 0xffff0000, "classic handle");
	ASSERT_EQ(q.parent, TC_H_INGRESS, "classic parent");
}

static void parse_err_msg(void)
{
	const struct nlmsghdr *nlh;

	ASSERT_STREQ(tcc_nl_err_msg((const void *)cap_err_no_qdisc_0),
		     "Parent Qdisc doesn't exists", "capped error");
	/* Without NETLINK_CAP_ACK the request sits before the attributes. */
	ASSERT_STREQ(tcc_nl_err_msg((const void *)cap_err_uncapped_0),
		     "Parent Qdisc doesn't exists", "uncapped error");
	ASSERT_STREQ(tcc_nl_err_msg((const void *)cap_err_exists_0),
		     "Exclusivity flag on, cannot modify", "EEXIST");
	ASSERT_STREQ(tcc_nl_err_msg((const void *)cap_err_no_filter_0),
		     "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter",
		     "ENOENT");
	ASSERT_STREQ(tcc_nl_err_msg((const void *)cap_dump_err_0),
		     "Attribute failed policy validation", "NLMSG_DONE with error");
	ASSERT_TRUE(!tcc_nl_err_msg((const void *)cap_ack_0), "a plain ACK has no text");
	ASSERT_TRUE(!tcc_nl_err_msg((const void *)cap_filter_dump_1), "a plain DONE has no text");
	nlh = nth_msg(cap_filter_dump_0, sizeof(cap_filter_dump_0), 1);
	ASSERT_TRUE(!tcc_nl_err_msg(nlh), "a data message has no text");
}

/* The filter message of the captured dump, in a buffer the test may spoil. */
static struct nlmsghdr *filter_copy(void *buf)
{
	const struct nlmsghdr *nlh = nth_msg(cap_filter_dump_0, sizeof(cap_filter_dump_0), 1);

	memcpy(buf, nlh, nlh->nlmsg_len);
	return buf;
}

static void parse_malformed(void)
{
	char buf[256] __attribute__((aligned(8)));
	struct tcc_nl_filter_info f;
	struct tcc_nl_qdisc q;
	struct nlmsghdr *nlh;
	struct nlattr *attr;
	int len;

	/* Sanity: the unspoilt copy parses. */
	nlh = filter_copy(buf);
	ASSERT_OK(tcc_nl_filter_parse(nlh, &f), "unspoilt");

	/* Cut in the middle of TCA_OPTIONS. */
	nlh = filter_copy(buf);
	nlh->nlmsg_len -= 10;
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "cut in the last attribute");

	/* Cut two bytes into the next attribute header. */
	nlh = filter_copy(buf);
	len = nlh->nlmsg_len;
	nlh->nlmsg_len = len + 2;
	memset(buf + len, 0, 4);
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "bytes after the last attribute");

	/* Shorter than the tcmsg. */
	nlh = filter_copy(buf);
	nlh->nlmsg_len = sizeof(*nlh) + 8;
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "shorter than tcmsg");

	/* An attribute whose length is less than its own header. */
	nlh = filter_copy(buf);
	attr = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct tcmsg));
	attr->nla_len = 3;
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "nla_len 3");

	/* TCA_KIND without its NUL. */
	nlh = filter_copy(buf);
	attr = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct tcmsg));
	ASSERT_EQ(mnl_attr_get_type(attr), TCA_KIND, "first attribute is TCA_KIND");
	((char *)mnl_attr_get_payload(attr))[3] = 'x';
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "kind not NUL-terminated");

	/* A nested attribute running past its nest: TCA_BPF_NAME (the first
	 * in TCA_OPTIONS, 12 bytes) claims 16.
	 */
	nlh = filter_copy(buf);
	attr = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct tcmsg));
	attr = mnl_attr_next(mnl_attr_next(attr));	/* TCA_OPTIONS */
	ASSERT_EQ(mnl_attr_get_type(attr) & NLA_TYPE_MASK, TCA_OPTIONS, "third is TCA_OPTIONS");
	attr = mnl_attr_get_payload(attr);
	ASSERT_EQ(mnl_attr_get_type(attr), TCA_BPF_NAME, "first option is the name");
	attr->nla_len = 0x34;
	ASSERT_EQ(tcc_nl_filter_parse(nlh, &f), -EINVAL, "option longer than its nest");

	/* A qdisc cut inside TCA_KIND. */
	memcpy(buf, nth_msg(cap_qdisc_dump_0, sizeof(cap_qdisc_dump_0), 1), 0x98);
	nlh = (struct nlmsghdr *)buf;
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(struct tcmsg) + 6;
	ASSERT_EQ(tcc_nl_qdisc_parse(nlh, NULL, &q), -EINVAL, "qdisc cut in its kind");
	/* And one with no kind at all. */
	nlh->nlmsg_len = sizeof(*nlh) + sizeof(struct tcmsg);
	ASSERT_EQ(tcc_nl_qdisc_parse(nlh, NULL, &q), -EINVAL, "qdisc without kind");
	/* A filter is not a qdisc. */
	ASSERT_EQ(tcc_nl_qdisc_parse(filter_copy(buf), NULL, &q), -EINVAL, "wrong type");
}

/* ---- the reply loop, fed captured datagrams -------------------------------- */

static int count_filters(const struct nlmsghdr *nlh, void *arg)
{
	struct tcc_nl_filter_info f;
	int err = tcc_nl_filter_parse(nlh, &f);

	if (err)
		return err;
	(*(int *)arg)++;
	return 0;
}

static struct tcc_nl *fake_nl(void)
{
	/* Only ext_msg is used: no socket. */
	return calloc(1, sizeof(struct tcc_nl));
}

static void feed_dump(void)
{
	struct tcc_nl_req r = {
		.seq = CAP_FILTER_DUMP_SEQ, .portid = CAP_FILTER_DUMP_PORTID,
		.cb = count_filters,
	};
	int n = 0;

	r.arg = &n;
	ASSERT_EQ(tcc_nl__feed(&r, cap_filter_dump_0, sizeof(cap_filter_dump_0)), 1,
		  "first part: wants more");
	ASSERT_EQ(n, 2, "messages seen");
	ASSERT_EQ(tcc_nl__feed(&r, cap_filter_dump_1, sizeof(cap_filter_dump_1)), 0,
		  "NLMSG_DONE: finished");
	ASSERT_OK(r.ret, "result");
}

static void feed_dump_error(void)
{
	struct tcc_nl_req r = { .seq = CAP_DUMP_ERR_SEQ, .portid = CAP_DUMP_ERR_PORTID };

	r.nl = fake_nl();
	if (!ASSERT_TRUE(r.nl, "calloc"))
		return;
	ASSERT_EQ(tcc_nl__feed(&r, cap_dump_err_0, sizeof(cap_dump_err_0)), 0, "finished");
	ASSERT_EQ(r.ret, -ERANGE, "the error inside NLMSG_DONE");
	ASSERT_STREQ(tcc_nl_ext_msg(r.nl), "Attribute failed policy validation", "ext msg");
	free(r.nl);
}

static void feed_errors(void)
{
	struct tcc_nl_req r;
	struct tcc_nl *nl = fake_nl();

	if (!ASSERT_TRUE(nl, "calloc"))
		return;
	r = (struct tcc_nl_req){ .nl = nl, .seq = CAP_ACK_SEQ, .portid = CAP_ACK_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, cap_ack_0, sizeof(cap_ack_0)), 0, "ACK finishes");
	ASSERT_OK(r.ret, "ACK result");
	ASSERT_TRUE(!tcc_nl_ext_msg(nl), "no text with the ACK");

	r = (struct tcc_nl_req){ .nl = nl, .seq = CAP_ERR_EXISTS_SEQ, .portid = CAP_ERR_EXISTS_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, cap_err_exists_0, sizeof(cap_err_exists_0)), 0, "error finishes");
	ASSERT_EQ(r.ret, -EEXIST, "error result");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Exclusivity flag on, cannot modify", "ext msg");

	nl->ext_msg[0] = '\0';
	r = (struct tcc_nl_req){ .nl = nl, .seq = CAP_ERR_UNCAPPED_SEQ, .portid = CAP_ERR_UNCAPPED_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, cap_err_uncapped_0, sizeof(cap_err_uncapped_0)), 0, "uncapped");
	ASSERT_EQ(r.ret, -EINVAL, "uncapped result");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Parent Qdisc doesn't exists", "uncapped ext msg");
	free(nl);
}

static void feed_foreign(void)
{
	char buf[sizeof(cap_filter_dump_0)] __attribute__((aligned(8)));
	struct tcc_nl_req r;

	r = (struct tcc_nl_req){ .seq = CAP_ACK_SEQ + 1, .portid = CAP_ACK_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, cap_ack_0, sizeof(cap_ack_0)), -EPROTO,
		  "reply to another sequence number");
	r = (struct tcc_nl_req){ .seq = CAP_ACK_SEQ, .portid = CAP_ACK_PORTID + 1 };
	ASSERT_EQ(tcc_nl__feed(&r, cap_ack_0, sizeof(cap_ack_0)), -ESRCH,
		  "reply to another port");

	r = (struct tcc_nl_req){ .seq = CAP_FILTER_DUMP_SEQ, .portid = CAP_FILTER_DUMP_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, cap_filter_dump_0, sizeof(cap_filter_dump_0) - 4),
		  -EBADMSG, "datagram cut in a message");

	memcpy(buf, cap_filter_dump_0, sizeof(buf));
	((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_DUMP_INTR;
	r = (struct tcc_nl_req){ .seq = CAP_FILTER_DUMP_SEQ, .portid = CAP_FILTER_DUMP_PORTID };
	ASSERT_EQ(tcc_nl__feed(&r, buf, sizeof(buf)), -EINTR, "dump interrupted");
}

/* ---- live: the kernel, in a private network namespace ---------------------- */

static int set_lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

/* A fresh namespace with lo (ifindex 1) up, and a handle in it; NULL + SKIP. */
static struct tcc_nl *live_setup(void)
{
	struct tcc_nl *nl;

	if (geteuid() != 0) {
		SKIP("needs root for unshare(CLONE_NEWNET)");
		return NULL;
	}
	if (unshare(CLONE_NEWNET)) {
		SKIP("unshare(CLONE_NEWNET): %s", strerror(errno));
		return NULL;
	}
	if (!ASSERT_OK(set_lo_up(), "lo up"))
		return NULL;
	nl = tcc_nl_open();
	ASSERT_TRUE(nl, "tcc_nl_open: %s", strerror(errno));
	return nl;
}

/* r0 = ret; exit */
static int prog_load(int ret, __u32 *id, __u8 *tag)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "tcc_nltest", "GPL", insns,
			   ARRAY_SIZE(insns), NULL);
	if (fd < 0)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		close(fd);
		return -errno;
	}
	*id = info.id;
	if (tag)
		memcpy(tag, info.tag, sizeof(info.tag));
	return fd;
}

#define MAX_SEEN 4

struct seen {
	int n;
	struct tcc_nl_filter_info f[MAX_SEEN];
};

static int seen_cb(const struct tcc_nl_filter_info *f, void *arg)
{
	struct seen *s = arg;

	if (s->n < MAX_SEEN)
		s->f[s->n] = *f;
	s->n++;
	return 0;
}

static void live_clsact(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_qdisc q;

	if (!nl)
		return;
	ASSERT_EQ(tcc_nl_qdisc_ingress_get(nl, 1, &q), -ENOENT, "get before add");
	ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, 1), "add");
	ASSERT_TRUE(!tcc_nl_ext_msg(nl), "no text on success: \"%s\"", tcc_nl_ext_msg(nl) ?: "");
	if (ASSERT_OK(tcc_nl_qdisc_ingress_get(nl, 1, &q), "get")) {
		ASSERT_STREQ(q.kind, "clsact", "kind");
		ASSERT_EQ(q.handle, TC_H_MAKE(TC_H_CLSACT, 0), "handle");
		ASSERT_EQ(q.parent, TC_H_INGRESS, "parent");
	}
	ASSERT_EQ(tcc_nl_qdisc_clsact_add(nl, 1), -EEXIST, "add again");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Exclusivity flag on, cannot modify", "ext msg");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "del");
	ASSERT_TRUE(!tcc_nl_ext_msg(nl), "text cleared by the next request");
	ASSERT_EQ(tcc_nl_qdisc_ingress_get(nl, 1, &q), -ENOENT, "get after del");
	ASSERT_TRUE(tcc_nl_qdisc_clsact_del(nl, 1) < 0, "del of a missing clsact fails");
	tcc_nl_close(nl);
}

static void live_filter(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.ifindex = 1,
		.parent = tcc_nl_hook_parent(TCC_INGRESS),
		.prio = 7,
		.handle = 0x77,
		.name = "tcc_test",
	};
	__u32 id1 = 0, id2 = 0;
	int fd1 = -1, fd2 = -1;
	__u8 tag1[8] = {};
	struct seen s;

	if (!nl)
		return;
	if (!ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, 1), "clsact add"))
		goto out;
	fd1 = prog_load(0, &id1, tag1);		/* TC_ACT_OK */
	fd2 = prog_load(-1, &id2, NULL);	/* TC_ACT_UNSPEC */
	if (!ASSERT_TRUE(fd1 >= 0 && fd2 >= 0, "bpf_prog_load: %d %d", fd1, fd2))
		goto out;

	f.prog_fd = fd1;
	ASSERT_OK(tcc_nl_filter_add(nl, &f), "add");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump");
	if (ASSERT_EQ(s.n, 1, "filters after add")) {
		ASSERT_EQ(s.f[0].prog_id, id1, "prog id");
		ASSERT_MEMEQ(s.f[0].tag, tag1, sizeof(tag1), "tag");
		ASSERT_TRUE(s.f[0].has_prog, "has_prog");
		ASSERT_TRUE(s.f[0].direct_action, "direct_action");
		ASSERT_STREQ(s.f[0].name, "tcc_test", "name");
		ASSERT_STREQ(s.f[0].kind, "bpf", "kind");
		ASSERT_EQ(s.f[0].prio, 7, "prio");
		ASSERT_EQ(s.f[0].handle, 0x77, "handle");
		ASSERT_EQ(s.f[0].protocol, ETH_P_ALL, "protocol");
		ASSERT_EQ(s.f[0].parent, f.parent, "parent");
	}
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, tcc_nl_hook_parent(TCC_EGRESS), seen_cb, &s),
		  "dump egress");
	ASSERT_EQ(s.n, 0, "nothing on egress");

	f.prog_fd = fd2;
	ASSERT_OK(tcc_nl_filter_replace(nl, &f), "replace");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump after replace");
	if (ASSERT_EQ(s.n, 1, "filters after replace")) {
		ASSERT_EQ(s.f[0].prog_id, id2, "new prog id");
		ASSERT_TRUE(s.f[0].direct_action, "still direct_action");
	}

	ASSERT_EQ(tcc_nl_filter_add(nl, &f), -EEXIST, "add at the same prio/handle");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Filter already exists", "ext msg");

	ASSERT_OK(tcc_nl_filter_del(nl, 1, f.parent, f.prio, f.handle), "del");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump after del");
	ASSERT_EQ(s.n, 0, "filters after del");

	/* Replace never creates. */
	ASSERT_EQ(tcc_nl_filter_replace(nl, &f), -ENOENT, "replace of a missing filter");
	ASSERT_STREQ(tcc_nl_ext_msg(nl),
		     "Need both RTM_NEWTFILTER and NLM_F_CREATE to create a new filter",
		     "ext msg");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump after failed replace");
	ASSERT_EQ(s.n, 0, "replace created nothing");
	ASSERT_EQ(tcc_nl_filter_del(nl, 1, f.parent, f.prio, f.handle), -ENOENT, "del again");
	ASSERT_EQ(tcc_nl_filter_del(nl, 1, f.parent, 0, f.handle), -EINVAL, "del prio 0");
	ASSERT_EQ(tcc_nl_filter_del(nl, 1, f.parent, f.prio, 0), -EINVAL, "del handle 0");

	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "clsact del");
out:
	if (fd2 >= 0)
		close(fd2);
	if (fd1 >= 0)
		close(fd1);
	tcc_nl_close(nl);
}

static void live_extack(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.ifindex = 1,
		.parent = tcc_nl_hook_parent(TCC_INGRESS),
		.prio = 1,
		.handle = 1,
	};
	__u32 id;

	if (!nl)
		return;
	f.prog_fd = prog_load(0, &id, NULL);
	if (!ASSERT_TRUE(f.prog_fd >= 0, "bpf_prog_load: %d", f.prog_fd))
		goto out;

	ASSERT_EQ(tcc_nl_filter_add(nl, &f), -EINVAL, "add without clsact");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Parent Qdisc doesn't exists", "ext msg");

	if (!ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, 1), "clsact add"))
		goto out;
	f.parent = TC_H_MAKE(TC_H_CLSACT, 0xfff5);	/* neither ingress nor egress */
	ASSERT_EQ(tcc_nl_filter_add(nl, &f), -ENOENT, "add under a bad parent");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Specified class doesn't exist", "ext msg");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "clsact del");
out:
	if (f.prog_fd >= 0)
		close(f.prog_fd);
	tcc_nl_close(nl);
}

static int qdisc_request(struct tcc_nl *nl, __u16 type, __u16 flags, const char *kind)
{
	struct nlmsghdr *nlh = tcc_nl_msg_qdisc(nl->req, type, flags, tcc_nl__seq(nl), 1, kind);

	return nlh ? tcc_nl__request(nl, nlh, NULL, NULL) : -errno;
}

static void live_classic_ingress(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_qdisc q;

	if (!nl)
		return;
	if (!ASSERT_OK(qdisc_request(nl, RTM_NEWQDISC, TCC_NL_QDISC_ADD_FLAGS, "ingress"),
		       "classic ingress add"))
		goto out;
	if (ASSERT_OK(tcc_nl_qdisc_ingress_get(nl, 1, &q), "get")) {
		ASSERT_STREQ(q.kind, "ingress", "kind");
		ASSERT_EQ(q.handle, 0xffff0000, "handle");
		ASSERT_EQ(q.parent, TC_H_INGRESS, "parent");
	}
	ASSERT_EQ(tcc_nl_qdisc_clsact_add(nl, 1), -EEXIST, "clsact over ingress");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Exclusivity flag on, cannot modify", "ext msg");
	/* Deleting "clsact" must leave someone's classic ingress alone. */
	ASSERT_EQ(tcc_nl_qdisc_clsact_del(nl, 1), -EINVAL, "clsact del over ingress");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Invalid qdisc name: must match existing qdisc",
		     "ext msg");
	if (ASSERT_OK(tcc_nl_qdisc_ingress_get(nl, 1, &q), "get after clsact del"))
		ASSERT_STREQ(q.kind, "ingress", "still there");
	ASSERT_OK(qdisc_request(nl, RTM_DELQDISC, TCC_NL_QDISC_DEL_FLAGS, "ingress"),
		  "classic ingress del");
out:
	tcc_nl_close(nl);
}

static void live_enodev(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.ifindex = 4242,
		.parent = tcc_nl_hook_parent(TCC_INGRESS),
		.prio = 1,
		.handle = 1,
	};
	struct tcc_nl_qdisc q;
	struct seen s = {};
	__u32 id;

	if (!nl)
		return;
	f.prog_fd = prog_load(0, &id, NULL);
	if (!ASSERT_TRUE(f.prog_fd >= 0, "bpf_prog_load: %d", f.prog_fd))
		goto out;
	ASSERT_EQ(tcc_nl_qdisc_ingress_get(nl, 4242, &q), -ENODEV, "qdisc get");
	ASSERT_EQ(tcc_nl_qdisc_clsact_add(nl, 4242), -ENODEV, "clsact add");
	ASSERT_EQ(tcc_nl_qdisc_clsact_del(nl, 4242), -ENODEV, "clsact del");
	ASSERT_EQ(tcc_nl_filter_add(nl, &f), -ENODEV, "filter add");
	ASSERT_EQ(tcc_nl_filter_dump(nl, 4242, f.parent, seen_cb, &s), -ENODEV, "filter dump");
	ASSERT_EQ(s.n, 0, "nothing dumped");
	/* An existing device without clsact is simply empty. */
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump lo without clsact");
	close(f.prog_fd);
out:
	tcc_nl_close(nl);
}

/* A u32 filter at prio 5 (handle left to the kernel): someone else's. */
static int add_u32(struct tcc_nl *nl, __u16 prio)
{
	char sel[sizeof(struct tc_u32_sel) + sizeof(struct tc_u32_key)] = {};
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	struct nlattr *opts;

	((struct tc_u32_sel *)sel)->flags = TC_U32_TERMINAL;
	((struct tc_u32_sel *)sel)->nkeys = 1;	/* match u32 0 0 at 0 */
	nlh = tcc_nl__msg_start(nl->req, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
				tcc_nl__seq(nl));
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_ifindex = 1;
	tcm->tcm_parent = tcc_nl_hook_parent(TCC_INGRESS);
	tcm->tcm_info = TC_H_MAKE((__u32)prio << 16, htons(ETH_P_ALL));
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_U32_CLASSID, TC_H_MAKE(1 << 16, 1));
	mnl_attr_put(nlh, TCA_U32_SEL, sizeof(sel), sel);
	mnl_attr_nest_end(nlh, opts);
	return tcc_nl__request(nl, nlh, NULL, NULL);
}

static void live_foreign_kind(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.ifindex = 1,
		.parent = tcc_nl_hook_parent(TCC_INGRESS),
		.prio = 5,
		.handle = 1,
	};
	struct seen s = {};
	__u32 id, u32_handle;
	int err;

	if (!nl)
		return;
	f.prog_fd = prog_load(0, &id, NULL);
	if (!ASSERT_TRUE(f.prog_fd >= 0, "bpf_prog_load: %d", f.prog_fd))
		goto out;
	if (!ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, 1), "clsact add"))
		goto out;
	err = add_u32(nl, 5);
	if (err) {
		SKIP("no u32 classifier: %s (%s)", strerror(-err), tcc_nl_ext_msg(nl) ?: "");
		goto out;
	}
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump");
	/* u32 reports its hash table (800:) and the key node (800::800). */
	if (!ASSERT_EQ(s.n, 2, "u32 entries"))
		goto out;
	ASSERT_STREQ(s.f[1].kind, "u32", "kind");
	ASSERT_TRUE(!s.f[1].has_prog, "no program in a u32 filter");
	ASSERT_EQ(s.f[1].prio, 5, "prio");
	u32_handle = s.f[1].handle;

	ASSERT_EQ(tcc_nl_filter_add(nl, &f), -EINVAL, "bpf add at the u32 prio");
	ASSERT_STREQ(tcc_nl_ext_msg(nl), "Specified filter kind does not match existing one",
		     "ext msg");
	ASSERT_EQ(tcc_nl_filter_replace(nl, &f), -EINVAL, "bpf replace at the u32 prio");
	ASSERT_EQ(tcc_nl_filter_del(nl, 1, f.parent, 5, u32_handle), -EINVAL,
		  "bpf del of the u32 filter");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump again");
	ASSERT_EQ(s.n, 2, "u32 untouched");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "clsact del");
out:
	if (f.prog_fd >= 0)
		close(f.prog_fd);
	tcc_nl_close(nl);
}

/* A veth pair a/b: RTM_NEWLINK, the peer as an ifinfomsg inside VETH_INFO_PEER. */
static int add_veth(struct tcc_nl *nl, const char *a, const char *b)
{
	struct nlattr *linkinfo, *data, *peer;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = tcc_nl__msg_start(nl->req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK,
				tcc_nl__seq(nl));
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return tcc_nl__request(nl, nlh, NULL, NULL);
}

/* The kernel's qdisc dump covers every device: only lo's may count for lo. */
static void live_other_device(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.parent = tcc_nl_hook_parent(TCC_INGRESS),
		.prio = 1,
		.handle = 1,
	};
	struct tcc_nl_qdisc q;
	struct seen s = {};
	int err, ifindex;
	__u32 id;

	if (!nl)
		return;
	f.prog_fd = prog_load(0, &id, NULL);
	if (!ASSERT_TRUE(f.prog_fd >= 0, "bpf_prog_load: %d", f.prog_fd))
		goto out;
	err = add_veth(nl, "tcc0", "tcc1");
	if (err) {
		SKIP("no veth: %s (%s)", strerror(-err), tcc_nl_ext_msg(nl) ?: "");
		goto out;
	}
	ifindex = if_nametoindex("tcc0");
	if (!ASSERT_TRUE(ifindex > 1, "if_nametoindex(tcc0): %s", strerror(errno)))
		goto out;
	ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, ifindex), "clsact add on tcc0");
	f.ifindex = ifindex;
	ASSERT_OK(tcc_nl_filter_add(nl, &f), "filter add on tcc0");

	ASSERT_EQ(tcc_nl_qdisc_ingress_get(nl, 1, &q), -ENOENT, "lo has no clsact");
	if (ASSERT_OK(tcc_nl_qdisc_ingress_get(nl, ifindex, &q), "tcc0 has one"))
		ASSERT_STREQ(q.kind, "clsact", "kind");
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump lo");
	ASSERT_EQ(s.n, 0, "no filter on lo");
	ASSERT_OK(tcc_nl_filter_dump(nl, ifindex, f.parent, seen_cb, &s), "dump tcc0");
	ASSERT_EQ(s.n, 1, "the filter on tcc0");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, ifindex), "clsact del on tcc0");
out:
	if (f.prog_fd >= 0)
		close(f.prog_fd);
	tcc_nl_close(nl);
}

/*
 * A reply nobody read (a dump sent behind the handle's back) is not taken for
 * the answer to the next request, and it does not leave the socket out of
 * step for the one after.
 */
static void live_stale_reply(void)
{
	struct tcc_nl *nl = live_setup();
	struct nlmsghdr *nlh;
	struct tcc_nl_qdisc q;

	if (!nl)
		return;
	nlh = tcc_nl_msg_qdisc_dump(nl->req, tcc_nl__seq(nl), 1);
	if (!ASSERT_TRUE(mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) > 0, "send"))
		goto out;
	/* The kernel still creates the qdisc; only the answer is lost. */
	ASSERT_EQ(tcc_nl_qdisc_clsact_add(nl, 1), -EPROTO, "answer with a stale sequence");
	if (ASSERT_OK(tcc_nl_qdisc_ingress_get(nl, 1, &q), "next request"))
		ASSERT_STREQ(q.kind, "clsact", "kind");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "clsact del");
out:
	tcc_nl_close(nl);
}

#define MANY 300

static int stop_at_10(const struct tcc_nl_filter_info *f, void *arg)
{
	(void)f;
	return ++*(int *)arg == 10 ? 42 : 0;
}

static void live_dump_many(void)
{
	struct tcc_nl *nl = live_setup();
	struct tcc_nl_filter f = {
		.ifindex = 1,
		.parent = tcc_nl_hook_parent(TCC_EGRESS),
		.handle = 1,
		.name = "many",
	};
	struct seen s = {};
	int i, n = 0;
	__u32 id;

	if (!nl)
		return;
	f.prog_fd = prog_load(0, &id, NULL);
	if (!ASSERT_TRUE(f.prog_fd >= 0, "bpf_prog_load: %d", f.prog_fd))
		goto out;
	if (!ASSERT_OK(tcc_nl_qdisc_clsact_add(nl, 1), "clsact add"))
		goto out;
	/* ~150 bytes a priority: more than one 32 KiB datagram. */
	for (i = 1; i <= MANY; i++) {
		f.prio = i;
		if (!ASSERT_OK(tcc_nl_filter_add(nl, &f), "add"))
			goto out;
	}
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump");
	ASSERT_EQ(s.n, MANY, "filters dumped");
	ASSERT_EQ(s.f[3].prio, 4, "in priority order");

	/* A callback that stops early: its value comes back, and the rest of
	 * the dump does not leak into the next request.
	 */
	ASSERT_EQ(tcc_nl_filter_dump(nl, 1, f.parent, stop_at_10, &n), 42, "stopped dump");
	ASSERT_EQ(n, 10, "callbacks before the stop");
	s = (struct seen){};
	ASSERT_OK(tcc_nl_filter_dump(nl, 1, f.parent, seen_cb, &s), "dump after a stop");
	ASSERT_EQ(s.n, MANY, "filters dumped after a stop");
	f.prio = 1;
	ASSERT_OK(tcc_nl_filter_del(nl, 1, f.parent, 1, 1), "a request after a stop");
	ASSERT_OK(tcc_nl_qdisc_clsact_del(nl, 1), "clsact del");
out:
	if (f.prog_fd >= 0)
		close(f.prog_fd);
	tcc_nl_close(nl);
}

static const struct tst_case cases[] = {
	TST_CASE(msg_qdisc_add),
	TST_CASE(msg_qdisc_del),
	TST_CASE(msg_qdisc_dump),
	TST_CASE(msg_filter_add),
	TST_CASE(msg_filter_replace),
	TST_CASE(msg_filter_del),
	TST_CASE(msg_filter_dump),
	TST_CASE(msg_filter_too_big),
	TST_CASE(hook_parent),
	TST_CASE(parse_filter_dump),
	TST_CASE(parse_qdisc_dump),
	TST_CASE(parse_err_msg),
	TST_CASE(parse_malformed),
	TST_CASE(feed_dump),
	TST_CASE(feed_dump_error),
	TST_CASE(feed_errors),
	TST_CASE(feed_foreign),
	TST_CASE(live_clsact),
	TST_CASE(live_filter),
	TST_CASE(live_extack),
	TST_CASE(live_classic_ingress),
	TST_CASE(live_enodev),
	TST_CASE(live_foreign_kind),
	TST_CASE(live_other_device),
	TST_CASE(live_stale_reply),
	TST_CASE(live_dump_many),
};

int main(int argc, char **argv)
{
	return tst_main(argc, argv, cases, ARRAY_SIZE(cases));
}
