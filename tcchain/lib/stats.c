// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Per-slot counters.  The data plane counts a packet once, where it ends
 * (struct tcc_stats); what every slot saw is derived here by following the
 * flow in slot order: what reaches slot s is what entered the chain minus
 * what ended or missed at the slots before s.  Slots that once held a
 * stage keep their rows, so the flow stays right after a stage del.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

static __u64 ended(const struct tcc_stats *s)
{
	return s->pass + s->drop + s->redirect + s->other;
}

/* The per-CPU rows, summed. */
static int rows_read(const struct tcc_chain *c, struct tcc_stats *raw)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tcc_stats *percpu;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	/* one value per possible CPU, each 8-byte aligned (it already is) */
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(raw, 0, TCC_STATS_ROWS * sizeof(*raw));
	for (__u32 row = 0; row < TCC_STATS_ROWS && !err; row++) {
		if (bpf_map_lookup_elem(c->stats_fd, &row, percpu)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			raw[row].packets += percpu[cpu].packets;
			raw[row].bytes += percpu[cpu].bytes;
			raw[row].pass += percpu[cpu].pass;
			raw[row].drop += percpu[cpu].drop;
			raw[row].redirect += percpu[cpu].redirect;
			raw[row].other += percpu[cpu].other;
			raw[row].miss += percpu[cpu].miss;
			raw[row].cost_ns += percpu[cpu].cost_ns;
			raw[row].cost_samples += percpu[cpu].cost_samples;
		}
	}
	free(percpu);
	return err;
}

/* The slots holding a foreign stage, which counts nothing. */
static __u32 foreign_mask(const struct tcc_chain *c)
{
	__u32 mask = 0;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		struct tcc_meta m;

		if (!tcc__meta_read(c, s, &m) && m.prog_id && (m.flags & TCC_STAGE_F_FOREIGN))
			mask |= 1U << s;
	}
	return mask;
}

/*
 * The chain's figure `foreign` (packets that ended in a foreign stage) is
 * what entered minus every counted end: nobody counts a foreign stage's
 * verdicts.  Read with no foreign stage ever in the chain, that difference
 * is only packets in flight, so it is used only once the chain has had
 * one.  TCC_META_F_HAD_FOREIGN in the meta chain row (internal.h) keeps
 * that fact after the foreign stage goes (stage del, a swap in place, a
 * generation without it), so the figure never falls back; stats reset
 * starts it over.
 */
static bool had_foreign(int meta_fd)
{
	__u32 row = TCC_META_CHAIN;
	struct tcc_meta m;

	return !bpf_map_lookup_elem(meta_fd, &row, &m) && (m.loaded & TCC_META_F_HAD_FOREIGN);
}

static int set_had_foreign(int meta_fd, bool on)
{
	__u32 row = TCC_META_CHAIN;
	struct tcc_meta m;

	if (bpf_map_lookup_elem(meta_fd, &row, &m))
		return -errno;
	if (!!(m.loaded & TCC_META_F_HAD_FOREIGN) == on)
		return 0;
	m.loaded ^= TCC_META_F_HAD_FOREIGN;
	return bpf_map_update_elem(meta_fd, &row, &m, BPF_EXIST) ? -errno : 0;
}

int tcc__stats_retire(const struct tcc_chain *c, __u32 slot)
{
	struct tcc_meta m;

	if (slot >= TCC_MAX_SLOTS || tcc__meta_read(c, slot, &m) || !m.prog_id ||
	    !(m.flags & TCC_STAGE_F_FOREIGN))
		return 0;
	return set_had_foreign(c->meta_fd, true);
}

int tcc__stats_carry(const struct tcc_chain *from, int to_meta_fd)
{
	if (!foreign_mask(from) && !had_foreign(from->meta_fd))
		return 0;
	return set_had_foreign(to_meta_fd, true);
}

/*
 * Packets and bytes that arrived at each slot, from the chain's flow.  A
 * foreign stage ends every packet that reaches it without counting it,
 * so nothing flows past it.
 */
static void flow(const struct tcc_stats *raw, __u32 foreign, __u64 *arrived,
		 __u64 *arrived_bytes)
{
	__u64 p = raw[TCC_STATS_CHAIN].packets, b = raw[TCC_STATS_CHAIN].bytes;

	for (int s = 0; s < TCC_MAX_SLOTS; s++) {
		arrived[s] = p;
		arrived_bytes[s] = b;
		if (foreign & (1U << s)) {
			p = b = 0;
			continue;
		}
		/* guard against a read torn across CPUs under traffic */
		p -= raw[s].miss + ended(&raw[s]) <= p ? raw[s].miss + ended(&raw[s]) : p;
		b -= raw[s].bytes <= b ? raw[s].bytes : b;
	}
}

static __u64 since(__u64 now, __u64 base)
{
	return now > base ? now - base : 0;
}

