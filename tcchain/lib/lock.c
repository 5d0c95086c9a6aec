// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The one lock of all tcchain processes: flock() on the pin root.
 *
 * The library owns it.  Every changing call takes it around its whole
 * open-check-commit; callers that do their own read-modify-write of a
 * stage's maps (the CLI's map and acl words) take it with tcc_lock().
 * A flock belongs to the open file description, so a second open() of the
 * root in the same process would wait for the first forever: the process
 * keeps one fd and a depth count instead, and a nested tcc_lock() only
 * counts.  The lock is given up when the outermost holder unlocks.
 *
 * Nobody waits forever: after TCC_LOCK_TIMEOUT_MS the call fails with
 * -ETIMEDOUT and tcc_lock_holder() says which process held the lock
 * (from /proc/locks), so the error can name it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "tcchain/lib/internal.h"

static int lock_fd = -1;
static int lock_depth;
static pid_t lock_holder;

/* The wait before giving up; TCC_LOCK_TIMEOUT_MS in the environment
 * overrides it (the tests use a short one).
 */
static long lock_timeout_ms(void)
{
	const char *s = getenv("TCC_LOCK_TIMEOUT_MS");
	char *end;
	long v;

	if (s && *s) {
		v = strtol(s, &end, 10);
		if (!*end && v >= 0)
			return v;
	}
	return TCC_LOCK_TIMEOUT_MS;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The pid holding a flock on the file open as fd, from /proc/locks
 * ("1: FLOCK  ADVISORY  WRITE 1234 00:1a:5678 0 EOF"); 0 if none found.
 */
static pid_t holder_of(int fd)
{
	unsigned int maj, min;
	unsigned long ino;
	char line[256], type[16];
	struct stat st;
	pid_t pid = 0;
	FILE *f;
	int p;

	if (fstat(fd, &st))
		return 0;
	f = fopen("/proc/locks", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "->"))		/* a waiter, not the holder */
			continue;
		if (sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%lu", type, &p,
			   &maj, &min, &ino) != 5 || strcmp(type, "FLOCK"))
			continue;
		if (maj == major(st.st_dev) && min == minor(st.st_dev) &&
		    ino == st.st_ino && p != getpid()) {
			pid = p;
			break;
		}
	}
	fclose(f);
	return pid;
}

/* Open the root for the lock: checked, created, never through a link. */
static int root_open(void)
{
	char why[256];
	int fd, err;

	err = tcc_pin_root_check(why, sizeof(why));
	if (err)
		return err;
	err = tcc__mkdir_p(TCC_PIN_ROOT);
	if (err)
		return err;
	/* O_NOFOLLOW: the root was checked above, and a symbolic link
	 * swapped in since is refused here rather than followed.
	 */
	fd = open(TCC_PIN_ROOT, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Take the lock: waiting up to the timeout, or not at all. */
static int lock_take(bool wait)
{
	long deadline;
	int fd, err;

	if (lock_depth > 0) {
		lock_depth++;
		return lock_fd;
	}
	fd = root_open();
	if (fd < 0)
		return fd;
	lock_holder = 0;
	deadline = now_ms() + lock_timeout_ms();
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = -errno;
			close(fd);
			return err;
		}
		if (!wait) {
			close(fd);
			return -EWOULDBLOCK;
		}
		if (now_ms() >= deadline) {
			lock_holder = holder_of(fd);
			close(fd);
			return -ETIMEDOUT;
		}
		usleep(10000);
	}
	lock_fd = fd;
	lock_depth = 1;
	return fd;
}

int tcc__lock(void)
{
	return lock_take(true);
}

int tcc__trylock(void)
{
	return lock_take(false);
}

int tcc__lock_ctx(struct tcc_ctx *ctx)
{
	int lock = tcc__lock();

	if (lock == -ETIMEDOUT)
		return tcc__fail(ctx, lock, "%s is locked by pid %d (waited %ld ms)",
				 TCC_PIN_ROOT, (int)lock_holder, lock_timeout_ms());
	return lock;
}

void tcc__unlock(int fd)
{
	if (fd < 0 || fd != lock_fd || lock_depth <= 0)
		return;
	if (--lock_depth == 0) {
		close(lock_fd);
		lock_fd = -1;
	}
}

int tcc_lock(void)
{
	return tcc__lock();
}

void tcc_unlock(int token)
{
	tcc__unlock(token);
}

pid_t tcc_lock_holder(void)
{
	return lock_holder;
}
