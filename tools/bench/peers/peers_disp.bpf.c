// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The freplace dispatcher of the peers bench part, in the style of libxdp's
 * xdp-dispatcher and bpfman's tc dispatcher: one program with
 * PEERS_MAX_STUBS global stub functions, called in order while they return
 * TC_ACT_UNSPEC (= go on); num_progs (rodata, set before load) says how many
 * are called.  tools/bench/peers/peers.c replaces stub i with a
 * BPF_PROG_TYPE_EXT program (peers_ext.bpf.c) via
 * bpf_program__set_attach_target() + bpf_program__attach_freplace().
 * A stub that was not replaced returns TC_ACT_UNSPEC; the dispatcher
 * returns TC_ACT_OK after the last one, as libxdp returns XDP_PASS.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define PEERS_MAX_STUBS	10

const volatile __u32 num_progs = 0;

/* The volatile keeps clang from folding the stub's result into the
 * caller: the verifier must see a real call whose return it cannot know.
 */
#define STUB(i)								\
__attribute__((noinline)) int stub##i(struct __sk_buff *skb)		\
{									\
	volatile int ret = TC_ACT_UNSPEC;				\
									\
	if (!skb)							\
		return TC_ACT_SHOT;					\
	return ret;							\
}
STUB(0) STUB(1) STUB(2) STUB(3) STUB(4)
STUB(5) STUB(6) STUB(7) STUB(8) STUB(9)

#define CALL(i)								\
	do {								\
		if (num_progs <= i)					\
			return TC_ACT_OK;				\
		ret = stub##i(skb);					\
		if (ret != TC_ACT_UNSPEC)				\
			return ret;					\
	} while (0)

SEC("tc")
int peers_dispatcher(struct __sk_buff *skb)
{
	int ret;

	CALL(0); CALL(1); CALL(2); CALL(3); CALL(4);
	CALL(5); CALL(6); CALL(7); CALL(8); CALL(9);
	return TC_ACT_OK;
}
