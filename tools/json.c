// SPDX-License-Identifier: GPL-2.0
/*
 * A strict, bounded JSON reader (RFC 8259) for the container runtimes'
 * state files: docker's config.v2.json, containers/storage's
 * containers.json, OCI bundles' config.json.
 *
 * The text is checked whole before anything is read from it: a file cut
 * short by a runtime writing it, or anything that is not JSON, names no
 * container rather than a wrong one. Nesting, size and token count are
 * capped, so a hostile file costs bounded memory and time. Values are
 * tokens pointing into the text; strings are decoded only when asked for.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

struct parser {
	struct mw_json *doc;
	const char *p, *end;
	int cap;
	char *err;
	size_t errlen;
};

static int fail(struct parser *ps, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(ps->err, ps->errlen, "offset %ld: ",
		     (long)(ps->p - ps->doc->text));
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < ps->errlen)
		vsnprintf(ps->err + n, ps->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int new_token(struct parser *ps, enum mw_json_type type)
{
	struct mw_json *doc = ps->doc;
	struct mw_json_tok *tok;

	if (doc->ntok == MW_JSON_MAX_TOKENS)
		return fail(ps, "more than %d values", MW_JSON_MAX_TOKENS);
	if (doc->ntok == ps->cap) {
		int cap = ps->cap ? 2 * ps->cap : 64;

		tok = realloc(doc->tok, cap * sizeof(*tok));
		if (!tok)
			return fail(ps, "out of memory");
		doc->tok = tok;
		ps->cap = cap;
	}
	tok = &doc->tok[doc->ntok];
	memset(tok, 0, sizeof(*tok));
	tok->type = type;
	tok->start = ps->p - doc->text;
	return doc->ntok++;
}

static int hex4(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Bytes of one UTF-8 sequence at p (1..4), 0 if it is not one. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
	int len, i;
	unsigned int cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (end - p < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, surrogates and past U+10FFFF are not text */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A \uXXXX escape at p (after the backslash-u), with the low half of a
 * surrogate pair if it needs one: the code point, or -1. *used: bytes
 * taken after the first "\u".
 */
static long unicode_escape(const char *p, const char *end, int *used)
{
	long hi, lo;

	if (end - p < 4 || (hi = hex4(p)) < 0)
		return -1;
	*used = 4;
	if (hi < 0xd800 || hi > 0xdfff)
		return hi;
	if (hi > 0xdbff || end - p < 10 || p[4] != '\\' || p[5] != 'u' ||
	    (lo = hex4(p + 6)) < 0xdc00 || lo > 0xdfff)
		return -1;
	*used = 10;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static int parse_string(struct parser *ps)
{
	int t = new_token(ps, MW_JSON_STRING);
	int used, len;

	if (t < 0)
		return -1;
	ps->p++;		/* the opening quote */
	ps->doc->tok[t].start++;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = *ps->p;

		if (c < 0x20)
			return fail(ps, "control character in a string");
		if (c == '\\') {
			if (ps->end - ps->p < 2)
				break;
			switch (ps->p[1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				ps->p += 2;
				continue;
			case 'u':
				if (unicode_escape(ps->p + 2, ps->end, &used) < 0)
					return fail(ps, "bad \\u escape");
				ps->p += 2 + used;
				continue;
			default:
				return fail(ps, "bad escape \\%c", ps->p[1]);
			}
		}
		len = utf8_len((const unsigned char *)ps->p,
			       (const unsigned char *)ps->end);
		if (!len)
			return fail(ps, "not UTF-8");
		ps->p += len;
	}
	if (ps->p >= ps->end)
		return fail(ps, "unterminated string");
	ps->doc->tok[t].end = ps->p - ps->doc->text;
	ps->p++;
	return t;
}

static bool digit(const struct parser *ps)
{
	return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *ps)
{
	int t = new_token(ps, MW_JSON_NUMBER);

	if (t < 0)
		return -1;
	if (*ps->p == '-')
		ps->p++;
	if (!digit(ps))
		return fail(ps, "bad number");
	if (*ps->p == '0')
		ps->p++;
	else
		while (digit(ps))
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (!digit(ps))
			return fail(ps, "bad number");
		while (digit(ps))
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!digit(ps))
			return fail(ps, "bad number");
		while (digit(ps))
			ps->p++;
	}
	ps->doc->tok[t].end = ps->p - ps->doc->text;
	return t;
}

