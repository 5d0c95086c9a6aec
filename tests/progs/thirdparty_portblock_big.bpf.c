// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* thirdparty_portblock with a bigger blocked_ports map: a changed map
 * definition, for the map carry-over test (tests/netns/test_carry.sh). */
#define PORTBLOCK_MAX_PORTS	128
#include "thirdparty_portblock.bpf.c"
