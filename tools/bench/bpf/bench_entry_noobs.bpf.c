// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The shipped entry without the cost/trace hooks: tools/bench/observe.c's baseline. */
#define TCC_NO_OBSERVE
#include "../../../bpf/entry/entry.bpf.c"
