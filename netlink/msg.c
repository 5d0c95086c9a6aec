// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The start of every request. */
#include <string.h>

#include "netlink/internal.h"

struct nlmsghdr *tcc_nl__msg_start(void *buf, __u16 type, __u16 flags, __u32 seq)
{
	struct nlmsghdr *nlh;

	/* libmnl 1.0.4 does not clear the padding after an attribute whose
	 * length is not a multiple of 4 (a string), so stale bytes of the
	 * buffer would go to the kernel; start from a clean buffer instead.
	 */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	return nlh;
}
