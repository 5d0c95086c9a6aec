// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Run-time observation switches: per-stage cost sampling and packet trace
 * (doc/observe.md).  Both are bits of tcc_config.flags, written through the
 * chain's shared mapping of the config map with one atomic store, so the
 * data plane sees them on its next packet.
 *
 * A trace must not outlive its tracer.  The tracer holds a flock on the
 * chain's pin directory for as long as it reads; the flag is cleared by
 * the tracer on any normal exit, and otherwise (SIGKILL) by the next
 * command that opens the chain: tcc__trace_reap() finds the flag set and
 * the directory's lock free, so no tracer is alive.
 */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include "tcchain/lib/internal.h"

__u32 tcc_observe_flags(const struct tcc_chain *c)
{
	return c->cfg ? __atomic_load_n(&c->cfg->flags, __ATOMIC_ACQUIRE) : 0;
}

/* Replace the bits of mask with val; other bits are kept. */
static int flags_update(struct tcc_chain *c, __u32 mask, __u32 val)
{
	__u32 old, new;

	if (!c->cfg)
		return -EBADF;
	old = __atomic_load_n(&c->cfg->flags, __ATOMIC_RELAXED);
	do {
		new = (old & ~mask) | (val & mask);
	} while (!__atomic_compare_exchange_n(&c->cfg->flags, &old, new, false,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return 0;
}

int tcc_cost_set(struct tcc_chain *c, bool on, __u32 shift)
{
	__u32 mask = TCC_CFG_F_COST | (TCC_CFG_SHIFT_MASK << TCC_CFG_COST_SHIFT_POS);

	if (shift > TCC_COST_SHIFT_MAX)
		return -ERANGE;
	return flags_update(c, mask, (on ? TCC_CFG_F_COST : 0) |
			    (shift << TCC_CFG_COST_SHIFT_POS));
}

int tcc_trace_set(struct tcc_chain *c, bool on, __u32 shift)
{
	__u32 mask = TCC_CFG_F_TRACE | (TCC_CFG_SHIFT_MASK << TCC_CFG_TRACE_SHIFT_POS);

	if (shift > TCC_COST_SHIFT_MAX)
		return -ERANGE;
	return flags_update(c, mask, (on ? TCC_CFG_F_TRACE : 0) |
			    (shift << TCC_CFG_TRACE_SHIFT_POS));
}

int tcc_trace_claim(struct tcc_chain *c)
{
	int fd, i;

	if (!c->pin_dir)
		return -EINVAL;
	fd = open(c->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a reaper holds it for a moment: try for 200 ms */
	for (i = 0; i < 20; i++) {
		if (!flock(fd, LOCK_EX | LOCK_NB))
			return fd;
		if (errno != EWOULDBLOCK)
			break;
		usleep(10000);
	}
	i = errno == EWOULDBLOCK ? -EBUSY : -errno;
	close(fd);
	return i;
}

void tcc_trace_release(struct tcc_chain *c, int claim)
{
	tcc_trace_set(c, false, 0);
	if (claim >= 0)
		close(claim);		/* the flock goes with it */
}

int tcc__trace_reap(struct tcc_chain *c)
{
	int fd;

	if (!(tcc_observe_flags(c) & TCC_CFG_F_TRACE) || !c->pin_dir)
		return 0;
	fd = open(c->pin_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return 0;	/* a tracer is alive */
	}
	tcc_trace_set(c, false, 0);
	close(fd);
	return 1;
}
