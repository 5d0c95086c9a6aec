// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Per-slot counters: the per-CPU rows of the stats map, summed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/internal.h"

int tcc_stats_read(const struct tcc_chain *c, struct tcc_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	struct tcc_stats *percpu;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	/* Per-CPU values come back 8-byte aligned, one per possible CPU;
	 * struct tcc_stats is a multiple of 8 already.
	 */
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(out, 0, TCC_STATS_ROWS * sizeof(*out));
	for (__u32 row = 0; row < TCC_STATS_ROWS; row++) {
		if (bpf_map_lookup_elem(c->stats_fd, &row, percpu)) {
			err = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpu; cpu++) {
			out[row].bytes += percpu[cpu].bytes;
			out[row].pass += percpu[cpu].pass;
			out[row].drop += percpu[cpu].drop;
			out[row].redirect += percpu[cpu].redirect;
			out[row].other += percpu[cpu].other;
			out[row].next += percpu[cpu].next;
			out[row].miss += percpu[cpu].miss;
		}
	}
	free(percpu);
	return err;
}
