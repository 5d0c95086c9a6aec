// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * killat: run a command and SIGKILL it a given time after it started, for
 * the crash test (tests/netns/test_crash.sh).
 *
 *   killat USEC CMD [ARG...]   prints "killed" or "exit N" (the command
 *                              ended first); exits 0 either way
 *
 * The command's stdout goes to /dev/null; its stderr is left alone.
 *   killat -t CMD [ARG...]     runs the command to its end and prints its
 *                              run time in microseconds; exits with its status
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static pid_t start(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* Only killat's own line on stdout. */
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execvp(argv[0], argv);
		fprintf(stderr, "killat: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

int main(int argc, char **argv)
{
	long long t0, usec;
	struct timespec ts;
	char *end;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: killat {USEC|-t} CMD [ARG...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "-t")) {
		t0 = now_us();
		pid = start(argv + 2);
		if (pid < 0 || waitpid(pid, &st, 0) < 0)
			return 2;
		printf("%lld\n", now_us() - t0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	usec = strtoll(argv[1], &end, 10);
	if (*end || usec < 0) {
		fprintf(stderr, "killat: bad time '%s'\n", argv[1]);
		return 2;
	}
	pid = start(argv + 2);
	if (pid < 0)
		return 2;
	ts.tv_sec = usec / 1000000;
	ts.tv_nsec = (usec % 1000000) * 1000;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	kill(pid, SIGKILL);
	if (waitpid(pid, &st, 0) < 0)
		return 2;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		printf("killed\n");
	else
		printf("exit %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}
