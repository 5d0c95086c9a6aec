// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The entry program: the only program attached to the hook.  It owns the
 * chain's maps (the loader creates and pins them from this object), resets
 * the per-packet state and tail-calls index 0 of the prog array, which
 * holds the first occupied slot's program.
 */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tc")
int tcc_entry(struct __sk_buff *skb)
{
	struct tcc_config *cfg;
	struct tcc_scratch *s;
	struct tcc_stats *st;
	__u32 zero = 0;

	/* Nothing promises cb[] is clean when a tc program starts (the
	 * qdisc layer and other filters use it), and stages must not see
	 * another packet's words.
	 */
	skb->cb[0] = 0;
	skb->cb[1] = 0;
	skb->cb[2] = 0;
	skb->cb[3] = 0;
	skb->cb[4] = 0;

	s = bpf_map_lookup_elem(&tcc_scratch, &zero);
	if (s)
		__builtin_memset(s, 0, sizeof(*s));

	st = tcc__stats_row(TCC_STATS_CHAIN);
	if (st) {
		st->packets++;
		st->bytes += skb->len;
	}
	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	/* cost sampling and trace (doc/observe.md): one flags test when off */
	if (__builtin_expect(TCC__OBSERVE && (cfg->flags & TCC_CFG_F_OBSERVE), 0))
		tcc__observe_entry(skb, cfg, st, s);
	return tcc__dispatch(skb, 0);
}
