// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dispatch benchmark's references without tail calls: the entry's
 * reset plus N stage bodies in one program.
 *
 *   mono_N   the bodies inlined: the physical limit, no dispatch at all
 *   call_N   each body in its own __noinline subprogram (BPF-to-BPF
 *            calls): what a "one program, many functions" design costs
 *
 * One program per N, so N is a compile-time constant and nothing but the
 * bodies is left in mono_N.  Stage i counts in row i of bench_count.
 */
#include "bench.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BENCH_MAX_STAGES);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline int stage_inline(struct __sk_buff *skb, __u32 i)
{
	__u32 key = i;

	return bench_body(skb, i, bpf_map_lookup_elem(&bench_count, &key));
}

/* ---- inlined ------------------------------------------------------------- */

#define MONO(n)								\
	SEC("tc") int mono_##n(struct __sk_buff *skb)			\
	{								\
		bench_reset(skb);					\
		_Pragma("unroll")					\
		for (__u32 i = 0; i < (n); i++) {			\
			int v = stage_inline(skb, i);			\
									\
			if (v != TCC_NEXT)				\
				return v;				\
		}							\
		return TC_ACT_OK;					\
	}

MONO(1)
MONO(2)
MONO(4)
MONO(8)
MONO(16)
MONO(32)

/* ---- BPF-to-BPF calls ------------------------------------------------------ */

/* 32 distinct subprograms, as 32 stages would be. */
#define SUB(i)								\
	static __attribute__((noinline)) int sub_##i(struct __sk_buff *skb) \
	{								\
		return stage_inline(skb, i);				\
	}

SUB(0)  SUB(1)  SUB(2)  SUB(3)  SUB(4)  SUB(5)  SUB(6)  SUB(7)
SUB(8)  SUB(9)  SUB(10) SUB(11) SUB(12) SUB(13) SUB(14) SUB(15)
SUB(16) SUB(17) SUB(18) SUB(19) SUB(20) SUB(21) SUB(22) SUB(23)
SUB(24) SUB(25) SUB(26) SUB(27) SUB(28) SUB(29) SUB(30) SUB(31)

#define RUN(i)								\
	do {								\
		if ((i) < n) {						\
			int v = sub_##i(skb);				\
									\
			if (v != TCC_NEXT)				\
				return v;				\
		}							\
	} while (0)

/* n is a constant at every call site, so the untaken RUN()s fold away. */
static __always_inline int run_subs(struct __sk_buff *skb, const __u32 n)
{
	RUN(0);  RUN(1);  RUN(2);  RUN(3);  RUN(4);  RUN(5);  RUN(6);  RUN(7);
	RUN(8);  RUN(9);  RUN(10); RUN(11); RUN(12); RUN(13); RUN(14); RUN(15);
	RUN(16); RUN(17); RUN(18); RUN(19); RUN(20); RUN(21); RUN(22); RUN(23);
	RUN(24); RUN(25); RUN(26); RUN(27); RUN(28); RUN(29); RUN(30); RUN(31);
	return TC_ACT_OK;
}

#define CALL(n)								\
	SEC("tc") int call_##n(struct __sk_buff *skb)			\
	{								\
		bench_reset(skb);					\
		return run_subs(skb, (n));				\
	}

CALL(1)
CALL(2)
CALL(4)
CALL(8)
CALL(16)
CALL(32)
