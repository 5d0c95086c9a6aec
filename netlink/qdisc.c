// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The clsact qdisc: find what sits on ingress, add, delete. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#include "netlink/internal.h"

struct ingress_find {
	int ifindex;
	struct tcc_nl_qdisc *q;
};

static int ingress_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ingress_find *f = arg;
	struct tcc_nl_qdisc q;
	int ifindex, err;

	if (nlh->nlmsg_type != RTM_NEWQDISC)
		return 0;
	err = tcc_nl_qdisc_parse(nlh, &ifindex, &q);
	if (err)
		return err;
	/* The dump covers every device (see tcc_nl_msg_qdisc_dump). */
	if (ifindex != f->ifindex || q.parent != TC_H_INGRESS)
		return 0;
	*f->q = q;
	return 1;
}

int tcc_nl_qdisc_ingress_get(struct tcc_nl *nl, int ifindex, struct tcc_nl_qdisc *q)
{
	struct ingress_find f = { .ifindex = ifindex, .q = q };
	struct nlmsghdr *nlh;
	int err;

	nlh = tcc_nl_msg_qdisc_dump(nl->req, tcc_nl__seq(nl), ifindex);
	err = tcc_nl__request(nl, nlh, ingress_cb, &f);
	if (err == 1)
		return 0;
	if (err)
		return err;
	/* Nothing found: for a device that is not there either, say so. */
	err = tcc_nl__link_check(nl, ifindex);
	return err ? err : -ENOENT;
}

int tcc_nl_qdisc_clsact_add(struct tcc_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh;

	/* EXCL: never take over, or "modify", a qdisc someone else made. */
	nlh = tcc_nl_msg_qdisc(nl->req, RTM_NEWQDISC, TCC_NL_QDISC_ADD_FLAGS,
			       tcc_nl__seq(nl), ifindex, "clsact");
	if (!nlh)
		return -errno;
	return tcc_nl__request(nl, nlh, NULL, NULL);
}

int tcc_nl_qdisc_clsact_del(struct tcc_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh;

	/* The kind makes the kernel refuse to delete a classic ingress qdisc. */
	nlh = tcc_nl_msg_qdisc(nl->req, RTM_DELQDISC, TCC_NL_QDISC_DEL_FLAGS,
			       tcc_nl__seq(nl), ifindex, "clsact");
	if (!nlh)
		return -errno;
	return tcc_nl__request(nl, nlh, NULL, NULL);
}
