// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Stages from C source: `stage set 3 ./guard.bpf.c` compiles the file with
 * the flags the project builds its own stages with, into the stage cache,
 * and loads the object from there.
 *
 *	clang -O2 -g -target bpf -Wall -I SDK [-I /usr/include/ARCH-linux-gnu]
 *	      -c SRC -o CACHE/NAME-HASH.bpf.o
 *
 * SDK is the first of: $TCCHAIN_INCLUDE, PREFIX/include next to an
 * installed PREFIX/sbin/tcchain, the source tree's bpf/include the binary
 * was built from, the include dir the build was given.  CACHE is
 * /var/cache/tcchain (fixed, so that show finds the object again); HASH
 * is of the source's absolute path, so a source has one object,
 * overwritten by each compile (clang runs every time: a header it
 * includes may have changed).  clang is $TCCHAIN_CLANG, else `clang` in
 * PATH.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "tcchain/lib/internal.h"

#ifndef TCC_INCDIR
#define TCC_INCDIR	"/usr/local/include"
#endif
#ifndef TCC_SRC_INCDIR
#define TCC_SRC_INCDIR	""
#endif
#define DIAG_MAX	(64U << 10)

extern char **environ;

bool tcc_stage_is_source(const char *file)
{
	size_t n = strlen(file);

	return n > 2 && !strcmp(file + n - 2, ".c");
}

static bool has_sdk(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	if (!dir[0] || path_fmt(p, "%s/tcchain.h", dir))
		return false;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static int sdk_dir(char *out, size_t len)
{
	const char *env = getenv("TCCHAIN_INCLUDE");
	char self[PATH_MAX], *slash;
	ssize_t n;

	if (env && has_sdk(env))
		return snprintf(out, len, "%s", env) >= (int)len ? -ENAMETOOLONG : 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		/* PREFIX/sbin/tcchain -> PREFIX/include */
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			slash = strrchr(self, '/');
			if (slash && (size_t)(slash - self) + sizeof("/include") < sizeof(self)) {
				strcpy(slash, "/include");
				if (has_sdk(self))
					return snprintf(out, len, "%s", self) >= (int)len ? -ENAMETOOLONG : 0;
			}
		}
	}
	if (has_sdk(TCC_SRC_INCDIR))
		return snprintf(out, len, "%s", TCC_SRC_INCDIR) >= (int)len ? -ENAMETOOLONG : 0;
	if (has_sdk(TCC_INCDIR))
		return snprintf(out, len, "%s", TCC_INCDIR) >= (int)len ? -ENAMETOOLONG : 0;
	return -ENOENT;
}

/* clang: $TCCHAIN_CLANG, else the first `clang` in PATH. */
static int find_clang(char *out, size_t len)
{
	const char *env = getenv("TCCHAIN_CLANG"), *path = getenv("PATH"), *p;

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, X_OK) ? -ENOENT : 0;
	}
	for (p = path; p && *p; ) {
		const char *colon = strchrnul(p, ':');

		if (colon > p && (size_t)snprintf(out, len, "%.*s/clang", (int)(colon - p), p) < len &&
		    !access(out, X_OK))
			return 0;
		p = *colon ? colon + 1 : colon;
	}
	return -ENOENT;
}

static __u64 fnv1a(const char *s)
{
	__u64 h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

int tcc_stage_cache_path(const char *src, char *out, size_t len)
{
	const char *dir = TCC_CACHE_DIR;
	char *abs = realpath(src, NULL), base[NAME_MAX + 1];
	const char *b, *name = abs ? abs : src;
	size_t n;
	int w;

	b = strrchr(name, '/');
	snprintf(base, sizeof(base), "%s", b ? b + 1 : name);
	/* guard.bpf.c -> guard */
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".bpf.c"))
		base[n - 6] = '\0';
	else if (n > 2)
		base[n - 2] = '\0';
	w = snprintf(out, len, "%s/%.64s-%016llx.bpf.o", dir, base,
		     (unsigned long long)fnv1a(name));
	free(abs);
	return w < 0 || (size_t)w >= len ? -ENAMETOOLONG : 0;
}

