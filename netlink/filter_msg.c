// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cls_bpf filter messages: build the requests, parse RTM_NEWTFILTER. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/if_ether.h>

#include "netlink/internal.h"

#define BPF_TAG_LEN	8	/* BPF_TAG_SIZE in linux/bpf.h */

/*
 * tcm_info holds the priority (upper 16 bits) and the protocol in network
 * order (lower 16).  ETH_P_ALL: the classifier runs for every packet whatever
 * its ethertype (IPv4, IPv6, ARP, VLAN, ...); the chain's stages decide what
 * to look at.  With a specific protocol the kernel would skip the filter for
 * all other traffic.  Delete must name the same protocol: the kernel refuses
 * a protocol that differs from the one at that priority.
 */
static __u32 filter_info(__u16 prio)
{
	return TC_H_MAKE((__u32)prio << 16, htons(ETH_P_ALL));
}

static struct nlmsghdr *put_filter_hdr(void *buf, __u16 type, __u16 flags, __u32 seq,
				       int ifindex, __u32 parent, __u32 info, __u32 handle)
{
	struct nlmsghdr *nlh = tcc_nl__msg_start(buf, type, flags, seq);
	struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_info = info;
	tcm->tcm_handle = handle;
	return nlh;
}

struct nlmsghdr *tcc_nl_msg_filter(void *buf, __u16 type, __u16 flags, __u32 seq,
				   const struct tcc_nl_filter *f)
{
	const size_t len = MNL_SOCKET_BUFFER_SIZE;
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	nlh = put_filter_hdr(buf, type, flags, seq, f->ifindex, f->parent,
			     filter_info(f->prio), f->handle);
	if (!mnl_attr_put_strz_check(nlh, len, TCA_KIND, "bpf"))
		goto too_big;
	opts = mnl_attr_nest_start_check(nlh, len, TCA_OPTIONS);
	if (!opts)
		goto too_big;
	if (!mnl_attr_put_u32_check(nlh, len, TCA_BPF_FD, f->prog_fd))
		goto too_big;
	if (f->name && !mnl_attr_put_strz_check(nlh, len, TCA_BPF_NAME, f->name))
		goto too_big;
	/*
	 * Direct action: the program's return value is the verdict
	 * (TC_ACT_OK, TC_ACT_SHOT, TC_ACT_UNSPEC, ...) and no separate tc
	 * action is attached.  Without it the return value would be read as
	 * a classid and every verdict would need a gact action.
	 */
	if (!mnl_attr_put_u32_check(nlh, len, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT))
		goto too_big;
	mnl_attr_nest_end(nlh, opts);
	return nlh;

too_big:
	errno = EMSGSIZE;
	return NULL;
}

/*
 * Kind "bpf" makes the kernel refuse (-EINVAL) to delete a filter of another
 * kind that happens to sit at this priority and handle.
 */
struct nlmsghdr *tcc_nl_msg_filter_del(void *buf, __u32 seq, int ifindex, __u32 parent,
				       __u16 prio, __u32 handle)
{
	struct nlmsghdr *nlh;

	nlh = put_filter_hdr(buf, RTM_DELTFILTER, NLM_F_ACK, seq, ifindex, parent,
			     filter_info(prio), handle);
	if (!mnl_attr_put_strz_check(nlh, MNL_SOCKET_BUFFER_SIZE, TCA_KIND, "bpf")) {
		errno = EMSGSIZE;
		return NULL;
	}
	return nlh;
}

/* Unlike the qdisc dump, the kernel honours ifindex and parent here. */
struct nlmsghdr *tcc_nl_msg_filter_dump(void *buf, __u32 seq, int ifindex, __u32 parent)
{
	return put_filter_hdr(buf, RTM_GETTFILTER, NLM_F_DUMP, seq, ifindex, parent, 0, 0);
}

static int filter_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, TCA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case TCA_KIND:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	case TCA_OPTIONS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	case TCA_CHAIN:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

static int bpf_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);
	int err = 0;

	if (mnl_attr_type_valid(attr, TCA_BPF_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case TCA_BPF_ID:
	case TCA_BPF_FLAGS:
	case TCA_BPF_FLAGS_GEN:
	case TCA_BPF_CLASSID:
		err = mnl_attr_validate(attr, MNL_TYPE_U32);
		break;
	case TCA_BPF_NAME:
		err = mnl_attr_validate(attr, MNL_TYPE_NUL_STRING);
		break;
	case TCA_BPF_TAG:
		err = mnl_attr_validate2(attr, MNL_TYPE_BINARY, BPF_TAG_LEN);
		break;
	}
	if (err < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int parse_bpf_opts(const struct nlattr *opts, struct tcc_nl_filter_info *f)
{
	const struct nlattr *tb[TCA_BPF_MAX + 1] = {};
	int err;

	err = tcc_nl__parse_nested(opts, bpf_attr_cb, tb);
	if (err)
		return err;
	/* Only an eBPF program has an id; classic BPF (TCA_BPF_OPS) has none. */
	if (tb[TCA_BPF_ID]) {
		f->has_prog = true;
		f->prog_id = mnl_attr_get_u32(tb[TCA_BPF_ID]);
	}
	if (tb[TCA_BPF_NAME])
		tcc_nl__strcpy(f->name, sizeof(f->name), tb[TCA_BPF_NAME]);
	if (tb[TCA_BPF_TAG])
		memcpy(f->tag, mnl_attr_get_payload(tb[TCA_BPF_TAG]), sizeof(f->tag));
	if (tb[TCA_BPF_FLAGS])
		f->direct_action = mnl_attr_get_u32(tb[TCA_BPF_FLAGS]) & TCA_BPF_FLAG_ACT_DIRECT;
	if (tb[TCA_BPF_FLAGS_GEN])
		f->gen_flags = mnl_attr_get_u32(tb[TCA_BPF_FLAGS_GEN]);
	return 0;
}

int tcc_nl_filter_parse(const struct nlmsghdr *nlh, struct tcc_nl_filter_info *f)
{
	const struct nlattr *tb[TCA_MAX + 1] = {};
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	int err;

	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return -EINVAL;
	err = tcc_nl__parse(nlh, sizeof(*tcm), filter_attr_cb, tb);
	if (err)
		return err;
	if (!tb[TCA_KIND])
		return -EINVAL;

	memset(f, 0, sizeof(*f));
	f->parent = tcm->tcm_parent;
	f->handle = tcm->tcm_handle;
	f->prio = TC_H_MAJ(tcm->tcm_info) >> 16;
	f->protocol = ntohs(TC_H_MIN(tcm->tcm_info));
	tcc_nl__strcpy(f->kind, sizeof(f->kind), tb[TCA_KIND]);
	/* Filters of every tc chain come in one dump; absent means chain 0. */
	if (tb[TCA_CHAIN])
		f->chain = mnl_attr_get_u32(tb[TCA_CHAIN]);
	/* The per-priority header entry (handle 0) has no options. */
	if (!strcmp(f->kind, "bpf") && tb[TCA_OPTIONS])
		return parse_bpf_opts(tb[TCA_OPTIONS], f);
	return 0;
}
