/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcchain stage SDK: the one header a stage author includes.
 *
 *	#include <tcchain.h>
 *
 *	const volatile __u32 limit = 100;	// a param: stage set ... param limit=5
 *
 *	TCC_STAGE(my_stage)(struct __sk_buff *skb)
 *	{
 *		if (skb->len > limit)
 *			return TCC_DROP;
 *		return TCC_NEXT;
 *	}
 *
 * A stage returns TCC_NEXT to hand the packet to the next occupied slot, or
 * a TC_ACT_* verdict (TCC_PASS, TCC_DROP, bpf_redirect()'s result, ...) to
 * end the chain.  The SDK counts either in the chain's per-slot stats.
 * See doc/abi.md and doc/writing-stages.md.
 */
#ifndef TCCHAIN_H
#define TCCHAIN_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <tcchain/abi.h>

#define TCC_NEXT	(-128)		/* not a TC_ACT_*: continue the chain */
#define TCC_PASS	TC_ACT_OK
#define TCC_DROP	TC_ACT_SHOT
#define TCC_CONTINUE	TC_ACT_UNSPEC	/* end the chain, let later tc filters run */

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* The chain's shared maps.  The loader replaces them with the chain's pinned
 * maps before load (by name), so these definitions must match the ones the
 * entry program creates, byte for byte.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TCC_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} tcc_progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct tcc_config);
} tcc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcc_scratch);
} tcc_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TCC_STATS_ROWS);
	__type(key, __u32);
	__type(value, struct tcc_stats);
} tcc_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TCC_TRACE_SIZE);
} tcc_trace SEC(".maps");

/* Set by the loader before load.  Read-only data the verifier can see, so
 * tcc_slot + 1 is a constant and every tail call below is a direct jump.
 * tcc_abi_version tells the loader which SDK the stage was built with.
 */
const volatile __u32 tcc_slot = 0;
const volatile __u32 tcc_abi_version = TCC_ABI_VERSION;

/* ---- skb->cb[] ---------------------------------------------------------
 * Words for stages, by name.  The index must be a compile-time constant;
 * anything else breaks the build instead of reading a framework word.
 */
enum tcc_cb {
	TCC_CB_A = 0,
	TCC_CB_B = 1,
	TCC_CB_C = 2,
	TCC_CB_D = 3,
};

extern void tcc__bad_cb_word(void) __attribute__((error("tcc_cb: word must be a constant TCC_CB_A..TCC_CB_D")));

#define tcc__cb_check(w)						\
	do {								\
		if (!__builtin_constant_p(w) || (w) < TCC_CB_A || (w) > TCC_CB_D) \
			tcc__bad_cb_word();				\
	} while (0)

/*
 * The empty asm hides skb from clang's common-subexpression elimination:
 * with several accesses inlined into one program, clang would keep
 * &skb->cb[0] in a register, and the verifier rejects a modified ctx
 * pointer.  It emits no instruction.
 */
#define tcc_cb_get(skb, w)						\
	({ tcc__cb_check(w); asm volatile("" : "+r"(skb)); (skb)->cb[(w)]; })
#define tcc_cb_set(skb, w, v)						\
	({ tcc__cb_check(w); asm volatile("" : "+r"(skb)); (skb)->cb[(w)] = (v); })

/* ---- per-CPU scratch ---------------------------------------------------- */

static __always_inline struct tcc_scratch *tcc_scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&tcc_scratch, &zero);
}

/*
 * Markers the loader reads from the object's BTF (.rodata), never the
 * data plane.  Each is static and referenced only by the SDK call that
 * means it, so clang emits it only into objects that make that call:
 *   tcc_reads_pkt	tcc_pkt_parsed(): the stage needs parse in an earlier
 *			slot (stage set warns when none is there)
 *   tcc_fills_pkt	tcc_parse() (<tcchain/parse.h>): later stages can
 *			read the parsed packet
 * The empty asm takes the marker's address and emits no instruction
 * beyond loading it.
 */
#define TCC__MARK(var)	asm volatile("" :: "r"(&(var)))
static const volatile __u32 tcc_reads_pkt = 1;

/* The parsed packet, or NULL when no parse stage ran before this one (see
 * tcc_pkt_get() in <tcchain/parse.h> for one that parses when needed).
 */
