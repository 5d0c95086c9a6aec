// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* bench_stage without the cost/trace hooks: the baseline of tools/bench/observe.c. */
#define TCC_NO_OBSERVE
#include "bench_stage.bpf.c"
