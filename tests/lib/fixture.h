/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The chain fixture of the stage tests (test_parse, test_stages): a chain
 * on the library, stages set from the build tree, packets from
 * tests/lib/pkt.h run through it with BPF_PROG_TEST_RUN, and map readers.
 * Header-only so each test binary stays one .c file.  TEST_VERBOSE=1 in
 * the environment prints the verifier log of a stage that fails to load.
 */
#ifndef TCC_TEST_FIXTURE_H
#define TCC_TEST_FIXTURE_H

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "tests/lib/tst.h"
#include "tests/lib/pkt.h"
#include "tcchain/lib/libtcchain.h"
#include "tests/progs/skb_dump.h"

/* Where make put the objects: $OUT, else the tree this binary sits in
 * ($OUT/tests/unit/<binary>), so the test runs from anywhere.
 */
static inline const char *fx_obj(const char *rel)
{
	static char buf[4][2 * PATH_MAX];
	static char out[PATH_MAX];
	static int i;

	if (!out[0]) {
		const char *env = getenv("OUT");
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		char *s;

		if (env) {
			snprintf(out, sizeof(out), "%s", env);
		} else if (n > 0) {
			exe[n] = '\0';
			for (int up = 0; up < 3 && (s = strrchr(exe, '/')); up++)
				*s = '\0';
			snprintf(out, sizeof(out), "%s", exe);
		} else {
			snprintf(out, sizeof(out), "build");
		}
	}
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", out, rel);
	return buf[i];
}

struct fx {
	struct tcc_ctx *ctx;
	struct tcc_chain *chain;
};

static inline bool fx_init(struct fx *fx)
{
	struct tcc_chain_opts o = { .end_verdict = TC_ACT_OK, .miss_verdict = TC_ACT_OK };

	fx->ctx = tcc_ctx_new();
	fx->chain = fx->ctx ? tcc_chain_load(fx->ctx, &o) : NULL;
	return ASSERT_TRUE(fx->chain, "tcc_chain_load: %s",
			   fx->ctx && tcc_ctx_detail(fx->ctx) ? tcc_ctx_detail(fx->ctx) : strerror(errno));
}

static inline void fx_fini(struct fx *fx)
{
	tcc_chain_close(fx->chain);
	tcc_ctx_free(fx->ctx);
	fx->chain = NULL;
	fx->ctx = NULL;
}

/* rel: "stages/acl.bpf.o"; params: "name=value" strings, NULL-terminated. */
static inline bool fx_stage(struct fx *fx, __u32 slot, const char *rel, const char *const *params)
{
	struct tcc_stage_opts o = { .file = fx_obj(rel) };
	struct tcc_param ps[TCC_MAX_PARAMS];
	char copy[TCC_MAX_PARAMS][128];
	size_t n = 0;
	int err;

	for (; params && params[n] && n < TCC_MAX_PARAMS; n++) {
		char *eq;

		snprintf(copy[n], sizeof(copy[n]), "%s", params[n]);
		eq = strchr(copy[n], '=');
		if (!eq)
			abort();
		*eq = '\0';
		ps[n].name = copy[n];
		ps[n].value = eq + 1;
	}
	o.params = ps;
	o.n_params = n;
	err = tcc_stage_set(fx->ctx, fx->chain, slot, &o);
	if (err) {
		const char *log = tcc_ctx_log(fx->ctx);

		fprintf(stderr, "    stage set %u %s: %d (%s)\n", slot, rel, err,
			tcc_ctx_detail(fx->ctx) ?: strerror(-err));
		if (log && getenv("TEST_VERBOSE"))
			fprintf(stderr, "%s\n", log);
	}
	return ASSERT_OK(err, "tcc_stage_set");
}

/* Run one packet through the chain: the verdict, or -1 after a failed
 * ASSERT.  skb_out (may be NULL) gets the skb fields the kernel copies
 * back (mark, priority, cb[], ...).
 */
