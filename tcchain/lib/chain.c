// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The chain object: the entry program and the shared maps (prog array,
 * config, scratch, stats) plus the control plane's meta map, loaded from
 * the embedded skeleton, pinned in the chain's directory, and opened again
 * from there.  Attaching it to a hook is attach.c; finding chains is list.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/internal.h"
#include "entry.skel.h"

static size_t config_map_len(void)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return (sizeof(struct tcc_config) + page - 1) & ~(page - 1);
}

static struct tcc_chain *chain_alloc(void)
{
	struct tcc_chain *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->entry_fd = c->progs_fd = c->config_fd = -1;
	c->scratch_fd = c->stats_fd = c->meta_fd = c->trace_fd = -1;
	return c;
}

void tcc_chain_close(struct tcc_chain *c)
{
	if (!c)
		return;
	if (c->cfg)
		munmap(c->cfg, config_map_len());
	int *fds[] = { &c->entry_fd, &c->progs_fd, &c->config_fd,
		       &c->scratch_fd, &c->stats_fd, &c->meta_fd, &c->trace_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		tcc__drop_maps(c, s);
	free(c->pin_dir);
	free(c);
}

/*
 * next[] is written through a shared mapping of the config map, one
 * aligned 32-bit store per entry: the data plane never sees a torn entry.
 */
static int chain_map_config(struct tcc_chain *c)
{
	void *p = mmap(NULL, config_map_len(), PROT_READ | PROT_WRITE,
		       MAP_SHARED, c->config_fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	c->cfg = p;
	return 0;
}

int tcc__meta_read(const struct tcc_chain *c, __u32 row, struct tcc_meta *m)
{
	return bpf_map_lookup_elem(c->meta_fd, &row, m) ? -errno : 0;
}

int tcc__meta_write(const struct tcc_chain *c, __u32 row, const struct tcc_meta *m)
{
	return bpf_map_update_elem(c->meta_fd, &row, m, BPF_ANY) ? -errno : 0;
}

int tcc_chain_entry_fd(const struct tcc_chain *c) { return c->entry_fd; }

int tcc_chain_ifindex(const struct tcc_chain *c) { return c->ifindex; }

enum tcc_dir tcc_chain_dir(const struct tcc_chain *c) { return c->dir; }

const char *tcc_chain_pin_dir(const struct tcc_chain *c) { return c->pin_dir; }

int tcc_chain_map_fd(const struct tcc_chain *c, const char *name)
{
	if (!strcmp(name, TCC_MAP_PROGS))
		return c->progs_fd;
	if (!strcmp(name, TCC_MAP_CONFIG))
		return c->config_fd;
	if (!strcmp(name, TCC_MAP_SCRATCH))
		return c->scratch_fd;
	if (!strcmp(name, TCC_MAP_STATS))
		return c->stats_fd;
	if (!strcmp(name, TCC_MAP_TRACE))
		return c->trace_fd;
	return -ENOENT;
}

int tcc_chain_config(const struct tcc_chain *c, struct tcc_config *cfg)
{
	memcpy(cfg, c->cfg, sizeof(*cfg));
	return 0;
}

static int check_verdict(int v)
{
	return v == TC_ACT_OK || v == TC_ACT_SHOT || v == TC_ACT_UNSPEC ? 0 : -EINVAL;
}

struct tcc_chain *tcc_chain_load(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts)
{
	return tcc__chain_load_stats(ctx, opts, -1);
}

/* stats_fd >= 0: the new chain counts into that stats map (a generation
 * of a chain keeps counting where the one before it left off).
 */
struct tcc_chain *tcc__chain_load_stats(struct tcc_ctx *ctx, const struct tcc_chain_opts *opts,
					int stats_fd)
{
	struct tcc_config cfg = {
		.magic = TCC_ABI_MAGIC,
		.version = TCC_ABI_VERSION,
		.end_verdict = opts->end_verdict,
		.miss_verdict = opts->miss_verdict,
	};
	struct tcc_meta row = {
		.prio = opts->prio ?: TCC_DEFAULT_PRIO,
		.handle = opts->handle ?: TCC_DEFAULT_HANDLE,
	};
	struct tcc_entry_bpf *skel;
	struct tcc_chain *c;
	__u32 zero = 0;
	int err, i;

	tcc__clear(ctx);
	if (check_verdict(opts->end_verdict) || check_verdict(opts->miss_verdict)) {
		errno = EINVAL;
		return NULL;
	}
	c = chain_alloc();
	if (!c)
		return NULL;
	c->ifindex = opts->ifindex;
	c->dir = opts->dir;

	skel = tcc_entry_bpf__open();
	if (skel && stats_fd >= 0 && bpf_map__reuse_fd(skel->maps.tcc_stats, stats_fd)) {
		tcc_entry_bpf__destroy(skel);
		skel = NULL;
	}
	if (skel && tcc_entry_bpf__load(skel)) {
		tcc_entry_bpf__destroy(skel);
		skel = NULL;
	}
	if (!skel) {
		err = -errno;
		tcc__fail(ctx, err, "cannot load the entry program");
		goto err;
	}
	/* Keep our own references: the skeleton goes, the objects stay. */
	c->entry_fd = dup(bpf_program__fd(skel->progs.tcc_entry));
	c->progs_fd = dup(bpf_map__fd(skel->maps.tcc_progs));
	c->config_fd = dup(bpf_map__fd(skel->maps.tcc_config));
	c->scratch_fd = dup(bpf_map__fd(skel->maps.tcc_scratch));
	c->stats_fd = dup(bpf_map__fd(skel->maps.tcc_stats));
	c->trace_fd = dup(bpf_map__fd(skel->maps.tcc_trace));
	tcc_entry_bpf__destroy(skel);
	if (c->entry_fd < 0 || c->progs_fd < 0 || c->config_fd < 0 ||
	    c->scratch_fd < 0 || c->stats_fd < 0 || c->trace_fd < 0) {
		err = -EMFILE;
		goto err;
	}

	c->meta_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "tcc_meta", sizeof(__u32),
				    sizeof(struct tcc_meta), TCC_META_ROWS, NULL);
	if (c->meta_fd < 0) {
		err = -errno;
		goto err;
	}
	c->meta_rows = TCC_META_ROWS;
	for (i = 0; i <= TCC_MAX_SLOTS; i++)
		cfg.next[i] = TCC_SLOT_END;
	if (bpf_map_update_elem(c->config_fd, &zero, &cfg, BPF_ANY)) {
		err = -errno;
		goto err;
	}
	err = tcc__meta_write(c, TCC_META_CHAIN, &row);
	if (err)
		goto err;
	err = chain_map_config(c);
	if (err)
		goto err;
	return c;
err:
	tcc_chain_close(c);
	errno = -err;
	return NULL;
}

int tcc__chain_pin(const struct tcc_chain *c, const char *dir)
{
	const struct { int fd; const char *name; } pins[] = {
		{ c->entry_fd,   TCC_PIN_ENTRY },
		{ c->progs_fd,   TCC_PIN_PROGS },
		{ c->config_fd,  TCC_PIN_CONFIG },
		{ c->scratch_fd, TCC_PIN_SCRATCH },
		{ c->stats_fd,   TCC_PIN_STATS },
		{ c->meta_fd,    TCC_PIN_META },
		{ c->trace_fd,   TCC_PIN_TRACE },
	};
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(pins); i++) {
		err = tcc__pin_at(pins[i].fd, dir, pins[i].name);
		if (err)
			return err;
	}
	return 0;
}

