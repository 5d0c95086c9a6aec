// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcchain/cli/output.h"

bool json_output;
bool pretty_output;
bool debug_output;

#define MAX_DEPTH 16

static int depth;
static bool first[MAX_DEPTH] = { true };
static bool json_started;	/* a document is open and needs its newline */

static void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				fputc(c, f);
		}
	}
	fputc('"', f);
}

static void indent(void)
{
	if (!pretty_output)
		return;
	fputc('\n', stdout);
	for (int i = 0; i < depth; i++)
		fputs("    ", stdout);
}

/* Separator, indentation and "key": for the next JSON value. */
static void json_key(const char *key)
{
	json_started = true;
	if (!first[depth])
		fputc(',', stdout);
	first[depth] = false;
	if (depth)
		indent();
	if (key) {
		json_escape(stdout, key);
		fputs(pretty_output ? ": " : ":", stdout);
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	fputc(c, stdout);
	if (depth < MAX_DEPTH - 1)
		depth++;
	first[depth] = true;
}

static void json_close(char c)
{
	bool empty = first[depth];

	depth--;
	if (!empty)
		indent();
	fputc(c, stdout);
}

void out_open_object(const char *key)
{
	if (json_output)
		json_open(key, '{');
}

void out_close_object(void)
{
	if (json_output)
		json_close('}');
}

void out_open_array(const char *key)
{
	if (json_output)
		json_open(key, '[');
}

void out_close_array(void)
{
	if (json_output)
		json_close(']');
}

void out_string(const char *key, const char *fmt, const char *v)
{
	if (json_output) {
		json_key(key);
		json_escape(stdout, v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_uint(const char *key, const char *fmt, unsigned long long v)
{
	if (json_output) {
		json_key(key);
		printf("%llu", v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_int(const char *key, const char *fmt, long long v)
{
	if (json_output) {
		json_key(key);
		printf("%lld", v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_bool(const char *key, const char *fmt, bool v)
{
	if (json_output) {
		json_key(key);
		fputs(v ? "true" : "false", stdout);
	} else if (fmt && v) {
		printf("%s", fmt);
	}
}

void out_null(const char *key)
{
	if (json_output) {
		json_key(key);
		fputs("null", stdout);
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_flush(void)
{
	if (json_output && json_started)
		fputc('\n', stdout);
	json_started = false;
	fflush(stdout);
}

void p_err(const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever the kernel put in the text. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (json_output) {
		/* Whatever was half-written is abandoned: the error is the
		 * document.
		 */
		depth = 0;
		first[0] = true;
		json_started = false;
		fputs("{\"error\":", stdout);
		json_escape(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else {
		fflush(stdout);
		fprintf(stderr, "Error: %s\n", msg);
	}
}

void p_debug(const char *text)
{
	if (debug_output && text)
		fprintf(stderr, "%s%s", text, text[strlen(text) - 1] == '\n' ? "" : "\n");
}