static int parse_literal(struct parser *ps, const char *word,
			 enum mw_json_type type)
{
	size_t len = strlen(word);
	int t;

	if ((size_t)(ps->end - ps->p) < len || memcmp(ps->p, word, len))
		return fail(ps, "unexpected character '%c'", *ps->p);
	t = new_token(ps, type);
	if (t < 0)
		return -1;
	ps->p += len;
	ps->doc->tok[t].end = ps->p - ps->doc->text;
	return t;
}

static int parse_value(struct parser *ps, int depth);

/* An object or array: '{' or '[' at ps->p. */
static int parse_container(struct parser *ps, int depth)
{
	bool object = *ps->p == '{';
	char close = object ? '}' : ']';
	int t = new_token(ps, object ? MW_JSON_OBJECT : MW_JSON_ARRAY);
	uint32_t count = 0;

	if (t < 0)
		return -1;
	if (depth >= MW_JSON_MAX_DEPTH)
		return fail(ps, "nested deeper than %d", MW_JSON_MAX_DEPTH);
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		goto done;
	}
	for (;;) {
		skip_space(ps);
		if (object) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a member name");
			if (parse_string(ps) < 0)
				return -1;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, "expected ':'");
			ps->p++;
		}
		if (parse_value(ps, depth + 1) < 0)
			return -1;
		count++;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			break;
		}
		return fail(ps, "expected ',' or '%c'", close);
	}
done:
	ps->doc->tok[t].count = count;
	ps->doc->tok[t].end = ps->p - ps->doc->text;
	return t;
}

