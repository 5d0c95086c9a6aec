/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * tcchain data-plane ABI, version 2.
 *
 * Shared by the BPF side (entry program, SDK, stages) and the control plane.
 * Everything here is ABI: the layout of the maps, their pinned names and the
 * meaning of each field.  doc/abi.md is the prose version of this file; a
 * change to either bumps TCC_ABI_VERSION.
 */
#ifndef TCCHAIN_ABI_H
#define TCCHAIN_ABI_H

#include <linux/types.h>

#define TCC_ABI_MAGIC		0x54434348	/* "TCCH" */
#define TCC_ABI_VERSION		2

/* A chain has 32 slots: with the entry program that is 33 programs, which
 * is exactly the kernel's tail-call limit (MAX_TAIL_CALL_CNT).
 */
#define TCC_MAX_SLOTS		32
/* Value of a next[] entry that means "no stage at or after this index". */
#define TCC_SLOT_END		TCC_MAX_SLOTS
/* Index of the chain's own row in the stats map (entry and end verdicts). */
#define TCC_STATS_CHAIN		TCC_MAX_SLOTS
#define TCC_STATS_ROWS		(TCC_MAX_SLOTS + 1)

/*
 * Map names.  Stages declare these maps through the SDK and the loader binds
 * them by name to the chain's pinned maps; the pins in the chain directory
 * carry the same names without the "tcc_" prefix.
 */
#define TCC_MAP_PROGS		"tcc_progs"
#define TCC_MAP_CONFIG		"tcc_config"
#define TCC_MAP_SCRATCH		"tcc_scratch"
#define TCC_MAP_STATS		"tcc_stats"
#define TCC_MAP_TRACE		"tcc_trace"

/*
 * tcc_config: BPF_MAP_TYPE_ARRAY, one element, BPF_F_MMAPABLE.
 *
 * The dispatch (version 2) is the prog array itself: index i holds the
 * program of the first occupied slot >= i, every index after the last
 * stage is empty, and a stage tail-calls tcc_progs[tcc_slot + 1] (the
 * entry, index 0).  next[] is that table written out as slot numbers:
 * next[i] is the first occupied slot >= i, or TCC_SLOT_END.  No program
 * reads it; it is kept for tools and for the checks that the prog array
 * agrees with it (index i holds the program of slot next[i]).
 */
struct tcc_config {
	__u32 magic;		/* TCC_ABI_MAGIC */
	__u32 version;		/* TCC_ABI_VERSION */
	__s32 end_verdict;	/* TC_ACT_OK, TC_ACT_SHOT or TC_ACT_UNSPEC */
	__s32 miss_verdict;	/* verdict when a tail call misses (version 1
				 * only: with every hole filled, none can) */
	__u32 flags;		/* TCC_CFG_F_* and the sample shifts below */
	__u32 generation;	/* bumped by the control plane on every change */
	__u32 next[TCC_MAX_SLOTS + 1];
};

/*
 * tcc_config.flags: run-time observation, off by default (doc/observe.md).
 * COST samples 1 packet in 2^COST_SHIFT for per-stage time; TRACE sends
 * 1 packet in 2^TRACE_SHIFT (0: every packet) to the tcc_trace ring
 * buffer.  The sample decision is made once, by the entry, and carried in
 * skb->cb[TCC_CB_FRAMEWORK] (TCC_FW_*) so a stage tests one context word.
 */
#define TCC_CFG_F_COST		(1U << 0)
#define TCC_CFG_F_TRACE		(1U << 1)
#define TCC_CFG_F_OBSERVE	(TCC_CFG_F_COST | TCC_CFG_F_TRACE)
#define TCC_CFG_COST_SHIFT_POS	8
#define TCC_CFG_TRACE_SHIFT_POS	16
#define TCC_CFG_SHIFT_MASK	0x1f
#define TCC_CFG_COST_SHIFT(f)	(((f) >> TCC_CFG_COST_SHIFT_POS) & TCC_CFG_SHIFT_MASK)
#define TCC_CFG_TRACE_SHIFT(f)	(((f) >> TCC_CFG_TRACE_SHIFT_POS) & TCC_CFG_SHIFT_MASK)
#define TCC_COST_SHIFT_DEFAULT	6	/* 1 packet in 64 */

