// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rtnetlink socket: open/close, and one request at a time with its
 * replies matched by sequence number and port id.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "netlink/internal.h"

static int set_opt(struct tcc_nl *nl, int opt)
{
	int one = 1;

	if (mnl_socket_setsockopt(nl->sk, opt, &one, sizeof(one)) == 0)
		return 0;
	/* Kernels before 4.12 (EXT_ACK) or 4.3 (CAP_ACK) work without them:
	 * errors just come without text, or with the request echoed back.
	 */
	return errno == ENOPROTOOPT ? 0 : -errno;
}

struct tcc_nl *tcc_nl_open(void)
{
	struct tcc_nl *nl;
	int err;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return NULL;
	nl->sk = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sk) {
		err = -errno;
		goto err_free;
	}
	/* EXT_ACK: the kernel says why in text (NLMSGERR_ATTR_MSG).  CAP_ACK:
	 * it does not echo our whole request back in each error.
	 */
	err = set_opt(nl, NETLINK_EXT_ACK);
	if (!err)
		err = set_opt(nl, NETLINK_CAP_ACK);
	if (err)
		goto err_close;
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto err_close;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);
	return nl;

err_close:
	mnl_socket_close(nl->sk);
err_free:
	free(nl);
	errno = -err;
	return NULL;
}

void tcc_nl_close(struct tcc_nl *nl)
{
	if (!nl)
		return;
	mnl_socket_close(nl->sk);
	free(nl);
}

const char *tcc_nl_ext_msg(const struct tcc_nl *nl)
{
	return nl && nl->ext_msg[0] ? nl->ext_msg : NULL;
}

__u32 tcc_nl__seq(struct tcc_nl *nl)
{
	if (++nl->seq == 0)
		++nl->seq;
	return nl->seq;
}

static int cb_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct tcc_nl_req *r = data;
	int ret;

	/* After a stop, or a failed parse, let the rest of the dump go by:
	 * it is already on its way and would otherwise meet the next request.
	 */
	if (r->ret || !r->cb)
		return MNL_CB_OK;
	ret = r->cb(nlh, r->arg);
	if (ret)
		r->ret = ret;
	return MNL_CB_OK;
}

int tcc_nl__feed(struct tcc_nl_req *r, const void *buf, size_t len)
{
	/* Not const: libmnl 1.0.4 takes a non-const array. */
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP]	= cb_noop,
		[NLMSG_ERROR]	= tcc_nl__cb_error,
		[NLMSG_DONE]	= tcc_nl__cb_done,
		[NLMSG_OVERRUN]	= cb_noop,
	};
	const struct nlmsghdr *nlh = buf;
	int rem = len, ret;

	if (len > TCC_NL_RECV_SIZE)	/* rem is an int, as in libmnl */
		return -EBADMSG;
	/* mnl_cb_run2() stops quietly at a message that does not fit; we
	 * would then wait for an end that never comes.
	 */
	while (mnl_nlmsg_ok(nlh, rem))
		nlh = mnl_nlmsg_next(nlh, &rem);
	if (rem > 0)
		return -EBADMSG;

	/* Given seq and portid, libmnl rejects any message that is not a
	 * reply to this request: ESRCH for another port, EPROTO for another
	 * sequence number, EINTR for an interrupted dump.
	 */
	errno = 0;
	ret = mnl_cb_run2(buf, len, r->seq, r->portid, cb_data, r,
			  ctl, MNL_ARRAY_SIZE(ctl));
	if (ret < 0)
		return errno ? -errno : -EPROTO;
	return r->done ? 0 : 1;
}

/*
 * Throw away whatever is queued.  Every reply to a request is queued by the
 * time sendmsg() returns, and the kernel builds the next part of a dump inside
 * recvmsg(), so reading without waiting until EAGAIN empties the socket of
 * everything left of a failed request and the next one starts in step.
 */
static void drain(struct tcc_nl *nl)
{
	int fd = mnl_socket_get_fd(nl->sk);
	ssize_t n;

	for (;;) {
		n = recv(fd, nl->rbuf, sizeof(nl->rbuf), MSG_DONTWAIT);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		break;
	}
}

int tcc_nl__request(struct tcc_nl *nl, struct nlmsghdr *nlh, tcc_nl__msg_cb cb, void *arg)
{
	struct tcc_nl_req r = {
		.nl = nl,
		.seq = nlh->nlmsg_seq,
		.portid = nl->portid,
		.cb = cb,
		.arg = arg,
	};
	ssize_t n;
	int err;

	nl->ext_msg[0] = '\0';
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, nl->rbuf, sizeof(nl->rbuf));
		if (n < 0 && errno == EINTR)
			continue;
		err = n < 0 ? -errno : tcc_nl__feed(&r, nl->rbuf, n);
		if (err <= 0)
			break;
	}

	if (err < 0) {
		drain(nl);
		return err;
	}
	return r.ret;
}