static int parse_value(struct parser *ps, int depth)
{
	int t;

	skip_space(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end");
	switch (*ps->p) {
	case '{':
	case '[':
		t = parse_container(ps, depth);
		break;
	case '"':
		t = parse_string(ps);
		break;
	case 't':
		t = parse_literal(ps, "true", MW_JSON_TRUE);
		break;
	case 'f':
		t = parse_literal(ps, "false", MW_JSON_FALSE);
		break;
	case 'n':
		t = parse_literal(ps, "null", MW_JSON_NULL);
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			t = parse_number(ps);
		else
			return fail(ps, "unexpected character '%c'", *ps->p);
	}
	if (t >= 0)
		ps->doc->tok[t].next = ps->doc->ntok;
	return t;
}

void mw_json_free(struct mw_json *doc)
{
	free(doc->tok);
	memset(doc, 0, sizeof(*doc));
}

/* @text must outlive @doc; it need not end in a NUL. */
int mw_json_parse(struct mw_json *doc, const char *text, size_t len,
		  char *err, size_t errlen)
{
	struct parser ps = {
		.doc = doc, .p = text, .end = text + len,
		.err = err, .errlen = errlen,
	};

	memset(doc, 0, sizeof(*doc));
	doc->text = text;
	if (len > MW_JSON_MAX_BYTES) {
		snprintf(err, errlen, "larger than %d bytes", MW_JSON_MAX_BYTES);
		return -1;
	}
	if (parse_value(&ps, 0) < 0)
		goto bad;
	skip_space(&ps);
	if (ps.p != ps.end) {
		fail(&ps, "text after the value");
		goto bad;
	}
	return 0;
bad:
	mw_json_free(doc);
	return -1;
}

/* Whether string token @t decodes to exactly @key. */
static bool string_is(const struct mw_json *doc, int t, const char *key)
{
	char buf[256];
	size_t len = strlen(key);

	if (len >= sizeof(buf))
		return false;
	/* the common case, no escapes: compare in place */
	if (doc->tok[t].end - doc->tok[t].start == len &&
	    !memcmp(doc->text + doc->tok[t].start, key, len))
		return true;
	return mw_json_string(doc, t, buf, sizeof(buf)) && !strcmp(buf, key);
}

/* The value of member @key of object @obj (the last, if repeated); -1. */
int mw_json_get(const struct mw_json *doc, int obj, const char *key)
{
	int t, found = -1;
	uint32_t i;

	if (obj < 0 || obj >= doc->ntok || doc->tok[obj].type != MW_JSON_OBJECT)
		return -1;
	for (i = 0, t = obj + 1; i < doc->tok[obj].count; i++) {
		if (string_is(doc, t, key))
			found = t + 1;
		t = doc->tok[t + 1].next;
	}
	return found;
}

/* Element @index of array @arr; -1. */
int mw_json_index(const struct mw_json *doc, int arr, uint32_t index)
{
	int t;
	uint32_t i;

	if (arr < 0 || arr >= doc->ntok || doc->tok[arr].type != MW_JSON_ARRAY ||
	    index >= doc->tok[arr].count)
		return -1;
	for (i = 0, t = arr + 1; i < index; i++)
		t = doc->tok[t].next;
	return t;
}

static size_t put_utf8(char *dst, long cp)
{
	if (cp < 0x80) {
		dst[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		dst[0] = 0xc0 | cp >> 6;
		dst[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		dst[0] = 0xe0 | cp >> 12;
		dst[1] = 0x80 | ((cp >> 6) & 0x3f);
		dst[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	dst[0] = 0xf0 | cp >> 18;
	dst[1] = 0x80 | ((cp >> 12) & 0x3f);
	dst[2] = 0x80 | ((cp >> 6) & 0x3f);
	dst[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * String token @t decoded into @buf as UTF-8. False, @buf empty, when @t
 * is no string, holds a NUL (no C string can), or does not fit: a name cut
 * short would name something else.
 */
bool mw_json_string(const struct mw_json *doc, int t, char *buf, size_t len)
{
	const char *p, *end;
	size_t n = 0;
	char utf8[4];
	int used;

	if (t < 0 || t >= doc->ntok || doc->tok[t].type != MW_JSON_STRING ||
	    !len)
		return false;
	p = doc->text + doc->tok[t].start;
	end = doc->text + doc->tok[t].end;
	while (p < end) {
		const char *bytes = p;
		size_t nbytes = 1;

		if (*p == '\\') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *esc = strchr(from, p[1]);

			if (p[1] == 'u') {
				long cp = unicode_escape(p + 2, end, &used);

				if (cp <= 0)
					goto refused;
				nbytes = put_utf8(utf8, cp);
				bytes = utf8;
				p += 2 + used;
			} else {
				bytes = to + (esc - from);
				p += 2;
			}
		} else {
			p++;
		}
		if (n + nbytes >= len)
			goto refused;
		memcpy(buf + n, bytes, nbytes);
		n += nbytes;
	}
	buf[n] = '\0';
	return true;
refused:
	/* never a string cut short, which may end inside a UTF-8 sequence */
	buf[0] = '\0';
	return false;
}

/* The string at @key of object @obj, "" when absent or not a string. */
bool mw_json_get_string(const struct mw_json *doc, int obj, const char *key,
			char *buf, size_t len)
{
	if (mw_json_string(doc, mw_json_get(doc, obj, key), buf, len))
		return true;
	if (len)
		buf[0] = '\0';
	return false;
}

/* An integer token (a number without fraction or exponent), or a string of one. */
bool mw_json_int(const struct mw_json *doc, int t, int64_t *out)
{
	char buf[24], *end;
	size_t n;

	if (t < 0 || t >= doc->ntok)
		return false;
	if (doc->tok[t].type == MW_JSON_STRING)
		return mw_json_string(doc, t, buf, sizeof(buf)) &&
		       (*out = strtoll(buf, &end, 10), end != buf && !*end);
	n = doc->tok[t].end - doc->tok[t].start;
	if (doc->tok[t].type != MW_JSON_NUMBER || n >= sizeof(buf))
		return false;
	memcpy(buf, doc->text + doc->tok[t].start, n);
	buf[n] = '\0';
	*out = strtoll(buf, &end, 10);
	return end != buf && !*end;
}