static __always_inline struct tcc_pkt *tcc_pkt_parsed(struct tcc_scratch *s)
{
	TCC__MARK(tcc_reads_pkt);
	return s && (s->pkt.flags & TCC_PKT_PARSED) ? &s->pkt : NULL;
}

static __always_inline struct tcc_stats *tcc__stats_row(__u32 row)
{
	return bpf_map_lookup_elem(&tcc_stats, &row);
}

static __always_inline void tcc__count(struct tcc_stats *st, int verdict)
{
	switch (verdict) {
	case TC_ACT_OK:		st->pass++; break;
	case TC_ACT_SHOT:	st->drop++; break;
	case TC_ACT_REDIRECT:	st->redirect++; break;
	default:		st->other++; break;
	}
}

#include <tcchain/observe.h>

/* make bench builds a copy of the entry and of its stage with
 * -DTCC_NO_OBSERVE: the dispatch without the cost and trace hooks, the
 * baseline their "off" cost is measured against.  Never for real use.
 */
#ifdef TCC_NO_OBSERVE
#define TCC__OBSERVE	0
#else
#define TCC__OBSERVE	1
#endif

/* ---- dispatch ------------------------------------------------------------
 *
 * Every stage has one tail-call site, tcc_progs[tcc_slot + 1], and the entry
 * one, tcc_progs[0].  The control plane keeps index i holding the program of
 * the first occupied slot at or after i, so a hole costs nothing: the stage
 * in slot 10 reached through index 3 still continues at 11, because its own
 * slot is in its rodata.  tcc_slot is frozen before load, so the verifier
 * knows every key and the JIT emits one patched direct jump per program.
 * The indices after the last stage are empty: the tail call falls through
 * and the chain ends here (doc/abi.md "Dispatch").
 */

/* The chain ran off its end: the configured end verdict, counted on the
 * chain's row.  Runs once per packet that no stage ended.
 */
static __always_inline int tcc__dispatch_end(struct __sk_buff *skb)
{
	struct tcc_config *cfg;
	struct tcc_stats *st;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&tcc_config, &zero);
	if (!cfg)
		return TC_ACT_OK;
	st = tcc__stats_row(TCC_STATS_CHAIN);
	if (st)
		tcc__count(st, cfg->end_verdict);
	if (__builtin_expect(TCC__OBSERVE && tcc__fw_word(skb), 0))
		tcc__observe_end(skb, TCC_TRACE_END, -1, cfg->end_verdict);
	return cfg->end_verdict;
}

/* Hand the packet to the first occupied slot at or after @index. */
static __always_inline int tcc__dispatch(struct __sk_buff *skb, const __u32 index)
{
	/* No slot after the last one; the test folds away at load. */
	if (index < TCC_MAX_SLOTS)
		bpf_tail_call(skb, &tcc_progs, index);
	return tcc__dispatch_end(skb);
}

/*
 * A stage's result: continue, or end the chain and count the verdict
 * here.  A continuing packet is not counted (see struct tcc_stats).
 */
static __always_inline int tcc__stage_finish(struct __sk_buff *skb, int verdict)
{
	struct tcc_stats *st;

	/* cost and trace: one context word when both are off */
	if (__builtin_expect(TCC__OBSERVE && tcc__fw_word(skb), 0))
		tcc__observe_hop(skb, tcc_slot, verdict);
	if (verdict == TCC_NEXT)
		return tcc__dispatch(skb, tcc_slot + 1);
	st = tcc__stats_row(tcc_slot);
	if (st) {
		st->bytes += skb->len;
		tcc__count(st, verdict);
	}
	return verdict;
}

/*
 * Define a stage.  The body is inlined into the program that the loader
 * puts into a slot; write it as a function taking struct __sk_buff *.
 * It defines two globals: the program `name` and `tcc_stage__name`, the
 * marker that tells the loader this program ends through the SDK (counts
 * its verdicts, dispatches to the next slot).  A SEC("tc") program without
 * it is loaded as a foreign, terminal stage (doc/abi.md).
 */
#define TCC_STAGE(name)							\
	const volatile __u32 tcc_stage__##name = TCC_ABI_VERSION;	\
	static __always_inline int name##__body(struct __sk_buff *skb);	\
	SEC("tc") int name(struct __sk_buff *skb)			\
	{								\
		return tcc__stage_finish(skb, name##__body(skb));	\
	}								\
	static __always_inline int name##__body

#endif /* TCCHAIN_H */
