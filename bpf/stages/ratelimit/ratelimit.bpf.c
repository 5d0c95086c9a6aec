// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ratelimit: token bucket, in packets/s or bytes/s, for all traffic or per
 * source address.
 *
 * Params:
 *   rate        tokens per second: packets, or bytes with bytes=1.  0 lets
 *               nothing through; above 10^9 packets/s there is no limit
 *               (a packet would cost less than a nanosecond).
 *   burst       bucket size, same unit, at most 18000000000 (burst/rate
 *               is kept in 64-bit nanoseconds).  With bytes=1 it must be at
 *               least the largest packet, or that packet never conforms.
 *   bytes       0: count packets (default), 1: count bytes (skb->len).
 *   per_source  0: one bucket for everything (default); 1: one bucket per
 *               source address (IPv4 or IPv6; all non-IP packets share
 *               one bucket).
 *   action      what to do with a packet over the limit: 0 = drop
 *               (default), 1 = set skb->mark = mark_value and continue.
 *   mark_value  the mark for action=1.
 * Conforming packets continue to the next stage.
 *
 * Maps:
 *   rl_global   array[1] of struct rl_bucket { tat }: the bucket when
 *               per_source=0.
 *   rl_sources  LRU hash, RL_MAX_SOURCES entries, key struct rl_key
 *               { addr[16], ip_ver, pad[3] } (addr in network order, IPv4
 *               in the first four bytes, rest zero; ip_ver 0 is the bucket
 *               of non-IP packets), value struct rl_bucket.  The least
 *               recently seen sources are forgotten when it is full.
 *   rl_stats    per-CPU array[1] of struct rl_stats { passed, passed_bytes,
 *               over, over_bytes }.
 *
 * The bucket is kept as GCRA: one "theoretical arrival time" (tat, ns of
 * CLOCK_MONOTONIC) per bucket instead of a token count plus a timestamp.
 * A packet costing c ns (1/rate s, or len/rate s) conforms when
 * max(tat, now) + c - now <= burst/rate s, and then moves tat to
 * max(tat, now) + c.  That is exactly a token bucket of burst tokens
 * refilled at rate, but its whole state is one 64-bit word, so it can be
 * updated with one compare-and-swap.
 *
 * Why compare-and-swap and not bpf_spin_lock: the kernel does not allow a
 * spin lock in LRU hash values, which per-source buckets need, and one
 * lock-prefixed cmpxchg is cheaper than the two helper calls a lock costs.
 * Both CPUs may update the same bucket at once; a lost race just re-reads
 * tat and tries again, so no token is spent twice.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

#include "ratelimit.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define NSEC_PER_SEC	1000000000ULL
/* Two CPUs can make a CAS fail at most once per competing update; a few
 * tries is plenty, and the bound keeps the verifier happy.
 */
#define RL_CAS_TRIES	4

const volatile __u64 rate = 1000;
const volatile __u64 burst = 100;
const volatile __u32 bytes = 0;
const volatile __u32 per_source = 0;
const volatile __u32 action = 0;
const volatile __u32 mark_value = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rl_bucket);
} rl_global SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RL_MAX_SOURCES);
	__type(key, struct rl_key);
	__type(value, struct rl_bucket);
} rl_sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rl_stats);
} rl_stats SEC(".maps");

/* 1 when a packet of cost ns fits in bucket b, and take it out. */
static __always_inline int rl_take(struct rl_bucket *b, __u64 now, __u64 cost, __u64 window)
{
#pragma unroll
	for (int i = 0; i < RL_CAS_TRIES; i++) {
		/* volatile: each try must see the other CPU's store */
		__u64 old = *(volatile __u64 *)&b->tat;
		__u64 start = old > now ? old : now;

		if (start + cost - now > window)
			return 0;
		if (__sync_val_compare_and_swap(&b->tat, old, start + cost) == old)
			return 1;
	}
	/* Still losing after several tries means the other CPU is taking
	 * tokens as fast as it can: treat as over the limit.
	 */
	return 0;
}

/* The per-source bucket; a new source starts with this packet taken. */
static __always_inline int rl_take_source(struct __sk_buff *skb, __u64 now, __u64 cost,
					  __u64 window)
{
	struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
	struct rl_key key = {};
	struct rl_bucket *b, fresh;

	if (pkt && (pkt->ip_ver == 4 || pkt->ip_ver == 6)) {
		/* src[] is zero past the IPv4 address, so one copy fits both. */
		__builtin_memcpy(key.addr, pkt->src, sizeof(key.addr));
		key.ip_ver = pkt->ip_ver;
	}
	b = bpf_map_lookup_elem(&rl_sources, &key);
	if (b)
		return rl_take(b, now, cost, window);
	if (cost > window)
		return 0;
	fresh.tat = now + cost;
	if (!bpf_map_update_elem(&rl_sources, &key, &fresh, BPF_NOEXIST))
		return 1;
	/* The other CPU created it first: take from its bucket. */
	b = bpf_map_lookup_elem(&rl_sources, &key);
	return b ? rl_take(b, now, cost, window) : 1;
}

TCC_STAGE(ratelimit)(struct __sk_buff *skb)
{
	struct rl_bucket *b;
	struct rl_stats *st;
	__u64 cost, window, now;
	__u32 zero = 0;
	int ok;

	if (!rate) {
		ok = 0;
	} else {
		/* Multiply before dividing: len/rate in whole seconds is 0. */
		if (bytes) {
			cost = (__u64)skb->len * NSEC_PER_SEC / rate;
			window = burst * NSEC_PER_SEC / rate;
		} else {
			/* window as a multiple of the rounded cost, so that
			 * exactly burst back-to-back packets fit.
			 */
			cost = NSEC_PER_SEC / rate;
			window = burst * cost;
		}
		now = bpf_ktime_get_ns();
		if (per_source) {
			ok = rl_take_source(skb, now, cost, window);
		} else {
			b = bpf_map_lookup_elem(&rl_global, &zero);
			ok = b ? rl_take(b, now, cost, window) : 1;
		}
	}

	st = bpf_map_lookup_elem(&rl_stats, &zero);
	if (st) {
		if (ok) {
			st->passed++;
			st->passed_bytes += skb->len;
		} else {
			st->over++;
			st->over_bytes += skb->len;
		}
	}
	if (ok)
		return TCC_NEXT;
	if (action == 1) {
		skb->mark = mark_value;
		return TCC_NEXT;
	}
	return TCC_DROP;
}
