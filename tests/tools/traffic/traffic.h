/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * traffic: what send.c, recv.c and traffic.c (options, signals, main)
 * share.  The tool itself is described in traffic.c.
 */
#ifndef TCC_TRAFFIC_H
#define TCC_TRAFFIC_H

#include <errno.h>
#include <endian.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#define SEQ_LEN		8
#define MAX_RECV_PORTS	1024
#define DEF_COUNT	1000
#define DEF_SIZE	64
#define DEF_TIMEOUT	10.0
#define DEF_DONE_IDLE	200		/* ms of quiet after SIGUSR1 */
#define BATCH		64		/* datagrams per recvmmsg */
#define SNAP		256		/* bytes kept of each packet */
#define SPIN_NS		50000ULL	/* busy-wait the last 50 us of a gap */
#define BURST		8		/* token bucket depth: packets, */
#define BURST_NS	2000000.0	/* or 2 ms of packets if more */
#define RETRY_MAX	200		/* ENOBUFS/EAGAIN retries per packet */
#define RETRY_NS	20000L
#define SEQ_BITS_MAX	(1ULL << 28)	/* 32 MiB of duplicate tracking */

enum proto { P_UDP, P_TCP_SYN };

extern volatile sig_atomic_t stop_sig;	/* SIGINT/SIGTERM */
extern volatile sig_atomic_t done_sig;	/* SIGUSR1: the sender finished */

struct port_range {
	uint16_t lo, hi;
};

void setup_signals(void);
void __attribute__((format(printf, 1, 2))) err(const char *fmt, ...);
#define usage_err(...) do { err(__VA_ARGS__); exit(2); } while (0)
uint64_t now_ns(clockid_t clk);

/* Option values; a bad one is an error line and exit status 2. */
uint64_t parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max);
double parse_double(const char *opt, const char *s, double min, double max);
void __attribute__((noreturn)) bad_option(const char *cmd, char **argv);
struct port_range parse_ports(const char *s);
enum proto parse_proto(const char *s);
socklen_t parse_addr(const char *opt, const char *s, int *family,
		     struct sockaddr_storage *ss);
void set_port(struct sockaddr_storage *ss, uint16_t port);
const char *family_str(int family);

int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);

#endif /* TCC_TRAFFIC_H */
