// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * traffic: a bounded packet generator and counting receiver for the
 * end-to-end tests, the demo and quick manual checks.
 *
 *   traffic send -4|-6 --dst ADDR --port P[-Q] [--sport S] [--count N]
 *                [--rate PPS] [--size BYTES] [--duration SEC]
 *                [--seq-start N] [--proto udp|tcp-syn] [--json]
 *   traffic recv [-4|-6] --port P[-Q] [--bind ADDR] [--expect N]
 *                [--timeout SEC] [--idle MS] [--proto udp|tcp-syn] [--json]
 *
 * send takes the family from --dst when -4/-6 is left out.
 *
 * Every packet's payload starts with a 64-bit sequence number in network
 * byte order (the sender counts from --seq-start, default 0), so the
 * receiver can tell unique packets from duplicates and count gaps.
 * A port range P-Q sends packet i to port P + i % (Q - P + 1) (one flow per
 * port) and makes the receiver listen on every port of the range.
 *
 * Both sides are bounded: send stops after --count (default 1000) or
 * --duration, recv after --expect packets, --idle ms of quiet once something
 * arrived, or --timeout (default 10 s).  SIGUSR1 tells a receiver that the
 * sender is done: it exits after --idle ms (default 200) of quiet even if
 * nothing arrived, which keeps "everything was dropped" tests fast.
 * SIGINT/SIGTERM stop either side early; the report is still printed.
 *
 * --proto tcp-syn sends TCP SYNs (sequence number in the TCP seq field and
 * in the payload) from a raw socket; the receiver then counts SYNs to the
 * port range with a raw socket.  Both need CAP_NET_RAW.
 *
 * --json prints one object.  send: proto, family, dst, port, sent, bytes
 * (payload), elapsed (s), pps, retries (ENOBUFS/EAGAIN retried), errors
 * (packets given up on).  recv: proto, family, port, received, unique,
 * duplicates, short (no sequence number), bytes (payload), reordered
 * (within one port's flow), missing (gaps below the highest sequence
 * number), first and last (kernel arrival time, Unix seconds, or null),
 * span (s), pps, reason (expect, idle, done, timeout or signal) and ports
 * ({"5000": n, ...}, one key per port of the range).
 *
 * Exit status: 0 done; 1 a runtime error, send could not send everything,
 * or recv got fewer than --expect packets; 2 bad usage.  Errors are one
 * "Error: ..." line on stderr.
 *
 * The code: this file (options, signals, main), send.c and recv.c.
 */
#include "traffic.h"

volatile sig_atomic_t stop_sig;	/* SIGINT/SIGTERM */
volatile sig_atomic_t done_sig;	/* SIGUSR1: the sender finished */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		done_sig = 1;
	else
		stop_sig = 1;
}

void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must end poll() and nanosleep() at once. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
}

void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- argument parsing ------------------------------------------------------ */

uint64_t parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v < min || v > max)
		usage_err("invalid %s '%s' (want an integer %llu..%llu)", opt,
			  s, (unsigned long long)min, (unsigned long long)max);
	return v;
}

double parse_double(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
		usage_err("invalid %s '%s' (want a number %g..%g)", opt, s,
			  min, max);
	return v;
}

/* Called for getopt_long's '?' and ':' (opterr is 0, optstring starts with
 * ':'), so the message is our one "Error:" line, not getopt's.
 */
void __attribute__((noreturn)) bad_option(const char *cmd, char **argv)
{
	usage_err("%s: unknown option or missing argument: %s", cmd,
		  argv[optind - 1]);
}

struct port_range parse_ports(const char *s)
{
	struct port_range r;
	const char *dash = strchr(s, '-');
	char lo[16];

	if (!dash) {
		r.lo = r.hi = parse_u64("--port", s, 1, 65535);
		return r;
	}
	if ((size_t)(dash - s) >= sizeof(lo))
		usage_err("invalid --port '%s'", s);
	memcpy(lo, s, dash - s);
	lo[dash - s] = '\0';
	r.lo = parse_u64("--port", lo, 1, 65535);
	r.hi = parse_u64("--port", dash + 1, 1, 65535);
	if (r.hi < r.lo)
		usage_err("invalid --port '%s' (range ends before it starts)", s);
	return r;
}

enum proto parse_proto(const char *s)
{
	if (!strcmp(s, "udp"))
		return P_UDP;
	if (!strcmp(s, "tcp-syn"))
		return P_TCP_SYN;
	usage_err("invalid --proto '%s' (want udp or tcp-syn)", s);
}

/* A numeric address (no DNS); IPv6 may carry a %scope. */
socklen_t parse_addr(const char *opt, const char *s, int *family,
		     struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST,
				  .ai_family = *family };
	struct addrinfo *ai;
	socklen_t len;

	if (getaddrinfo(s, NULL, &hints, &ai) || !ai)
		usage_err("invalid %s '%s' (want a numeric IPv%s address)",
			  opt, s, *family == AF_INET ? "4" :
			  *family == AF_INET6 ? "6" : "4 or IPv6");
	/* getaddrinfo takes inet_aton forms such as "10.1"; we do not. */
	if (ai->ai_family == AF_INET &&
	    inet_pton(AF_INET, s, &((struct sockaddr_in *)ai->ai_addr)->sin_addr) != 1) {
		freeaddrinfo(ai);
		usage_err("invalid %s '%s' (want a numeric IPv4 address)", opt, s);
	}
	*family = ai->ai_family;
	len = ai->ai_addrlen;
	memcpy(ss, ai->ai_addr, len);
	freeaddrinfo(ai);
	return len;
}

void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

const char *family_str(int family)
{
	return family == AF_INET6 ? "6" : "4";
}

static void usage(FILE *f)
{
	fputs("Usage: traffic send -4|-6 --dst ADDR --port P[-Q] [--sport S] [--count N]\n"
	      "                    [--rate PPS] [--size BYTES] [--duration SEC]\n"
	      "                    [--seq-start N] [--proto udp|tcp-syn] [--json]\n"
	      "       traffic recv [-4|-6] --port P[-Q] [--bind ADDR] [--expect N]\n"
	      "                    [--timeout SEC] [--idle MS] [--proto udp|tcp-syn] [--json]\n"
	      "send stops after --count (default 1000) or --duration; recv after --expect,\n"
	      "--idle ms of quiet, or --timeout (default 10 s); SIGUSR1 ends recv after\n"
	      "--idle (default 200) ms of quiet.\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	opterr = 0;
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	err("unknown command '%s' (want send, recv or help)", argv[1]);
	return 2;
}
