// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The end of a reply: NLMSG_ERROR (an error, or the ACK when error is 0) and
 * NLMSG_DONE (the end of a dump, which carries an error of its own when the
 * dump failed part way), each with the kernel's extended-ACK text.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/netlink.h>

#include "netlink/internal.h"

static int err_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NLMSGERR_ATTR_MAX) < 0)
		return MNL_CB_OK;	/* newer than us: skip */
	if (type == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;	/* unusable text: as if absent */
	tb[type] = attr;
	return MNL_CB_OK;
}

/*
 * Accepts NLMSG_DONE too: a dump that fails part way ends with NLMSG_DONE
 * holding the error and, like NLMSG_ERROR, the kernel's text.
 */
const char *tcc_nl_err_msg(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	size_t plen, off;

	if (!nlh || nlh->nlmsg_len < sizeof(*nlh) ||
	    !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	plen = mnl_nlmsg_get_payload_len(nlh);

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

		off = sizeof(*e);
		if (plen < off)
			return NULL;
		/* Without NETLINK_CAP_ACK the request's payload sits between
		 * the nlmsgerr and the attributes.
		 */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
				return NULL;
			off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		off = sizeof(int);
	} else {
		return NULL;
	}
	if (MNL_ALIGN(off) > plen)
		return NULL;
	mnl_attr_parse(nlh, off, err_attr_cb, tb);
	return tb[NLMSGERR_ATTR_MSG] ? mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]) : NULL;
}

static void keep_ext_msg(struct tcc_nl_req *r, const struct nlmsghdr *nlh)
{
	const char *msg = tcc_nl_err_msg(nlh);

	if (r->nl && msg)
		snprintf(r->nl->ext_msg, sizeof(r->nl->ext_msg), "%s", msg);
}

static void set_err(struct tcc_nl_req *r, int err)
{
	/* Subsystems have used both signs for the errno. */
	if (err > 0)
		err = -err;
	if (err && !r->ret)
		r->ret = err;
}

int tcc_nl__cb_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct tcc_nl_req *r = data;

	r->done = true;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		set_err(r, -EBADMSG);
		return MNL_CB_STOP;
	}
	/* An ACK (error 0) may carry text too: a warning. */
	keep_ext_msg(r, nlh);
	set_err(r, e->error);
	return MNL_CB_STOP;
}

int tcc_nl__cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct tcc_nl_req *r = data;
	int err;

	r->done = true;
	/* Old kernels may end a dump with an empty NLMSG_DONE. */
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	keep_ext_msg(r, nlh);
	set_err(r, err);
	return MNL_CB_STOP;
}
