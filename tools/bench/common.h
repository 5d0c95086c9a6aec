/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the two BPF_PROG_TEST_RUN benchmarks share (tools/bench/dispatch.c,
 * tools/bench/stages.c): options, the packets, loading objects with plain
 * libbpf and chains with libtcchain, and the method (copies at different
 * addresses, interleaved rounds in a fresh random order, thread CPU time
 * per packet, median and min-max over copies x rounds).
 */
#ifndef TCC_BENCH_COMMON_H
#define TCC_BENCH_COMMON_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include <bpf/libbpf.h>

#include "tcchain/lib/libtcchain.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_ROUNDS	51
#define MAX_COPIES	8
#define MAX_SAMPLES	(MAX_ROUNDS * MAX_COPIES)
#define PKT_LEN		64	/* Ethernet + IPv4 + UDP + 22 bytes */
#define PKT6_LEN	84	/* the same datagram over IPv6 */

/* The options both benchmarks take (bench_opt). */
struct bench_opts {
	const char *bpf_dir;	/* -b: the benchmark's BPF objects */
	const char *json;	/* -o: results as JSON */
	int rounds;		/* -r */
	int copies;		/* -k */
	int repeat;		/* -n: packets per BPF_PROG_TEST_RUN */
	int cpu;		/* -c: pinned to it (default: where we start) */
	bool verbose;		/* -v */
};

extern struct bench_opts opt;
#define BENCH_OPTS		"r:k:n:c:b:o:v"
#define BENCH_OPTS_USAGE						\
	"  -r ROUNDS  interleaved rounds (default 3, max 51)\n"		\
	"  -k COPIES  loads of each configuration, at different addresses (default 6, max 8)\n" \
	"  -n REPEAT  packets per BPF_PROG_TEST_RUN (default 1000000)\n"	\
	"  -c CPU     pin to CPU (default: the one we start on)\n"		\
	"  -b DIR     benchmark BPF objects (default: bpf/ next to the binary)\n" \
	"  -o FILE    write the results as JSON\n"				\
	"  -v         progress and libbpf info on stderr\n"

/* Takes option @c of BENCH_OPTS; false when @c is not one of them. */
bool bench_opt(int c, const char *arg);
/* After getopt: false when an option is out of range.  Then pins the
 * process to its CPU, raises RLIMIT_NOFILE and builds the packets.
 */
bool bench_setup(void);
/* The directory the running binary is in. */
const char *bench_exe_dir(void);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* ---- packets (tests/lib/pkt.h) ---- */
extern unsigned char pkt[PKT_LEN];	/* 10.0.0.1 -> 10.0.0.2, UDP 40000 -> 5001 */
extern unsigned char pkt6[PKT6_LEN];	/* fd00::1 -> fd00::2, the same datagram */
void udp_packet(unsigned char *buf, size_t size, int family, const char *src);

/* ---- objects with plain libbpf; kept open until bench_cleanup ---- */
const char *obj_path(const char *file);
struct bpf_object *obj_open(const char *file);
void obj_load(struct bpf_object *obj, const char *what, int slot);
void keep(struct bpf_object *obj);
int prog_fd(struct bpf_object *obj, const char *name);
int rodata_set(struct bpf_object *obj, const char *var, const void *val, __u32 len);
int rodata_set_u32(struct bpf_object *obj, const char *var, __u32 val);
__u32 jit_len(int fd);		/* all functions */
__u32 jit_main_len(int fd);	/* the main function: what every packet runs */

/* ---- chains with libtcchain ---- */
extern struct tcc_ctx *tcc;
void tcc_die(const char *what, int err) __attribute__((noreturn));
/* An in-memory chain as the library builds it, end verdict pass, kept
 * until bench_cleanup.
 */
struct tcc_chain *new_chain(void);
void bench_cleanup(void);

/* ---- method ---- */
/* The samples of one measured configuration and their summary. */
struct samples {
	double ns[MAX_COPIES][MAX_ROUNDS];	/* CPU ns per packet */
	__u32 kns[MAX_COPIES][MAX_ROUNDS];	/* the kernel's integer average */
	double med, min, max, kmed;
	double copy_med[MAX_COPIES];
};

double thread_ns(void);
void shuffle(int *order, int n);
double median(const double *v, int n);
void summarize(struct samples *s);
/* "copy_median_ns": [...], "samples_ns": [[...], ...] */
void json_samples(FILE *f, const struct samples *s);

#endif /* TCC_BENCH_COMMON_H */
