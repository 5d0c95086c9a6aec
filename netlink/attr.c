// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Strict attribute parsing on top of libmnl: a message whose attributes do
 * not fill it exactly is malformed (-EINVAL), not merely short.
 */
#include <errno.h>
#include <stdio.h>

#include "netlink/internal.h"

struct walk {
	mnl_attr_cb_t cb;
	void *tb;
	const char *end;	/* of the message or nest */
	const char *next;	/* where the attribute after the last one starts */
};

static int walk_cb(const struct nlattr *attr, void *data)
{
	struct walk *w = data;

	/* libmnl walks up to the aligned end of a message: an attribute in
	 * the padding after nlmsg_len is not part of it.
	 */
	if ((const char *)attr + attr->nla_len > w->end)
		return MNL_CB_ERROR;
	w->next = (const char *)attr + MNL_ALIGN(attr->nla_len);
	return w->cb(attr, w->tb);
}

/* libmnl stops at the first attribute that does not fit in what is left;
 * anything left over is then a cut or corrupt attribute.
 */
static int walk_end(const struct walk *w, const void *start, int ret)
{
	if (ret < MNL_CB_OK)
		return -EINVAL;
	if ((w->next ? w->next : (const char *)start) < w->end)
		return -EINVAL;
	return 0;
}

int tcc_nl__parse(const struct nlmsghdr *nlh, size_t hdrlen, mnl_attr_cb_t cb, void *tb)
{
	struct walk w = { .cb = cb, .tb = tb, .end = (const char *)nlh + nlh->nlmsg_len };
	int ret;

	if (nlh->nlmsg_len < mnl_nlmsg_size(hdrlen))
		return -EINVAL;
	ret = mnl_attr_parse(nlh, hdrlen, walk_cb, &w);
	return walk_end(&w, mnl_nlmsg_get_payload_offset(nlh, hdrlen), ret);
}

int tcc_nl__parse_nested(const struct nlattr *nest, mnl_attr_cb_t cb, void *tb)
{
	const char *start = mnl_attr_get_payload(nest);
	struct walk w = { .cb = cb, .tb = tb, .end = start + mnl_attr_get_payload_len(nest) };
	int ret;

	ret = mnl_attr_parse_nested(nest, walk_cb, &w);
	return walk_end(&w, start, ret);
}

void tcc_nl__strcpy(char *dst, size_t len, const struct nlattr *attr)
{
	snprintf(dst, len, "%s", mnl_attr_get_str(attr));
}
