// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The map entries a user set with `tcchain map set`, kept so `save` can
 * print them back: one pinned array per slot (slot-NN/mapset, one value of
 * text, one "MAP key ... value ..." line per entry).  It lives in the
 * slot's directory, so it goes with the stage: a stage replaced or deleted
 * takes its record along, as it takes its maps.  Entries a stage writes
 * itself are its state, not configuration, and are not recorded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"

#define RECORD_PIN	"mapset"

static int record_dir(const struct tcc_chain *c, __u32 slot, char *buf, size_t len)
{
	if (!c->pin_dir || slot >= TCC_MAX_SLOTS)
		return -EOPNOTSUPP;
	return (size_t)snprintf(buf, len, "%s/" TCC_PIN_SLOT_FMT, c->pin_dir, slot) >= len ?
	       -ENAMETOOLONG : 0;
}

int tcc_map_record_get(const struct tcc_chain *c, __u32 slot, char *buf, size_t len)
{
	char dir[PATH_MAX], *val;
	__u32 zero = 0;
	int fd, err;

	buf[0] = '\0';
	if (record_dir(c, slot, dir, sizeof(dir)))
		return 0;
	fd = tcc__obj_get_at(dir, RECORD_PIN);
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd;
	val = calloc(1, TCC_MAP_RECORD_SIZE);
	if (!val) {
		close(fd);
		return -ENOMEM;
	}
	err = bpf_map_lookup_elem(fd, &zero, val) ? -errno : 0;
	close(fd);
	if (!err)
		snprintf(buf, len, "%.*s", TCC_MAP_RECORD_SIZE - 1, val);
	free(val);
	return err;
}

int tcc_map_record_set(const struct tcc_chain *c, __u32 slot, const char *text)
{
	char dir[PATH_MAX], *val;
	__u32 zero = 0;
	int fd, err;

	err = record_dir(c, slot, dir, sizeof(dir));
	if (err)
		return err;
	if (strlen(text) >= TCC_MAP_RECORD_SIZE)
		return -E2BIG;
	if (!*text) {
		/* No entries, no record: the slot is as if none was ever set. */
		char path[PATH_MAX];

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, RECORD_PIN) >=
		    sizeof(path))
			return -ENAMETOOLONG;
		return unlink(path) && errno != ENOENT ? -errno : 0;
	}
	fd = tcc__obj_get_at(dir, RECORD_PIN);
	if (fd == -ENOENT) {
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tcc_mapset", sizeof(__u32),
				    TCC_MAP_RECORD_SIZE, 1, NULL);
		if (fd < 0)
			return -errno;
		err = tcc__pin_at(fd, dir, RECORD_PIN);
		if (err) {
			close(fd);
			return err;
		}
	}
	if (fd < 0)
		return fd;
	val = calloc(1, TCC_MAP_RECORD_SIZE);
	if (!val) {
		close(fd);
		return -ENOMEM;
	}
	strcpy(val, text);
	err = bpf_map_update_elem(fd, &zero, val, BPF_ANY) ? -errno : 0;
	close(fd);
	free(val);
	return err;
}

/* Whether the words "k1=v1 k2=v2" name the field of the word @w (@wl bytes). */
static bool names_field(const char *w, size_t wl, const char *words)
{
	const char *weq = memchr(w, '=', wl);
	size_t wnl = weq ? (size_t)(weq - w) : wl;

	for (const char *p = words; *p; ) {
		size_t l = strcspn(p, " ");
		const char *eq = memchr(p, '=', l);
		size_t nl = eq ? (size_t)(eq - p) : l;

		if (nl == wnl && !strncmp(p, w, nl))
			return true;
		p += l;
		p += strspn(p, " ");
	}
	return false;
}

/* Appends to buf (cap bytes) at *used; *used counts on past cap, so that
 * *used >= cap afterwards says the text did not fit.
 */
static void __attribute__((format(printf, 4, 5)))
put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*used < cap ? buf + *used : NULL, *used < cap ? cap - *used : 0, fmt, ap);
	va_end(ap);
	*used += n > 0 ? (size_t)n : 0;
}

int tcc_map_record_edit(const struct tcc_chain *c, __u32 slot, const char *map,
			const char *key, const char *value)
{
	size_t cap = TCC_MAP_RECORD_SIZE, used = 0, hl;
	char *old = malloc(cap), *out = malloc(cap), *head = NULL;
	bool done = false;
	int err, n;

	if (!old || !out) {
		err = -ENOMEM;
		goto out;
	}
	err = tcc_map_record_get(c, slot, old, cap);
	if (err)
		goto out;
	n = asprintf(&head, "%s key %s value ", map, key);
	if (n < 0) {
		head = NULL;
		err = -ENOMEM;
		goto out;
	}
	hl = n;
	out[0] = '\0';
	for (char *save = NULL, *line = strtok_r(old, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, head, hl)) {
			put(out, cap, &used, "%s\n", line);
			continue;
		}
		if (!value)
			continue;	/* del: the entry goes */
		/* set keeps the fields it does not name: so does its record */
		bool first = true;

		put(out, cap, &used, "%s", head);
		for (const char *p = line + hl; *p; ) {
			size_t l = strcspn(p, " ");

			if (!names_field(p, l, value)) {
				put(out, cap, &used, "%s%.*s", first ? "" : " ", (int)l, p);
				first = false;
			}
			p += l;
			p += strspn(p, " ");
		}
		put(out, cap, &used, "%s%s\n", first ? "" : " ", value);
		done = true;
	}
	if (value && !done)
		put(out, cap, &used, "%s%s\n", head, value);
	err = used >= cap ? -E2BIG : tcc_map_record_set(c, slot, out);
out:
	free(old);
	free(out);
	free(head);
	return err;
}

void tcc__record_carry(const struct tcc_chain *c, __u32 slot, const char *dir)
{
	char old[PATH_MAX];
	int fd;

	if (record_dir(c, slot, old, sizeof(old)))
		return;
	fd = tcc__obj_get_at(old, RECORD_PIN);
	if (fd < 0)
		return;
	tcc__pin_at(fd, dir, RECORD_PIN);
	close(fd);
}
