/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A tiny test harness in the style of the kernel selftests: one line per
 * test ("TEST: name  [ OK ]"), ASSERTs that say what they checked, and a
 * skip that always says why.  tests/run.sh counts the lines.  A line names
 * the case as "TOPIC: case", TOPIC the binary without "test_".
 */
#ifndef TCC_TST_H
#define TCC_TST_H

#include <stdio.h>
#include <string.h>

struct tst_case {
	const char *name;
	void (*fn)(void);
};

extern int tst_fail;			/* set by a failed ASSERT */
extern char tst_skip_why[256];		/* set by SKIP() */

#define TST_CASE(fn)	{ #fn, fn }

/* Run every case whose name contains argv[1] (all when absent). */
int tst_main(int argc, char **argv, const struct tst_case *cases, size_t n);

#define ASSERT_TRUE(cond, fmt, ...)					\
	({								\
		int __ok = !!(cond);					\
		if (!__ok) {						\
			fprintf(stderr, "    %s:%d: %s: " fmt "\n",	\
				__FILE__, __LINE__, #cond, ##__VA_ARGS__); \
			tst_fail = 1;					\
		}							\
		__ok;							\
	})

#define ASSERT_EQ(a, b, what)						\
	({								\
		long long __a = (long long)(a), __b = (long long)(b);	\
		int __ok = __a == __b;					\
		if (!__ok) {						\
			fprintf(stderr, "    %s:%d: %s: got %lld, want %lld\n", \
				__FILE__, __LINE__, what, __a, __b);	\
			tst_fail = 1;					\
		}							\
		__ok;							\
	})

#define ASSERT_OK(err, what)						\
	({								\
		long long __e = (long long)(err);			\
		int __ok = __e == 0;					\
		if (!__ok) {						\
			fprintf(stderr, "    %s:%d: %s: error %lld (%s)\n", \
				__FILE__, __LINE__, what, __e,		\
				strerror(__e < 0 ? (int)-__e : (int)__e)); \
			tst_fail = 1;					\
		}							\
		__ok;							\
	})

#define ASSERT_STREQ(a, b, what)					\
	({								\
		const char *__a = (a), *__b = (b);			\
		int __ok = __a && __b && !strcmp(__a, __b);		\
		if (!__ok) {						\
			fprintf(stderr, "    %s:%d: %s: got \"%s\", want \"%s\"\n", \
				__FILE__, __LINE__, what,		\
				__a ? __a : "(null)", __b ? __b : "(null)"); \
			tst_fail = 1;					\
		}							\
		__ok;							\
	})

#define ASSERT_MEMEQ(a, b, len, what)					\
	({								\
		int __ok = !memcmp((a), (b), (len));			\
		if (!__ok) {						\
			fprintf(stderr, "    %s:%d: %s: bytes differ\n", \
				__FILE__, __LINE__, what);		\
			tst_hexdiff((const void *)(a), (const void *)(b), (len)); \
			tst_fail = 1;					\
		}							\
		__ok;							\
	})

#define SKIP(fmt, ...)							\
	snprintf(tst_skip_why, sizeof(tst_skip_why), fmt, ##__VA_ARGS__)

void tst_hexdiff(const void *got, const void *want, size_t len);

#endif
