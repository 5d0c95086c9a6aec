// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A third-party stage, written from doc/abi.md and <tcchain.h> alone:
 * drops UDP datagrams to the destination ports listed in its own map, and
 * counts what it dropped per port.  Configured with `tcchain map set`.
 */
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* param: what to do with a listed port, TCC_DROP (2) unless set */
const volatile __s32 verdict = TCC_DROP;

struct port_key {
	__u16 port;		/* host order */
};

struct port_rule {
	__u64 hits;
	__u8 enabled;
};

#ifndef PORTBLOCK_MAX_PORTS
#define PORTBLOCK_MAX_PORTS	64
#endif

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PORTBLOCK_MAX_PORTS);
	__type(key, struct port_key);
	__type(value, struct port_rule);
} blocked_ports SEC(".maps");

TCC_STAGE(portblock)(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	struct port_key k = {};
	struct port_rule *r;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return TCC_NEXT;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > end)
		return TCC_NEXT;
	k.port = bpf_ntohs(udp->dest);
	r = bpf_map_lookup_elem(&blocked_ports, &k);
	if (!r || !r->enabled)
		return TCC_NEXT;
	__sync_fetch_and_add(&r->hits, 1);
	return verdict;
}