static inline int fx_run(struct fx *fx, const struct pb *p, struct __sk_buff *skb_out)
{
	struct __sk_buff skb = {};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = p->b,
		.data_size_in = p->len,
		.ctx_out = &skb,
		.ctx_size_out = sizeof(skb),
		.repeat = 1,
	);
	int err = bpf_prog_test_run_opts(tcc_chain_entry_fd(fx->chain), &o);

	if (!ASSERT_OK(err ? -errno : 0, "bpf_prog_test_run_opts"))
		return -1;
	if (skb_out)
		*skb_out = skb;
	return (int)o.retval;
}

/* ---- maps --------------------------------------------------------------- */

static inline int fx_map(struct fx *fx, __u32 slot, const char *name)
{
	int fd = tcc_stage_map_fd(fx->chain, slot, name);

	ASSERT_TRUE(fd >= 0, "tcc_stage_map_fd(%u, %s): %s", slot, name, strerror(-fd));
	return fd;
}

/* Check that the test's copy of a map's key and value structs still has
 * the stage's sizes: a stale copy would otherwise write garbage quietly.
 */
static inline bool fx_map_sizes(int fd, const char *map, size_t key_size, size_t val_size)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (!ASSERT_OK(bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0, map))
		return false;
	return ASSERT_EQ(info.key_size, key_size, "key size of the stage's map") &&
	       ASSERT_EQ(info.value_size, val_size, "value size of the stage's map");
}

#define fx_update(fx, slot, map, key, val)					\
	fx__update(fx, slot, map, key, sizeof(*(key)), val, sizeof(*(val)))

static inline bool fx__update(struct fx *fx, __u32 slot, const char *map, const void *key,
			      size_t key_size, const void *val, size_t val_size)
{
	int fd = fx_map(fx, slot, map), err;

	if (fd < 0)
		return false;
	if (!fx_map_sizes(fd, map, key_size, val_size)) {
		close(fd);
		return false;
	}
	err = bpf_map_update_elem(fd, key, val, BPF_ANY) ? -errno : 0;
	close(fd);
	return ASSERT_OK(err, map);
}

/* Sum the CPUs' copies of a per-CPU value made of u64 counters; sum is
 * an array or struct of __u64.  A hash key nobody created sums to zero.
 */
#define fx_sum(fx, slot, map, key, sum)						\
	fx__sum(fx, slot, map, key, sizeof(*(key)), (__u64 *)(sum), sizeof(*(sum)) / 8)

static inline bool fx__sum(struct fx *fx, __u32 slot, const char *map, const void *key,
			   size_t key_size, __u64 *sum, size_t nwords)
{
	int ncpu = libbpf_num_possible_cpus(), fd = fx_map(fx, slot, map), err;
	__u64 *all;

	memset(sum, 0, nwords * sizeof(*sum));
	if (fd < 0 || ncpu <= 0)
		return false;
	if (!fx_map_sizes(fd, map, key_size, nwords * 8)) {
		close(fd);
		return false;
	}
	all = calloc(ncpu, nwords * sizeof(*all));
	if (!all) {
		close(fd);
		return ASSERT_OK(-ENOMEM, "calloc");
	}
	err = bpf_map_lookup_elem(fd, key, all) ? -errno : 0;
	close(fd);
	if (err == -ENOENT) {		/* hash key never created: zero */
		free(all);
		return true;
	}
	for (int c = 0; !err && c < ncpu; c++)
		for (size_t w = 0; w < nwords; w++)
			sum[w] += all[c * nwords + w];
	free(all);
	return ASSERT_OK(err, map);
}

/* The dump of skb_dump in slot, zeroed afterwards for the next packet. */
static inline bool fx_dump(struct fx *fx, __u32 slot, struct skb_dump *d)
{
	static const struct skb_dump zero;
	int fd = fx_map(fx, slot, "skb_dump_out"), err;
	__u32 k = 0;

	memset(d, 0, sizeof(*d));
	if (fd < 0)
		return false;
	err = bpf_map_lookup_elem(fd, &k, d) ? -errno : 0;
	if (!err)
		err = bpf_map_update_elem(fd, &k, &zero, BPF_ANY) ? -errno : 0;
	close(fd);
	return ASSERT_OK(err, "read skb_dump_out");
}

#endif /* TCC_TEST_FIXTURE_H */