int tcc__stats_baseline(const struct tcc_chain *c, __u32 slot, struct tcc_meta *m)
{
	__u64 arrived[TCC_MAX_SLOTS], bytes[TCC_MAX_SLOTS];
	struct tcc_stats raw[TCC_STATS_ROWS];
	int err;

	/* A new baseline on an occupied slot is a swap between a foreign
	 * and an SDK stage: the stage there now is retired. */
	err = tcc__stats_retire(c, slot) ?: rows_read(c, raw);
	if (err)
		return err;
	flow(raw, foreign_mask(c), arrived, bytes);
	m->base_arrived = arrived[slot];
	m->base_arrived_bytes = bytes[slot];
	m->base = raw[slot];
	return 0;
}

int tcc_stats_read(const struct tcc_chain *c, struct tcc_slot_stats *out)
{
	__u64 arrived[TCC_MAX_SLOTS], bytes[TCC_MAX_SLOTS];
	struct tcc_stats raw[TCC_STATS_ROWS];
	const struct tcc_stats *ch = &raw[TCC_STATS_CHAIN];
	int err = rows_read(c, raw);

	if (err)
		return err;
	flow(raw, foreign_mask(c), arrived, bytes);
	memset(out, 0, TCC_STATS_ROWS * sizeof(*out));
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		struct tcc_slot_stats *o = &out[s];
		struct tcc_meta m = {};
		__u64 v;

		tcc__meta_read(c, s, &m);
		o->pass = since(raw[s].pass, m.base.pass);
		o->drop = since(raw[s].drop, m.base.drop);
		o->redirect = since(raw[s].redirect, m.base.redirect);
		o->other = since(raw[s].other, m.base.other);
		o->miss = since(raw[s].miss, m.base.miss);
		o->cost_ns = since(raw[s].cost_ns, m.base.cost_ns);
		o->cost_samples = since(raw[s].cost_samples, m.base.cost_samples);
		v = o->pass + o->drop + o->redirect + o->other;
		if (!m.prog_id) {
			/* An empty slot has no stage to count for: what its
			 * deleted stages did stays in the chain's totals
			 * (tcc_stats_totals), and only its misses are its own.
			 */
			*o = (struct tcc_slot_stats){ .miss = raw[s].miss };
			continue;
		}
		o->packets = since(since(arrived[s], m.base_arrived), o->miss);
		o->bytes = since(bytes[s], m.base_arrived_bytes);
		if (m.flags & TCC_STAGE_F_FOREIGN) {
			/* Its verdicts are its own business: every packet
			 * that reached it ended there, none went on. */
			o->is_foreign = true;
			o->foreign = since(o->packets, v);
			continue;
		}
		o->next = since(o->packets, v);
	}
	out[TCC_STATS_CHAIN] = (struct tcc_slot_stats){
		.packets = ch->packets, .bytes = ch->bytes, .pass = ch->pass,
		.drop = ch->drop, .redirect = ch->redirect, .other = ch->other,
		.cost_ns = ch->cost_ns, .cost_samples = ch->cost_samples,
	};
	return 0;
}

int tcc_stats_totals(const struct tcc_chain *c, struct tcc_slot_stats *total)
{
	struct tcc_stats raw[TCC_STATS_ROWS];
	const struct tcc_stats *ch = &raw[TCC_STATS_CHAIN];
	int err = rows_read(c, raw);

	if (err)
		return err;
	/* Raw rows only, no baselines: a baseline moves when a stage goes in,
	 * and a total that moved with it would go backwards.
	 */
	*total = (struct tcc_slot_stats){
		.packets = ch->packets, .bytes = ch->bytes, .pass = ch->pass,
		.drop = ch->drop, .redirect = ch->redirect, .other = ch->other,
	};
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++) {
		total->pass += raw[s].pass;
		total->drop += raw[s].drop;
		total->redirect += raw[s].redirect;
		total->other += raw[s].other;
		total->miss += raw[s].miss;
	}
	/* Packets that ended in a foreign stage are the ones counted
	 * nowhere: what entered minus every counted end.  Only once the
	 * chain has had one (had_foreign() above); otherwise those would be
	 * packets in flight. */
	if (foreign_mask(c) || had_foreign(c->meta_fd))
		total->foreign = since(ch->packets, total->pass + total->drop + total->redirect +
				       total->other + total->miss);
	return 0;
}

int tcc_stats_reset(const struct tcc_chain *c)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tcc_stats *zero;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (__u32 row = 0; row < TCC_STATS_ROWS && !err; row++)
		if (bpf_map_update_elem(c->stats_fd, &row, zero, BPF_EXIST))
			err = -errno;
	free(zero);
	/* Every baseline counted from the old rows: start them over too. */
	for (__u32 s = 0; s < TCC_MAX_SLOTS && !err; s++) {
		struct tcc_meta m;

		err = tcc__meta_read(c, s, &m);
		if (err)
			break;
		m.base_arrived = m.base_arrived_bytes = 0;
		m.base = (struct tcc_stats){};
		err = tcc__meta_write(c, s, &m);
	}
	/* The chain's history starts over: a foreign stage gone before the
	 * reset ended none of the packets counted from now. */
	if (!err)
		err = set_had_foreign(c->meta_fd, foreign_mask(c));
	return err;
}
