// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cls_bpf filters on a clsact hook: add, replace, delete, dump. */
#include <errno.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_sched.h>

#include "netlink/internal.h"

__u32 tcc_nl_hook_parent(enum tcc_dir hook)
{
	return TC_H_MAKE(TC_H_CLSACT,
			 hook == TCC_EGRESS ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
}

/*
 * prio 0 asks the kernel to pick a priority and handle 0 to pick a handle;
 * either way the filter would not be where the caller looks for it later.
 */
static int filter_send(struct tcc_nl *nl, __u16 flags, const struct tcc_nl_filter *f)
{
	struct nlmsghdr *nlh;

	if (!f->prio || !f->handle)
		return -EINVAL;
	if (f->prog_fd < 0)
		return -EBADF;
	nlh = tcc_nl_msg_filter(nl->req, RTM_NEWTFILTER, flags, tcc_nl__seq(nl), f);
	if (!nlh)
		return -errno;
	return tcc_nl__request(nl, nlh, NULL, NULL);
}

int tcc_nl_filter_add(struct tcc_nl *nl, const struct tcc_nl_filter *f)
{
	return filter_send(nl, TCC_NL_FILTER_ADD_FLAGS, f);
}

/*
 * No NLM_F_EXCL: with it the kernel refuses an existing filter (-EEXIST);
 * without it, it hands the new program to the existing filter, which swaps
 * it in with one pointer update (packets run the old or the new program,
 * never none).  No NLM_F_CREATE: the kernel then answers -ENOENT for a
 * filter that is not there instead of quietly creating one, so a replace
 * never attaches anything new.  NLM_F_REPLACE itself is not needed by the
 * kernel for filters; it says what we mean, as tc does.
 */
int tcc_nl_filter_replace(struct tcc_nl *nl, const struct tcc_nl_filter *f)
{
	return filter_send(nl, TCC_NL_FILTER_REPLACE_FLAGS, f);
}

/*
 * prio 0 or handle 0 would widen the delete to every filter of the hook or
 * of the priority, other people's included.
 */
int tcc_nl_filter_del(struct tcc_nl *nl, int ifindex, __u32 parent, __u16 prio, __u32 handle)
{
	struct nlmsghdr *nlh;

	if (!prio || !handle)
		return -EINVAL;
	nlh = tcc_nl_msg_filter_del(nl->req, tcc_nl__seq(nl), ifindex, parent, prio, handle);
	if (!nlh)
		return -errno;
	return tcc_nl__request(nl, nlh, NULL, NULL);
}

struct filter_walk {
	tcc_nl_filter_cb cb;
	void *arg;
	unsigned int seen;
};

static int filter_walk_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct filter_walk *w = arg;
	struct tcc_nl_filter_info f;
	int err;

	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	w->seen++;
	err = tcc_nl_filter_parse(nlh, &f);
	if (err)
		return err;
	/* Each priority is reported once without a handle, before its
	 * filters: that entry describes the priority, not a filter.
	 */
	if (!f.handle)
		return 0;
	return w->cb(&f, w->arg);
}

int tcc_nl_filter_dump(struct tcc_nl *nl, int ifindex, __u32 parent,
		       tcc_nl_filter_cb cb, void *arg)
{
	struct filter_walk w = { .cb = cb, .arg = arg };
	struct nlmsghdr *nlh;
	int err;

	nlh = tcc_nl_msg_filter_dump(nl->req, tcc_nl__seq(nl), ifindex, parent);
	err = tcc_nl__request(nl, nlh, filter_walk_cb, &w);
	if (err || w.seen)
		return err;
	/* The kernel answers a dump for a missing device (or a missing
	 * qdisc) with nothing at all; tell the device case apart.
	 */
	return tcc_nl__link_check(nl, ifindex);
}
