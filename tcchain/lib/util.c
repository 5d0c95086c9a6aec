// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Names of things, and finding a stage object from a bare name. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/pkt_cls.h>

#include "tcchain/lib/internal.h"

#ifndef TCC_STAGEDIR
#define TCC_STAGEDIR "/usr/local/lib/tcchain/stages"
#endif

const char *tcc_dir_str(enum tcc_dir dir)
{
	return dir == TCC_EGRESS ? "egress" : "ingress";
}

int tcc_dir_parse(const char *s, enum tcc_dir *dir)
{
	if (!strcmp(s, "ingress"))
		*dir = TCC_INGRESS;
	else if (!strcmp(s, "egress"))
		*dir = TCC_EGRESS;
	else
		return -EINVAL;
	return 0;
}

static const struct { int verdict; const char *name; } verdicts[] = {
	{ TC_ACT_OK,	 "pass" },
	{ TC_ACT_SHOT,	 "drop" },
	{ TC_ACT_UNSPEC, "continue" },
};

const char *tcc_verdict_str(int verdict)
{
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++)
		if (verdicts[i].verdict == verdict)
			return verdicts[i].name;
	return "other";
}

int tcc_verdict_parse(const char *s, int *verdict)
{
	for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++) {
		if (!strcmp(s, verdicts[i].name)) {
			*verdict = verdicts[i].verdict;
			return 0;
		}
	}
	return -EINVAL;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/* Look for NAME.bpf.o in dir; remember dir in *looked for the error. */
static bool try_dir(const char *dir, size_t dlen, const char *name, char *out, size_t len,
		    char *looked, size_t looked_len)
{
	size_t used = strlen(looked);

	snprintf(looked + used, looked_len - used, "%s%.*s", used ? ", " : "", (int)dlen, dir);
	if ((size_t)snprintf(out, len, "%.*s/%s.bpf.o", (int)dlen, dir, name) >= len)
		return false;
	return is_file(out);
}

bool tcc_stage_is_path(const char *arg)
{
	size_t n = strlen(arg);

	return strchr(arg, '/') || (n > 2 && !strcmp(arg + n - 2, ".o")) ||
	       tcc_stage_is_source(arg);
}

int tcc_stage_find(const char *arg, char *out, size_t len)
{
	char self[PATH_MAX], looked[1024] = "", *slash;
	const char *path, *p;
	ssize_t n;

	/* A path (a '/' or a name ending in .o) is taken as one, so a typo
	 * in a path is reported as a missing file.  A bare word is always a
	 * library name: a file called "count" in the current directory
	 * does not shadow the count stage (./count does).
	 */
	if (tcc_stage_is_path(arg)) {
		if ((size_t)snprintf(out, len, "%s", arg) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	path = getenv("TCCHAIN_STAGE_PATH");
	for (p = path; p && *p; ) {
		const char *colon = strchrnul(p, ':');

		if (colon > p && try_dir(p, colon - p, arg, out, len, looked, sizeof(looked)))
			return 0;
		p = *colon ? colon + 1 : colon;
	}
	/* Next to the binary: build/tcchain finds build/stages/; an
	 * installed PREFIX/sbin/tcchain finds PREFIX/lib/tcchain/stages,
	 * whatever PREFIX the build was told.
	 */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			strcpy(slash, "/stages");
			if (try_dir(self, strlen(self), arg, out, len, looked, sizeof(looked)))
				return 0;
			*slash = '\0';
			slash = strrchr(self, '/');
			if (slash && (size_t)(slash - self) + sizeof("/lib/tcchain/stages") < sizeof(self)) {
				strcpy(slash, "/lib/tcchain/stages");
				if (try_dir(self, strlen(self), arg, out, len, looked, sizeof(looked)))
					return 0;
			}
		}
	}
	if (try_dir(TCC_STAGEDIR, strlen(TCC_STAGEDIR), arg, out, len, looked, sizeof(looked)))
		return 0;
	snprintf(out, len, "%s", looked);
	return -ENOENT;
}
