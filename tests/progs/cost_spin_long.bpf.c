// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* cost_spin, five times longer (~2 us here): what a hop costs to measure,
 * the tail call into the stage and one clock read (40-100 ns on this
 * machine), stays a few percent of the figure test_cost.sh checks. */
#define COST_SPIN_ROUNDS	1000
#include "cost_spin.bpf.c"
