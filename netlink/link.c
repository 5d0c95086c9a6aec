// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Does a device exist?  Asked over the handle's own socket, not with
 * if_indextoname(): the socket stays in the namespace it was opened in even
 * when the thread has moved to another one since.
 */
#include <errno.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>

#include "netlink/internal.h"

int tcc_nl__link_check(struct tcc_nl *nl, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (ifindex <= 0)
		return -ENODEV;
	/* ACK as well, so the reply always ends the same way: the link
	 * (ignored), then the ACK; or the error alone.
	 */
	nlh = tcc_nl__msg_start(nl->req, RTM_GETLINK, NLM_F_ACK, tcc_nl__seq(nl));
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return tcc_nl__request(nl, nlh, NULL, NULL);
}
