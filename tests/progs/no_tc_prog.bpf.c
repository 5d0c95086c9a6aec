// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Test object with an XDP program and a kprobe program, no tc program. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("xdp")
int xdp_prog(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("kprobe/do_nanosleep")
int kprobe_prog(void *ctx)
{
	return 0;
}