#define TCC_FW_COST		(1U << 0)	/* this packet is timed */
#define TCC_FW_TRACE		(1U << 1)	/* this packet is traced */

/*
 * tcc_stats: BPF_MAP_TYPE_PERCPU_ARRAY, TCC_STATS_ROWS elements, indexed by
 * slot; row TCC_STATS_CHAIN belongs to the entry.
 *
 * A packet is counted once, where it ends: by the stage whose verdict ends
 * the chain (pass/drop/redirect/other and bytes on that stage's row), by a
 * miss (version 1 only: miss on the row of the slot found empty), or by
 * the end verdict
 * (on the chain row).  A stage that continues counts nothing, which keeps
 * the per-stage cost of the stats at zero.  The chain row also counts the
 * packets and bytes that entered.  What each slot saw and passed on is
 * derived by the control plane walking the rows in slot order: what
 * reaches a slot is what entered minus what ended or missed before it.
 */
struct tcc_stats {
	__u64 packets;		/* chain row: packets that entered; else 0 */
	__u64 bytes;		/* chain row: bytes in; slot rows: bytes of the
				 * packets whose verdict was given here */
	__u64 pass;		/* TC_ACT_OK */
	__u64 drop;		/* TC_ACT_SHOT */
	__u64 redirect;		/* TC_ACT_REDIRECT */
	__u64 other;		/* any other TC_ACT_* (UNSPEC, RECLASSIFY, ...) */
	__u64 miss;		/* slot rows: tail calls that found it empty;
				 * always 0 since version 2 */
	__u64 cost_ns;		/* sampled packets: ns from the previous hop's
				 * end (or the entry) to this stage's end;
				 * chain row: the sum over all its stages */
	__u64 cost_samples;	/* slot rows: sampled packets timed here;
				 * chain row: sampled packets in */
};

/*
 * Parsed packet, filled by the parse stage (or by tcc_parse() from any
 * stage).  Offsets are from the start of the Ethernet header.  All fields
 * are meaningful only when flags has TCC_PKT_PARSED.
 */
#define TCC_PKT_PARSED		(1U << 0)	/* this struct is valid */
#define TCC_PKT_L4		(1U << 1)	/* l4_off and ports/ICMP are valid */
#define TCC_PKT_FRAG		(1U << 2)	/* IP fragment */
#define TCC_PKT_LATER_FRAG	(1U << 3)	/* non-first fragment: no L4 header */
#define TCC_PKT_MALFORMED	(1U << 4)	/* a header is inconsistent */
#define TCC_PKT_TRUNCATED	(1U << 5)	/* packet ends inside a header */
#define TCC_PKT_VLAN_DEEP	(1U << 6)	/* more than two VLAN tags */
#define TCC_PKT_EXT_LIMIT	(1U << 7)	/* IPv6 ext-header walk was cut off */

struct tcc_pkt {
	__u16 flags;		/* TCC_PKT_* */
	__u16 eth_proto;	/* host order, after VLAN tags */
	__u16 l3_off;
	__u16 l4_off;
	__u16 vlan[2];		/* TCI, host order, outer first */
	__u8  vlan_depth;
	__u8  ip_ver;		/* 4, 6 or 0 */
	__u8  l4_proto;		/* IPPROTO_*, after IPv6 extension headers */
	__u8  ttl;		/* TTL or hop limit */
	__u16 sport;		/* host order; ICMP: 0 */
	__u16 dport;		/* host order; ICMP: 0 */
	__u8  icmp_type;
	__u8  icmp_code;
	__u16 l3_len;		/* IPv4 total length / IPv6 payload + 40 */
	__u32 src[4];		/* network order; IPv4 in src[0], rest zero */
	__u32 dst[4];
};

