/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What trace_slots stages leave in the scratch user area, for the tests. */
#ifndef TRACE_SLOTS_H
#define TRACE_SLOTS_H

#include <linux/types.h>

struct trace_slots {
	__u8  n;		/* stages that ran */
	__u8  slot[32];		/* their slots, in run order */
	__u8  pad[3];
	__u32 cb_seen_first;	/* TCC_CB_A as the first stage found it */
	__u32 cb_seen_last;	/* TCC_CB_A as the last stage found it */
	__u32 marker_seen;	/* marker as the first stage found it */
	__u32 marker;		/* written by every stage */
	__u32 param_seen;	/* the 'value' param of the last stage */
};

#define RT_MARKER	0x5eed5eed

#endif
