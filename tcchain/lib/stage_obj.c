// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A stage's object before it goes into a slot: the file checks that say
 * in plain words what libbpf would call -EINVAL, the choice of program,
 * and the verifier's reason with the source line it refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"

static const char *prog_type_name(enum bpf_prog_type t)
{
	const char *s = libbpf_bpf_prog_type_str(t);

	return s ? s : "unknown";
}

/* Fail early with plain words for the files libbpf would only call -EINVAL. */
int tcc__check_file(struct tcc_ctx *ctx, const char *file)
{
	unsigned char magic[4];
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(file, &st))
		return tcc__fail(ctx, -errno, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tcc__fail(ctx, -EINVAL, "not a regular file");
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tcc__fail(ctx, -errno, "%s", strerror(errno));
	n = read(fd, magic, sizeof(magic));
	close(fd);
	if (n != sizeof(magic) || memcmp(magic, "\177ELF", 4))
		return tcc__fail(ctx, -ENOEXEC, "not an ELF object file");
	return 0;
}

/* C source: it must be there (clang's own "no such file" is wordier). */
int tcc__check_source(struct tcc_ctx *ctx, const char *file)
{
	struct stat st;

	if (stat(file, &st))
		return tcc__fail(ctx, -errno, "%s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tcc__fail(ctx, -EINVAL, "not a regular file");
	return 0;
}

/* Choose the program to load and switch off autoload for the rest. */
int tcc__pick_prog(struct tcc_ctx *ctx, struct bpf_object *obj, const char *want,
		     struct bpf_program **out)
{
	struct bpf_program *p, *found = NULL;
	char names[256] = "", other[128] = "";
	int n_tc = 0;

	bpf_object__for_each_program(p, obj) {
		enum bpf_prog_type t = bpf_program__type(p);
		const char *name = bpf_program__name(p);

		if (want) {
			if (!strcmp(name, want))
				found = p;
			continue;
		}
		if (t == BPF_PROG_TYPE_SCHED_CLS) {
			n_tc++;
			found = p;
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", n_tc > 1 ? ", " : "", name);
		} else if (!other[0]) {
			snprintf(other, sizeof(other), " (it has %s program '%s')",
				 prog_type_name(t), name);
		}
	}
	if (want && !found)
		return tcc__fail(ctx, -ENOENT, "no program named '%s' in the object", want);
	if (found && bpf_program__type(found) != BPF_PROG_TYPE_SCHED_CLS)
		return tcc__fail(ctx, -EINVAL, "program '%s' is of type %s, not a tc program",
				 bpf_program__name(found),
				 prog_type_name(bpf_program__type(found)));
	if (!want && n_tc == 0)
		return tcc__fail(ctx, -ENOENT, "no tc program in the object%s", other);
	if (!want && n_tc > 1)
		return tcc__fail(ctx, -EINVAL,
				 "the object has %d tc programs (%s); choose one with 'prog NAME'",
				 n_tc, names);
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, p == found);
	*out = found;
	return 0;
}

/*
 * The verifier's own reason (the last line before its summary) and, when
 * the object has BTF line info, the source line of the instruction it
 * refused: the last "; source @ file:line" line the log printed before
 * the reason (older kernels print the source without " @ file:line").
 */
void tcc__verifier_reason(const char *log, char *out, size_t len)
{
	const char *end = strstr(log, "\nprocessed ");
	const char *p, *start, *src = NULL, *src_end = NULL, *at;
	size_t used;

	if (!end)
		end = log + strlen(log);
	while (end > log && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	p = start;
	used = snprintf(out, len, "%.*s", (int)(end - p), p);
	if (used >= len)
		return;
	for (const char *l = log; l < start; l = strchrnul(l, '\n') + 1) {
		if (l[0] == ';' && l[1] == ' ') {
			src = l + 2;
			src_end = strchrnul(l, '\n');
		}
		if (!*strchrnul(l, '\n'))
			break;
	}
	/* A level-1 log names source lines whenever the object has BTF
	 * line info, which clang writes with -g. */
	if (!src) {
		snprintf(out + used, len - used,
			 " (no source line: the object has no BTF line info, compile it with -g)");
		return;
	}
	while (src < src_end && (*src == ' ' || *src == '\t'))
		src++;
	at = memmem(src, src_end - src, " @ ", 3);
	if (at)
		snprintf(out + used, len - used, ", at %.*s: %.*s", (int)(src_end - at - 3), at + 3,
			 (int)(at - src), src);
	else
		snprintf(out + used, len - used, ", at: %.*s", (int)(src_end - src), src);
}
