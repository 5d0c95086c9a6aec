// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The acl stage (bpf/stages/acl/acl.bpf.c) unchanged but for the size of
 * its tries: 131072 prefixes instead of the shipped 4096, for the peers
 * bench part's 100000-prefix comparison with nftables.  An LPM trie's
 * lookup cost depends on what it holds, not on max_entries.
 */
#include "../../../bpf/stages/acl/acl.h"
#undef ACL_MAX_PREFIXES
#define ACL_MAX_PREFIXES	131072
#include "../../../bpf/stages/acl/acl.bpf.c"
