// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test stage whose own map the kernel cannot create (a hash map with a
 * value larger than the kernel allows): stage set names the map and why.
 */
#include <tcchain.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct huge {
	__u8 bytes[1 << 22];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct huge);
} huge_values SEC(".maps");

TCC_STAGE(map_too_big)(struct __sk_buff *skb)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&huge_values, &zero) ? TCC_NEXT : TCC_DROP;
}
