// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>

#include "tst.h"

int tst_fail;
char tst_skip_why[256];

void tst_hexdiff(const void *got, const void *want, size_t len)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	for (i = 0; i < len; i++)
		if (g[i] != w[i])
			fprintf(stderr, "      byte %zu: got 0x%02x, want 0x%02x\n",
				i, g[i], w[i]);
}

/* "test_netlink" -> "netlink": the prefix that keeps case names unique
 * across the binaries of one run (tests/run.sh refuses duplicates).
 */
static const char *tst_topic(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return strncmp(base, "test_", 5) ? base : base + 5;
}

int tst_main(int argc, char **argv, const struct tst_case *cases, size_t n)
{
	const char *topic = tst_topic(argv[0]);
	/* The sanitizer build runs the same cases: TST_PREFIX keeps their
	 * names apart ("san: ...").
	 */
	const char *pfx = getenv("TST_PREFIX") ?: "";
	char name[128];
	int failed = 0;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		if (argc > 1 && !strstr(cases[i].name, argv[1]))
			continue;
		tst_fail = 0;
		tst_skip_why[0] = '\0';
		fflush(stderr);
		cases[i].fn();
		fflush(stderr);
		snprintf(name, sizeof(name), "%s%s: %s", pfx, topic, cases[i].name);
		if (tst_fail) {
			printf("TEST: %-60s [FAIL]\n", name);
			failed++;
		} else if (tst_skip_why[0]) {
			printf("TEST: %-60s [SKIP] %s\n", name, tst_skip_why);
		} else {
			printf("TEST: %-60s [ OK ]\n", name);
		}
	}
	return failed ? 1 : 0;
}
