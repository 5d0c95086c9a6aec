// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * parse: fill the scratch's parsed-packet area once, for every later stage.
 *
 * Put it in front of the stages that look at headers: they then read
 * scratch->pkt instead of each parsing the packet again (tcc_pkt_get()).
 *
 * Params:
 *   drop_malformed  0: never drop (default);
 *                   1: drop packets flagged TCC_PKT_MALFORMED or
 *                      TCC_PKT_TRUNCATED;
 *                   2: also drop packets whose headers could not be walked
 *                      to the end (TCC_PKT_VLAN_DEEP, TCC_PKT_EXT_LIMIT):
 *                      later stages cannot match their ports, which is
 *                      how such packets slip past port rules.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 drop_malformed = 0;

TCC_STAGE(parse)(struct __sk_buff *skb)
{
	struct tcc_scratch *s = tcc_scratch_get();
	__u16 bad = TCC_PKT_MALFORMED | TCC_PKT_TRUNCATED;

	if (!s)
		return TCC_NEXT;
	/* Always parse, even if an earlier stage did: this stage's job is to
	 * make scratch->pkt describe the packet as it is now.
	 */
	tcc_parse(skb, &s->pkt);
	if (!drop_malformed)
		return TCC_NEXT;
	if (drop_malformed >= 2)
		bad |= TCC_PKT_VLAN_DEEP | TCC_PKT_EXT_LIMIT;
	return s->pkt.flags & bad ? TCC_DROP : TCC_NEXT;
}
