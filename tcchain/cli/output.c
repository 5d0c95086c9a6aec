// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * JSON is built in memory and written by out_flush(): a command that fails
 * half-way (after "[" went out) must still print exactly one document, the
 * error, never "[]{\"error\": ...}".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcchain/cli/output.h"

bool json_output;
bool pretty_output;
bool debug_output;

#define MAX_DEPTH 16

static int depth;
static bool first[MAX_DEPTH] = { true };
static bool json_started;	/* a document is open and needs its newline */
static char *json_buf;		/* the document so far */
static size_t json_len;
static FILE *json_f;		/* open_memstream() on json_buf */
static char *json_error;	/* the first error: it replaces the document */

/* Where JSON goes: memory, or stdout if memory cannot be had. */
static FILE *jout(void)
{
	static bool registered;

	/* A command may return early through any path: the document is
	 * written at exit at the latest.
	 */
	if (!registered && !atexit(out_flush))
		registered = true;
	if (!json_f)
		json_f = open_memstream(&json_buf, &json_len);
	return json_f ? json_f : stdout;
}

/* Length of the valid UTF-8 sequence at s, or 0 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF).
 */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A JSON string; bytes that are not UTF-8 become U+FFFD, so the document
 * stays valid whatever a user typed.
 */
static void json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		int n = utf8_len(s);

		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		switch (*s) {
		case '"':  fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*s < 0x20 || *s == 0x7f)
				fprintf(f, "\\u%04x", *s);
			else
				fwrite(s, 1, n, f);
		}
		s += n;
	}
	fputc('"', f);
}

static void indent(void)
{
	if (!pretty_output)
		return;
	fputc('\n', jout());
	for (int i = 0; i < depth; i++)
		fputs("    ", jout());
}

/* Separator, indentation and "key": for the next JSON value. */
static void json_key(const char *key)
{
	json_started = true;
	if (!first[depth])
		fputc(',', jout());
	first[depth] = false;
	if (depth)
		indent();
	if (key) {
		json_escape(jout(), key);
		fputs(pretty_output ? ": " : ":", jout());
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	fputc(c, jout());
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
	fputc(c, jout());
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
		json_escape(jout(), v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_uint(const char *key, const char *fmt, unsigned long long v)
{
	if (json_output) {
		json_key(key);
		fprintf(jout(), "%llu", v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_int(const char *key, const char *fmt, long long v)
{
	if (json_output) {
		json_key(key);
		fprintf(jout(), "%lld", v);
	} else if (fmt) {
		printf(fmt, v);
	}
}

void out_bool(const char *key, const char *fmt, bool v)
{
	if (json_output) {
		json_key(key);
		fputs(v ? "true" : "false", jout());
	} else if (fmt && v) {
		printf("%s", fmt);
	}
}

void out_null(const char *key)
{
	if (json_output) {
		json_key(key);
		fputs("null", jout());
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

void out_null_if_empty(void)
{
	if (json_output && !json_started && !json_error)
		out_null(NULL);
}

void out_flush(void)
{
	if (json_f)
		fflush(json_f);
	if (json_error) {
		fputs(json_error, stdout);
	} else if (json_output && json_started) {
		if (json_len)
			fwrite(json_buf, 1, json_len, stdout);
		fputc('\n', stdout);
	}
	if (json_f) {
		fclose(json_f);
		json_f = NULL;
		free(json_buf);
		json_buf = NULL;
		json_len = 0;
	}
	free(json_error);
	json_error = NULL;
	json_started = false;
	fflush(stdout);
}

const char *p_err_where;

void p_err(const char *fmt, ...)
{
	char msg[2048];
	size_t used = 0;
	va_list ap;

	if (p_err_where)
		used = snprintf(msg, sizeof(msg), "%s: ", p_err_where);
	va_start(ap, fmt);
	vsnprintf(msg + used, sizeof(msg) - used, fmt, ap);
	va_end(ap);
	/* One line, whatever the kernel put in the text. */
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (json_output) {
		/* Whatever was half-written is abandoned: the first error is
		 * the document, written by out_flush().
		 */
		FILE *f;
		size_t len;

		depth = 0;
		first[0] = true;
		jout();		/* registers out_flush() at exit */
		if (json_error)
			return;
		f = open_memstream(&json_error, &len);
		if (!f)
			return;
		fputs("{\"error\":", f);
		json_escape(f, msg);
		fputs("}\n", f);
		fclose(f);
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

void out_params(const char *params, const char *text_fmt)
{
	char buf[1024], *save = NULL, *tok;

	if (!json_output) {
		if (text_fmt)
			printf(text_fmt, params);
		return;
	}
	/* "a=1 b=2" as typed: values never hold a space (the CLI splits
	 * params on spaces). */
	snprintf(buf, sizeof(buf), "%s", params);
	out_open_object("params");
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = '\0';
		out_string(tok, NULL, eq + 1);
	}
	out_close_object();
}

void out_words(const char *key, const char *text_fmt, const char *words)
{
	char buf[1024], *save = NULL, *tok;

	if (!json_output) {
		if (text_fmt)
			printf(text_fmt, words);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", words);
	out_open_array(key);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		out_string(NULL, NULL, tok);
	out_close_array();
}
