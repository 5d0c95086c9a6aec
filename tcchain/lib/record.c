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
	fd = tcc__obj_get_at(dir, RECORD_PIN);
	if (fd == -ENOENT && !*text)
		return 0;
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

/* "k1=v1 k2=v2": the value of name in words, or NULL. */
static const char *word_field(const char *w, size_t wl, const char *words, size_t *len)
{
	(void)wl;
	for (const char *p = words; *p; ) {
		const char *end = strchr(p, ' ');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', l);
		size_t nl = eq ? (size_t)(eq - p) : l;
		const char *weq = strchr(w, '=');
		size_t wnl = weq ? (size_t)(weq - w) : strlen(w);

		if (nl == wnl && !strncmp(p, w, nl)) {
			*len = l;
			return p;
		}
		p += l;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

int tcc_map_record_edit(const struct tcc_chain *c, __u32 slot, const char *map,
			const char *key, const char *value)
{
	size_t cap = TCC_MAP_RECORD_SIZE * 2;
	char *old = malloc(cap), *out = malloc(cap), *merged = malloc(cap);
	char head[512];
	size_t used = 0, hl;
	bool done = false;
	int err;

	if (!old || !out || !merged) {
		err = -ENOMEM;
		goto out;
	}
	err = tcc_map_record_get(c, slot, old, cap);
	if (err)
		goto out;
	hl = snprintf(head, sizeof(head), "%s key %s value ", map, key);
	if (hl >= sizeof(head)) {
		err = -E2BIG;
		goto out;
	}
	out[0] = '\0';
	for (char *save = NULL, *line = strtok_r(old, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, head, hl)) {
			used += snprintf(out + used, cap - used, "%s\n", line);
			continue;
		}
		if (!value)
			continue;	/* del: the entry goes */
		/* set keeps the fields it does not name: so does its record */
		const char *prev = line + hl;
		size_t ml = 0;

		merged[0] = '\0';
		for (const char *p = prev; *p; ) {
			const char *end = strchr(p, ' ');
			size_t l = end ? (size_t)(end - p) : strlen(p), fl;
			char w[256];

			snprintf(w, sizeof(w), "%.*s", (int)l, p);
			if (!word_field(w, l, value, &fl))
				ml += snprintf(merged + ml, cap - ml, "%s%s", ml ? " " : "", w);
			p += l;
			while (*p == ' ')
				p++;
		}
		snprintf(merged + ml, cap - ml, "%s%s", ml ? " " : "", value);
		used += snprintf(out + used, cap - used, "%s%s\n", head, merged);
		done = true;
	}
	if (value && !done)
		used += snprintf(out + used, cap - used, "%s%s\n", head, value);
	err = used >= TCC_MAP_RECORD_SIZE ? -E2BIG : tcc_map_record_set(c, slot, out);
out:
	free(old);
	free(out);
	free(merged);
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
