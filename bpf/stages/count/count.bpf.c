// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * count: packet and byte counters by IP version, L4 protocol and
 * destination port; always continues.
 *
 * Maps (all per-CPU: a packet only touches its own CPU's copy, so no
 * atomics; readers sum the CPUs).  Values are struct count_val
 * { packets, bytes }, bytes being skb->len.
 *
 *   count_ipver      array[8], key = ip_ver: 4 = IPv4, 6 = IPv6, 0 = not
 *                    IP (or an IP header too broken to read).
 *   count_proto      array[256], key = IP protocol (IPPROTO_*, after IPv6
 *                    extension headers); IPv4 and IPv6 packets only.
 *   count_dport      hash, COUNT_MAX_PORTS entries, key struct count_port
 *                    { proto, pad, dport } (dport host order): TCP, UDP and
 *                    SCTP packets whose ports could be read.
 *   count_untracked  array[1]: port-carrying packets that found
 *                    count_dport full (its keys are never evicted, so a
 *                    port scan cannot push the busy ports out).
 *
 * No params.
 */
#include <tcchain.h>
#include <tcchain/parse.h>

#include "count.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, struct count_val);
} count_ipver SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct count_val);
} count_proto SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, COUNT_MAX_PORTS);
	__type(key, struct count_port);
	__type(value, struct count_val);
} count_dport SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct count_val);
} count_untracked SEC(".maps");

static __always_inline void count_add(struct count_val *v, __u64 len)
{
	if (v) {
		v->packets++;
		v->bytes += len;
	}
}

TCC_STAGE(count)(struct __sk_buff *skb)
{
	struct tcc_pkt *pkt = tcc_pkt_get(skb, tcc_scratch_get());
	struct count_port port = {};
	struct count_val *v, first;
	__u64 len = skb->len;
	__u32 key, zero = 0;

	if (!pkt)
		return TCC_NEXT;
	key = pkt->ip_ver;
	count_add(bpf_map_lookup_elem(&count_ipver, &key), len);
	if (!pkt->ip_ver)
		return TCC_NEXT;
	key = pkt->l4_proto;
	count_add(bpf_map_lookup_elem(&count_proto, &key), len);

	if (!(pkt->flags & TCC_PKT_L4) ||
	    (pkt->l4_proto != IPPROTO_TCP && pkt->l4_proto != IPPROTO_UDP &&
	     pkt->l4_proto != IPPROTO_SCTP))
		return TCC_NEXT;
	port.proto = pkt->l4_proto;
	port.dport = pkt->dport;
	v = bpf_map_lookup_elem(&count_dport, &port);
	if (v) {
		count_add(v, len);
		return TCC_NEXT;
	}
	/* First packet to this port on any CPU: create the entry with this
	 * CPU's share already in it (a program's update of a per-CPU hash
	 * writes this CPU's copy and zeroes the others).
	 */
	first.packets = 1;
	first.bytes = len;
	if (!bpf_map_update_elem(&count_dport, &port, &first, BPF_NOEXIST))
		return TCC_NEXT;
	/* Lost the race to the other CPU (the entry now exists), or full. */
	v = bpf_map_lookup_elem(&count_dport, &port);
	count_add(v ? v : bpf_map_lookup_elem(&count_untracked, &zero), len);
	return TCC_NEXT;
}