/* Read the child's stderr up to DIAG_MAX (the rest is drained). */
static char *read_all(int fd)
{
	char *buf = calloc(1, DIAG_MAX + 1), sink[4096];
	size_t used = 0;
	ssize_t n;

	for (;;) {
		if (buf && used < DIAG_MAX)
			n = read(fd, buf + used, DIAG_MAX - used);
		else
			n = read(fd, sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (buf && used < DIAG_MAX)
			used += n;
	}
	return buf;
}

/* The first line of clang's output that says "error" (or the first line). */
static void first_error(const char *diag, char *out, size_t len)
{
	const char *l = strstr(diag, "error:"), *start, *end;

	if (!l)
		l = diag;
	start = l;
	while (start > diag && start[-1] != '\n')
		start--;
	end = strchrnul(start, '\n');
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

int tcc_stage_compile(struct tcc_ctx *ctx, const char *src, char *out, size_t len)
{
	char clang[PATH_MAX], inc[PATH_MAX], multi[PATH_MAX] = "", tmp[PATH_MAX];
	char *argv[16], *diag = NULL, *slash, first[512];
	posix_spawn_file_actions_t fa;
	struct utsname u;
	struct stat st;
	int pipefd[2], status, err, argc = 0;
	pid_t pid;

	if (find_clang(clang, sizeof(clang)))
		return tcc__fail(ctx, -ENOENT,
				 "cannot compile %s: clang is not installed (not in PATH; TCCHAIN_CLANG "
				 "names another): install clang, or build the object elsewhere with "
				 "'clang -O2 -g -target bpf -c %s' and give the .o", src, src);
	if (sdk_dir(inc, sizeof(inc)))
		return tcc__fail(ctx, -ENOENT,
				 "cannot compile %s: the tcchain SDK headers (tcchain.h) are not installed "
				 "(set TCCHAIN_INCLUDE to their directory)", src);
	err = tcc_stage_cache_path(src, out, len);
	if (err)
		return tcc__fail(ctx, err, "cannot compile %s: the cache path is too long", src);
	/* The cache dir: root's, like the pins. */
	snprintf(tmp, sizeof(tmp), "%s", out);
	slash = strrchr(tmp, '/');
	if (slash) {
		*slash = '\0';
		err = tcc__mkdir_p(tmp);
		if (err)
			return tcc__fail(ctx, err, "cannot create the stage cache %s: %s", tmp,
					 strerror(-err));
	}
	if (path_fmt(tmp, "%s.tmp.%d", out, (int)getpid()))
		return tcc__fail(ctx, -ENAMETOOLONG, "cannot compile %s: path too long", src);
	/* Debian's clang for -target bpf does not look in the multiarch
	 * dir, where asm/types.h lives. */
	if (!uname(&u)) {
		snprintf(multi, sizeof(multi), "/usr/include/%s-linux-gnu", u.machine);
		if (stat(multi, &st))
			multi[0] = '\0';
	}
	argv[argc++] = clang;
	argv[argc++] = "-O2";
	argv[argc++] = "-g";
	argv[argc++] = "-target";
	argv[argc++] = "bpf";
	argv[argc++] = "-Wall";
	argv[argc++] = "-I";
	argv[argc++] = inc;
	if (multi[0]) {
		argv[argc++] = "-I";
		argv[argc++] = multi;
	}
	argv[argc++] = "-c";
	argv[argc++] = (char *)src;
	argv[argc++] = "-o";
	argv[argc++] = tmp;
	argv[argc] = NULL;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	err = posix_spawn(&pid, clang, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		return tcc__fail(ctx, -err, "cannot run %s: %s", clang, strerror(err));
	}
	diag = read_all(pipefd[0]);
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		unlink(tmp);
		first_error(diag ? diag : "", first, sizeof(first));
		tcc__fail(ctx, -ENOEXEC, "clang failed: %s", first[0] ? first : "no output");
		/* every diagnostic, shown by the CLI below the error line */
		tcc__set_log(ctx, diag);
		free(diag);
		return -ENOEXEC;
	}
	free(diag);
	if (rename(tmp, out)) {
		err = -errno;
		unlink(tmp);
		return tcc__fail(ctx, err, "cannot put the object in %s: %s", out, strerror(-err));
	}
	return 0;
}
