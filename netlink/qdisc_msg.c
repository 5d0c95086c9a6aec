// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Qdisc messages: build the requests, parse RTM_NEWQDISC. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#include "netlink/internal.h"

static struct tcmsg *put_tcmsg(struct nlmsghdr *nlh, int ifindex)
{
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	return tcm;
}

/*
 * clsact and the classic ingress qdisc both sit on the device's ingress
 * attachment point: parent TC_H_INGRESS, handle ffff:0 (TC_H_CLSACT is the
 * same value as TC_H_INGRESS).  The kind tells the kernel which one; on
 * RTM_DELQDISC it must match, so a delete of "clsact" never removes a
 * classic ingress qdisc someone else put there.
 */
struct nlmsghdr *tcc_nl_msg_qdisc(void *buf, __u16 type, __u16 flags, __u32 seq,
				  int ifindex, const char *kind)
{
	struct nlmsghdr *nlh = tcc_nl__msg_start(buf, type, flags, seq);
	struct tcmsg *tcm = put_tcmsg(nlh, ifindex);

	tcm->tcm_handle = TC_H_MAKE(TC_H_CLSACT, 0);
	tcm->tcm_parent = TC_H_CLSACT;
	if (kind && !mnl_attr_put_strz_check(nlh, MNL_SOCKET_BUFFER_SIZE, TCA_KIND, kind)) {
		errno = EMSGSIZE;
		return NULL;
	}
	return nlh;
}

/*
 * The kernel ignores tcm_ifindex in a qdisc dump and reports the qdiscs of
 * every device; it is set anyway (harmless, and what tc does), and readers
 * filter by ifindex themselves.
 */
struct nlmsghdr *tcc_nl_msg_qdisc_dump(void *buf, __u32 seq, int ifindex)
{
	struct nlmsghdr *nlh = tcc_nl__msg_start(buf, RTM_GETQDISC, NLM_F_DUMP, seq);

	put_tcmsg(nlh, ifindex);
	return nlh;
}

static int qdisc_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, TCA_MAX) < 0)
		return MNL_CB_OK;
	if (type == TCA_KIND && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

int tcc_nl_qdisc_parse(const struct nlmsghdr *nlh, int *ifindex, struct tcc_nl_qdisc *q)
{
	const struct nlattr *tb[TCA_MAX + 1] = {};
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	int err;

	if (nlh->nlmsg_type != RTM_NEWQDISC)
		return -EINVAL;
	err = tcc_nl__parse(nlh, sizeof(*tcm), qdisc_attr_cb, tb);
	if (err)
		return err;
	if (!tb[TCA_KIND])
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	tcc_nl__strcpy(q->kind, sizeof(q->kind), tb[TCA_KIND]);
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	if (ifindex)
		*ifindex = tcm->tcm_ifindex;
	return 0;
}