/*
 * tcc_scratch: BPF_MAP_TYPE_PERCPU_ARRAY, one element.  The entry program
 * zeroes the whole struct for every packet, so nothing a stage writes here
 * is seen by the next packet.  Valid only while one packet runs through the
 * chain on this CPU (tc programs do not migrate mid-chain).
 */
#define TCC_SCRATCH_USER_SIZE	64

struct tcc_scratch_hdr {
	__u32 flags;		/* framework: TCC_FW_* of this packet */
	__u32 seq;		/* framework: sampled packets only, the low 32
				 * bits of bpf_ktime_get_ns() at the last hop */
};

struct tcc_scratch {	/* 8-aligned: the entry clears it with 64-bit stores */
	struct tcc_scratch_hdr hdr;		/* framework */
	struct tcc_pkt pkt;			/* parse stage */
	__u8 user[TCC_SCRATCH_USER_SIZE];	/* stages, by agreement */
} __attribute__((aligned(8)));

/* Sizes are ABI too: a layout change must be a version change. */
_Static_assert(sizeof(struct tcc_config) == 156, "tcc_config layout");
_Static_assert(sizeof(struct tcc_stats) == 72, "tcc_stats layout");
_Static_assert(sizeof(struct tcc_pkt) == 56, "tcc_pkt layout");
_Static_assert(sizeof(struct tcc_scratch) == 128, "tcc_scratch layout");

/*
 * tcc_trace: BPF_MAP_TYPE_RINGBUF of struct tcc_trace_event, one per hop of
 * a traced packet.  A packet's events come from one CPU, in order: ENTRY,
 * then one HOP per stage that ran, the last one with the verdict that
 * ended the chain, or an END (end verdict).  MISS (slot found empty) is
 * version 1's; version 2 programs never send it.
 */
#define TCC_TRACE_SIZE		(256 * 1024)

enum tcc_trace_kind {
	TCC_TRACE_ENTRY = 1,
	TCC_TRACE_HOP = 2,
	TCC_TRACE_END = 3,
	TCC_TRACE_MISS = 4,
};

struct tcc_trace_event {
	__u64 ts;		/* bpf_ktime_get_ns() */
	__u32 kind;		/* enum tcc_trace_kind */
	__u32 cpu;
	__u32 seq;		/* ENTRY: the CPU's packet number (chain row) */
	__s32 slot;		/* HOP, MISS: the slot; ENTRY, END: -1 */
	__s32 verdict;		/* HOP: TCC_NEXT (-128) or TC_ACT_*; END, MISS:
				 * the verdict applied */
	__u32 len;		/* skb->len */
	__u32 ifindex;
	__u32 mark;
	__u32 cb[5];
	__u32 ns;		/* HOP: ns from the previous hop's end (or the
				 * entry) to this stage's end, without the
				 * trace's own cost */
	struct tcc_scratch_hdr hdr;
	struct tcc_pkt pkt;	/* as the parse stage left it (flags 0: none) */
};

_Static_assert(sizeof(struct tcc_trace_event) == 128, "tcc_trace_event layout");

/*
 * skb->cb[] words (5 x u32 visible to tc programs).  The entry zeroes all
 * five on every packet: the stack does not promise they are clean when a
 * tc program starts.  Words 0..3 are free for stages (TCC_CB_A..D); word 4
 * is the framework's: zero, or TCC_FW_* for a sampled or traced packet.
 */
#define TCC_CB_WORDS		5
#define TCC_CB_FRAMEWORK	4

/*
 * Address types for a stage's own maps and params.  They change no layout
 * (so no ABI version): they tell `tcchain map show` to print the field as
 * an address, and `map set`/`param` take IPv4/IPv6 text for them, stored in
 * network order (doc/values.md).  __be32 and any __u8[4]/__u8[16] are read
 * the same way.
 */
typedef __be32 tcc_ipv4_t;
typedef __u8 tcc_ipv6_t[16];

#endif /* TCCHAIN_ABI_H */
