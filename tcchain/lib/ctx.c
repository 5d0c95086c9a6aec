// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The library context: netlink socket, error detail, namespaces, bpffs. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "tcchain/lib/netns.h"

/*
 * libbpf prints its warnings to stderr by default.  The library never
 * prints: keep libbpf's last warning as the detail of the failure, for the
 * caller to show in its one error line.
 */
static struct tcc_ctx *print_ctx;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[sizeof(print_ctx->detail)];
	size_t n;

	if (level != LIBBPF_WARN || !print_ctx)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	/* "failed to load object" only sums up the warning before it (e.g.
	 * "map 'x': failed to create: ..."), which is the one to keep.
	 */
	if (strstr(line, "failed to load object") && print_ctx->detail[0])
		return 0;
	snprintf(print_ctx->detail, sizeof(print_ctx->detail), "%s",
		 strncmp(line, "libbpf: ", 8) ? line : line + 8);
	return 0;
}

struct tcc_ctx *tcc_ctx_new(void)
{
	struct tcc_ctx *ctx = calloc(1, sizeof(struct tcc_ctx));

	if (ctx) {
		print_ctx = ctx;
		libbpf_set_print(libbpf_print);
	}
	return ctx;
}

void tcc_ctx_free(struct tcc_ctx *ctx)
{
	if (!ctx)
		return;
	if (print_ctx == ctx)
		print_ctx = NULL;
	tcc_nl_close(ctx->nl);
	free(ctx->log);
	free(ctx);
}

const char *tcc_ctx_detail(const struct tcc_ctx *ctx)
{
	return ctx->detail[0] ? ctx->detail : NULL;
}

const char *tcc_ctx_log(const struct tcc_ctx *ctx)
{
	return ctx->log && ctx->log[0] ? ctx->log : NULL;
}

const char *tcc_ctx_warning(const struct tcc_ctx *ctx)
{
	return ctx->warning[0] ? ctx->warning : NULL;
}

/* Warnings pile up, one per line: a command may have several to say. */
void tcc__warn(struct tcc_ctx *ctx, const char *fmt, ...)
{
	size_t used = strlen(ctx->warning);
	va_list ap;

	if (used && used + 1 < sizeof(ctx->warning))
		ctx->warning[used++] = '\n';
	va_start(ap, fmt);
	vsnprintf(ctx->warning + used, sizeof(ctx->warning) - used, fmt, ap);
	va_end(ap);
}

const char *tcc_ctx_note(const struct tcc_ctx *ctx)
{
	return ctx->note[0] ? ctx->note : NULL;
}

void tcc__note(struct tcc_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
}

void tcc__clear(struct tcc_ctx *ctx)
{
	ctx->detail[0] = '\0';
	ctx->warning[0] = '\0';
	ctx->note[0] = '\0';
	ctx->kernel = false;
	free(ctx->log);
	ctx->log = NULL;
}

int tcc__fail(struct tcc_ctx *ctx, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->detail, sizeof(ctx->detail), fmt, ap);
	va_end(ap);
	return err;
}

int tcc__refused(struct tcc_ctx *ctx, int err)
{
	ctx->kernel = true;
	return err;
}

bool tcc_ctx_refused(const struct tcc_ctx *ctx)
{
	return ctx->kernel;
}

int tcc__nl_fail(struct tcc_ctx *ctx, int err)
{
	const char *msg = ctx->nl ? tcc_nl_ext_msg(ctx->nl) : NULL;

	ctx->kernel = true;
	if (msg && *msg)
		snprintf(ctx->detail, sizeof(ctx->detail), "%s", msg);
	return err;
}

void tcc__set_log(struct tcc_ctx *ctx, const char *log)
{
	free(ctx->log);
	ctx->log = log ? strdup(log) : NULL;
}

struct tcc_nl *tcc__nl(struct tcc_ctx *ctx)
{
	if (!ctx->nl)
		ctx->nl = tcc_nl_open();
	return ctx->nl;
}

int tcc_netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err = 0;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Only the network namespace: the mount namespace (and so the
	 * host's bpffs, where the chains are pinned) stays ours.
	 */
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	close(fd);
	return err;
}

int tcc_netns_id(__u64 *id)
{
	/* The cookie, not the nsfs inode: the kernel reuses inodes of freed
	 * namespaces, and a pin directory keyed by one could be taken for a
	 * newer namespace's.
	 */
	return tcc__netns_cookie(id);
}

int tcc_bpffs_ensure(void)
{
	int err = tcc__bpffs_check();

	if (err <= 0)
		return err;
	if (mkdir("/sys/fs/bpf", 0755) && errno != EEXIST)
		return -errno;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}
