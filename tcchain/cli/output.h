/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * CLI output: one set of calls writes text or JSON (as iproute2's
 * json_print), so the two forms cannot drift apart.  In text mode a call
 * prints its text format; in JSON mode it writes "key": value.
 */
#ifndef TCC_OUTPUT_H
#define TCC_OUTPUT_H

#include <stdbool.h>

extern bool json_output;
extern bool pretty_output;
extern bool debug_output;

void out_open_object(const char *key);
void out_close_object(void);
void out_open_array(const char *key);
void out_close_array(void);
void out_string(const char *key, const char *text_fmt, const char *value);
void out_uint(const char *key, const char *text_fmt, unsigned long long value);
void out_int(const char *key, const char *text_fmt, long long value);
void out_bool(const char *key, const char *text_fmt, bool value);
void out_null(const char *key);
/* Text mode only. */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the document: JSON gets its final newline. */
void out_flush(void);
/* -j: a command that succeeded and printed nothing prints null, so every
 * run prints exactly one JSON document. */
void out_null_if_empty(void);
/* A stage's params ("a=1 b=2", as typed): an object under -j. */
void out_params(const char *params, const char *text_fmt);
/* Space-separated words: an array of strings under -j. */
void out_words(const char *key, const char *text_fmt, const char *words);

/* "Error: ..." on stderr, or {"error": "..."} on stdout under -j. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* When set, every error line starts with it ("FILE:LINE" while apply reads a file). */
extern const char *p_err_where;
/* Extra lines for -d (verifier log): stderr, text mode or not. */
void p_debug(const char *text);

#endif
