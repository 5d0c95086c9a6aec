// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The loader's words for a refused stage: the verifier's reason and the
 * source line of the refused instruction, taken from canned verifier logs
 * in the kernel's two formats (with and without " @ file:line"), and from
 * one with no line info; and which arguments are C source.
 */
#include <stdio.h>
#include <string.h>

#include "tcchain/lib/internal.h"
#include "tests/lib/tst.h"

static void check(const char *log, const char *want)
{
	char out[512];

	tcc__verifier_reason(log, out, sizeof(out));
	ASSERT_TRUE(!strcmp(out, want), "got '%s', want '%s'", out, want);
}

static void reason_with_file_line(void)
{
	check("func#0 @0\n"
	      "0: R1=ctx() R10=fp0\n"
	      "; void *data = (void *)(long)skb->data; @ guard.bpf.c:9\n"
	      "0: (61) r1 = *(u32 *)(r1 +76)\n"
	      "; return *(__u32 *)(data + 30) == 7 ? TCC_DROP : TCC_NEXT; @ guard.bpf.c:11\n"
	      "1: (61) r1 = *(u32 *)(r1 +30)\n"
	      "invalid access to packet, off=30 size=4, R1(id=0,off=30,r=0)\n"
	      "R1 offset is outside of the packet\n"
	      "processed 2 insns (limit 1000000) max_states_per_insn 0\n",
	      "R1 offset is outside of the packet, at guard.bpf.c:11: "
	      "return *(__u32 *)(data + 30) == 7 ? TCC_DROP : TCC_NEXT;");
}

static void reason_source_only(void)
{
	/* older kernels print the source line without its place */
	check("; return *(__u32 *)(data + 30);\n"
	      "1: (61) r0 = *(u32 *)(r1 +30)\n"
	      "R1 offset is outside of the packet\n"
	      "processed 2 insns\n",
	      "R1 offset is outside of the packet, at: return *(__u32 *)(data + 30);");
}

static void reason_no_line_info(void)
{
	check("0: (61) r1 = *(u32 *)(r1 +76)\n"
	      "1: (61) r0 = *(u32 *)(r1 +30)\n"
	      "R1 offset is outside of the packet\n"
	      "processed 2 insns\n",
	      "R1 offset is outside of the packet (no source line: the object has no BTF "
	      "line info, compile it with -g)");
}

static void reason_no_summary(void)
{
	/* a log cut short: the last line is the reason */
	check("; x = 1; @ a.c:3\nR2 !read_ok\n", "R2 !read_ok, at a.c:3: x = 1;");
}

static void source_args(void)
{
	ASSERT_TRUE(tcc_stage_is_source("guard.bpf.c"), "guard.bpf.c");
	ASSERT_TRUE(tcc_stage_is_source("./x.c"), "./x.c");
	ASSERT_TRUE(!tcc_stage_is_source("guard.bpf.o"), "an object");
	ASSERT_TRUE(!tcc_stage_is_source(".c"), "just .c");
	ASSERT_TRUE(!tcc_stage_is_source("count"), "a library name");
	ASSERT_TRUE(tcc_stage_is_path("guard.bpf.c"), "a .c word is a path");
}

static void cache_path(void)
{
	char a[4096], b[4096];

	ASSERT_OK(tcc_stage_cache_path("/nonexistent/dir/guard.bpf.c", a, sizeof(a)), "path a");
	ASSERT_OK(tcc_stage_cache_path("/nonexistent/other/guard.bpf.c", b, sizeof(b)), "path b");
	ASSERT_TRUE(!strncmp(a, "/var/cache/tcchain/guard-", 25), "%s", a);
	ASSERT_TRUE(strcmp(a, b), "two sources, two objects: %s", a);
	ASSERT_OK(tcc_stage_cache_path("/nonexistent/dir/guard.bpf.c", b, sizeof(b)), "again");
	ASSERT_TRUE(!strcmp(a, b), "one source, one object: %s %s", a, b);
}

int main(int argc, char **argv)
{
	static const struct tst_case cases[] = {
		TST_CASE(reason_with_file_line),
		TST_CASE(reason_source_only),
		TST_CASE(reason_no_line_info),
		TST_CASE(reason_no_summary),
		TST_CASE(source_args),
		TST_CASE(cache_path),
	};

	return tst_main(argc, argv, cases, sizeof(cases) / sizeof(cases[0]));
}