struct tcc_chain *tcc__chain_open_dir(const char *dir, int ifindex, enum tcc_dir d)
{
	struct tcc_chain *c = chain_alloc();
	struct tcc_config cfg;
	__u32 zero = 0;
	int err;

	if (!c)
		return NULL;
	c->ifindex = ifindex;
	c->dir = d;
	c->pin_dir = strdup(dir);
	c->entry_fd = tcc__obj_get_at(dir, TCC_PIN_ENTRY);
	c->progs_fd = tcc__obj_get_at(dir, TCC_PIN_PROGS);
	c->config_fd = tcc__obj_get_at(dir, TCC_PIN_CONFIG);
	c->scratch_fd = tcc__obj_get_at(dir, TCC_PIN_SCRATCH);
	c->stats_fd = tcc__obj_get_at(dir, TCC_PIN_STATS);
	c->meta_fd = tcc__obj_get_at(dir, TCC_PIN_META);
	c->trace_fd = tcc__obj_get_at(dir, TCC_PIN_TRACE);
	int fds[] = { c->entry_fd, c->progs_fd, c->config_fd, c->scratch_fd,
		      c->stats_fd, c->meta_fd, c->trace_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (fds[i] < 0) {
			err = fds[i];
			goto err;
		}
	}
	if (!c->pin_dir) {
		err = -ENOMEM;
		goto err;
	}
	if (bpf_map_lookup_elem(c->config_fd, &zero, &cfg)) {
		err = -errno;
		goto err;
	}
	if (cfg.magic != TCC_ABI_MAGIC || cfg.version != TCC_ABI_VERSION) {
		err = -EPROTO;
		goto err;
	}
	/* The control plane's own rows changed size: a chain pinned by
	 * another tcchain build is another ABI, not something to misread. */
	{
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);

		if (bpf_obj_get_info_by_fd(c->meta_fd, &info, &len) ||
		    info.value_size != sizeof(struct tcc_meta) ||
		    info.max_entries <= TCC_META_CHAIN) {
			err = -EPROTO;
			goto err;
		}
		c->meta_rows = info.max_entries;
	}
	err = chain_map_config(c);
	if (err)
		goto err;
	tcc__trace_reap(c);	/* a tracer killed with SIGKILL (observe.c) */
	return c;
err:
	tcc_chain_close(c);
	errno = -err;
	return NULL;
}

struct tcc_chain *tcc__chain_broken(const char *dir, int ifindex, enum tcc_dir d, int err)
{
	struct tcc_chain *c = chain_alloc();

	if (!c)
		return NULL;
	c->ifindex = ifindex;
	c->dir = d;
	c->open_err = err;
	c->pin_dir = strdup(dir);
	if (!c->pin_dir) {
		free(c);
		return NULL;
	}
	return c;
}

int tcc_chain_error(const struct tcc_chain *c)
{
	return c->open_err;
}

struct tcc_chain *tcc_chain_open(struct tcc_ctx *ctx, int ifindex, enum tcc_dir d)
{
	char dir[PATH_MAX];
	struct tcc_chain *c;
	struct stat st;
	int err;

	err = tcc__chain_dir(dir, sizeof(dir), ifindex, d);
	if (err) {
		errno = -err;
		return NULL;
	}
	tcc__repair_if_idle(ctx, ifindex, NULL);
	if (stat(dir, &st)) {
		errno = ENOENT;
		return NULL;
	}
	c = tcc__chain_open_dir(dir, ifindex, d);
	if (!c && errno == EPROTO)
		tcc__fail(ctx, -EPROTO, "pinned chain in %s has another ABI (this tcchain speaks v%d)",
			  dir, TCC_ABI_VERSION);
	else if (!c && errno == ENOENT) {
		/* the directory is there, a pin of it is not */
		tcc__fail(ctx, -EUCLEAN, "a pin of the chain in %s is missing", dir);
		errno = EUCLEAN;
	}
	if (c)
		tcc__repair_if_idle(ctx, 0, c);
	return c;
}
