// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The stage library as ONE program (tools/bench/stages): parse, acl,
 * ratelimit, mark and count, their sources included as they ship, each
 * body an inline function called in turn.  tools/bench/stages runs it against
 * the same five stages loaded as a tcchain chain.
 *
 * How: the SDK header comes in first (through bench.h), so its include
 * guard keeps the stages' own #include <tcchain.h> from redefining
 * TCC_STAGE below.  TCC_STAGE(name)(skb) { ... } then declares
 * `static __always_inline int mono_name(skb) { ... }`: no program, no
 * stats, no dispatch.  Everything else in a stage source (its maps,
 * params, helpers) is compiled as is, so the two builds run the same
 * code on the same kind of maps; only the glue differs.
 *
 * Name clashes between stage sources are renamed around their #include:
 * every stage has a LICENSE (the extra copies only make the "license"
 * section longer; libbpf reads its first string), and ratelimit and mark
 * both have a mark_value param (ratelimit's becomes rl_mark_value).
 */
#include "bench.h"

#undef TCC_STAGE
#define TCC_STAGE(name)	static __always_inline int mono_##name

#define LICENSE parse_license
#include "../../bpf/stages/parse/parse.bpf.c"
#undef LICENSE

#define LICENSE acl_license
#include "../../bpf/stages/acl/acl.bpf.c"
#undef LICENSE

#define LICENSE rl_license
#define mark_value rl_mark_value
#include "../../bpf/stages/ratelimit/ratelimit.bpf.c"
#undef mark_value
#undef LICENSE

#define LICENSE mark_license
#include "../../bpf/stages/mark/mark.bpf.c"
#undef LICENSE

#define LICENSE count_license
#include "../../bpf/stages/count/count.bpf.c"
#undef LICENSE

#define MONO_RUN(stage)							\
	do {								\
		int v = mono_##stage(skb);				\
									\
		if (v != TCC_NEXT)					\
			return v;					\
	} while (0)

/* The entry's reset, then the stages; TC_ACT_OK when all continued, as a
 * chain with the default end verdict.
 */
SEC("tc")
int stages_mono(struct __sk_buff *skb)
{
	bench_reset(skb);
	MONO_RUN(parse);
	MONO_RUN(acl);
	MONO_RUN(ratelimit);
	MONO_RUN(mark);
	MONO_RUN(count);
	return TC_ACT_OK;
}
