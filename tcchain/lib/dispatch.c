// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The dispatch table: the chain's prog array, and next[] in its config.
 *
 * A stage tail-calls tcc_progs[its slot + 1], the entry tcc_progs[0]
 * (bpf/include/tcchain.h).  The invariant kept here: index i holds the
 * program of the first occupied slot >= i, every index after the last
 * stage is empty.  A stage at slot m whose previous stage is at p (-1: none)
 * sits at indices p+1..m, and of those only p+1 is ever tail-called (by
 * the stage at p, or the entry).
 *
 * Which slots are occupied comes from the meta rows (tcc__meta_write),
 * never from the prog array, where a hole holds the next stage's program.
 * Every change writes its indices from m down to p+1, one atomic update
 * each, so the one reachable index is written last, after everything it
 * leads to is in place: a packet sees the old chain or the new one, and a
 * stage being replaced or deleted still continues at its own slot + 1.
 * doc/abi.md ("Dispatch") and doc/dispatch.md have the reasoning.
 *
 * Across processes the chain lock orders changes.  Within one, apply loads
 * a generation's stages in parallel threads into one chain in memory:
 * table_lock makes each reading of the occupancy and the writes that
 * follow from it one step, else a stage could write a hole's index from
 * an occupancy read before the stage of that slot was recorded, and the
 * program it replaced there, held by nothing else, would be freed.
 */
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "tcchain/lib/internal.h"

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

/* The program id at index i of the prog array, 0 when it is empty. */
static __u32 index_prog_id(const struct tcc_chain *c, __u32 i)
{
	__u32 id = 0;

	if (bpf_map_lookup_elem(c->progs_fd, &i, &id))
		return 0;
	return id;
}

/* The stage program id each slot's meta row records (0: empty slot). */
static void occupancy(const struct tcc_chain *c, __u32 ids[TCC_MAX_SLOTS], __u32 exclude)
{
	struct tcc_meta m;

	for (__u32 s = 0; s < TCC_MAX_SLOTS; s++)
		ids[s] = s != exclude && !tcc__meta_read(c, s, &m) ? m.prog_id : 0;
}

/*
 * The program that runs for slot s: the id at index s when it is the
 * stage slot s records, or, while a stage set or del of s is under way,
 * the one it records as before (the undo row).  0: the slot is empty (its
 * index may hold the next stage's program).
 */
__u32 tcc__slot_prog_id(const struct tcc_chain *c, __u32 slot)
{
	struct tcc_meta m;
	__u32 id;

	id = index_prog_id(c, slot);
	if (!id || tcc__meta_read(c, slot, &m))
		return 0;
	if (id == m.prog_id)
		return id;
	if (tcc__undo_pending(c, &m) && m.prio == slot + 1 && m.prog_id == id)
		return id;
	return 0;
}

static void next_rebuild(struct tcc_chain *c, __u32 exclude)
{
	__u32 ids[TCC_MAX_SLOTS], next = TCC_SLOT_END;

	occupancy(c, ids, exclude);
	for (int s = TCC_MAX_SLOTS - 1; s >= -1; s--) {
		if (__atomic_load_n(&c->cfg->next[s + 1], __ATOMIC_RELAXED) != next)
			__atomic_store_n(&c->cfg->next[s + 1], next, __ATOMIC_RELEASE);
		if (s >= 0 && ids[s])
			next = s;
	}
	__atomic_fetch_add(&c->cfg->generation, 1, __ATOMIC_RELEASE);
}

void tcc__next_rebuild(struct tcc_chain *c, __u32 exclude)
{
	pthread_mutex_lock(&table_lock);
	next_rebuild(c, exclude);
	pthread_mutex_unlock(&table_lock);
}

/* Index i holds prog_fd, or is emptied (prog_fd < 0). */
static int index_put(const struct tcc_chain *c, __u32 i, int prog_fd)
{
	if (prog_fd >= 0)
		return bpf_map_update_elem(c->progs_fd, &i, &prog_fd, BPF_ANY) ? -errno : 0;
	if (bpf_map_delete_elem(c->progs_fd, &i) && errno != ENOENT)
		return -errno;
	return 0;
}

/* Indices slot down to the previous occupied slot + 1 hold prog_fd. */
static int indices_put(const struct tcc_chain *c, const __u32 ids[TCC_MAX_SLOTS],
		       __u32 slot, int prog_fd)
{
	int err;

	for (int i = slot; i >= 0; i--) {
		if ((__u32)i != slot && ids[i])
			break;
		err = index_put(c, i, prog_fd);
		if (err)
			return err;
	}
	return 0;
}

int tcc__dispatch_link(struct tcc_chain *c, __u32 slot, int prog_fd)
{
	__u32 ids[TCC_MAX_SLOTS];
	int err;

	pthread_mutex_lock(&table_lock);
	occupancy(c, ids, TCC_MAX_SLOTS);
	err = indices_put(c, ids, slot, prog_fd);
	pthread_mutex_unlock(&table_lock);
	return err;
}

int tcc__dispatch_unlink(struct tcc_chain *c, __u32 slot)
{
	__u32 ids[TCC_MAX_SLOTS];
	int fd = -1, err;
	__u32 q;

	pthread_mutex_lock(&table_lock);
	occupancy(c, ids, slot);
	for (q = slot + 1; q < TCC_MAX_SLOTS && !ids[q]; q++)
		;
	if (q < TCC_MAX_SLOTS)
		fd = bpf_prog_get_fd_by_id(ids[q]);
	err = q < TCC_MAX_SLOTS && fd < 0 ? -errno : indices_put(c, ids, slot, fd);
	pthread_mutex_unlock(&table_lock);
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The whole table from the meta rows, from index 31 down to 0: what a
 * repair, a generation about to run, or a failed change calls.  Each write
 * leaves a working chain and is skipped when the index is right already,
 * so a rebuild killed half-way is finished by the next one.
 */
int tcc__dispatch_rebuild(struct tcc_chain *c)
{
	__u32 ids[TCC_MAX_SLOTS], want = 0;
	int fd = -1, err = 0, e;

	pthread_mutex_lock(&table_lock);
	occupancy(c, ids, TCC_MAX_SLOTS);
	for (int i = TCC_MAX_SLOTS - 1; i >= 0; i--) {
		if (ids[i] && ids[i] != want) {
			if (fd >= 0)
				close(fd);
			want = ids[i];
			fd = bpf_prog_get_fd_by_id(want);
			if (fd < 0) {
				err = err ?: -errno;
				want = 0;
			}
		}
		if (index_prog_id(c, i) == want)
			continue;
		e = index_put(c, i, want ? fd : -1);
		err = err ?: e;
	}
	if (fd >= 0)
		close(fd);
	next_rebuild(c, TCC_MAX_SLOTS);
	pthread_mutex_unlock(&table_lock);
	return err;
}
