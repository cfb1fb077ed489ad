/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict, bounded JSON reader for the runtimes' state files (json.c).
 */
#ifndef MNTWATCH_JSON_H
#define MNTWATCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mw_json_type {
	MW_JSON_OBJECT, MW_JSON_ARRAY, MW_JSON_STRING, MW_JSON_NUMBER,
	MW_JSON_TRUE, MW_JSON_FALSE, MW_JSON_NULL,
};

/* One value; an object's members are a key (string) token, then its value. */
struct mw_json_tok {
	enum mw_json_type type;
	uint32_t start, end;	/* its bytes in the text; a string's unquoted */
	uint32_t next;		/* the token after it and all it holds */
	uint32_t count;		/* an object's members, an array's elements */
};

struct mw_json {
	const char *text;
	struct mw_json_tok *tok;	/* tok[0] is the whole document */
	int ntok;
};

#define MW_JSON_MAX_DEPTH	64
#define MW_JSON_MAX_TOKENS	(1 << 20)
#define MW_JSON_MAX_BYTES	(16 << 20)

int mw_json_parse(struct mw_json *doc, const char *text, size_t len,
		  char *err, size_t errlen);
void mw_json_free(struct mw_json *doc);
int mw_json_get(const struct mw_json *doc, int obj, const char *key);
int mw_json_index(const struct mw_json *doc, int arr, uint32_t index);
bool mw_json_string(const struct mw_json *doc, int t, char *buf, size_t len);
bool mw_json_get_string(const struct mw_json *doc, int obj, const char *key,
			char *buf, size_t len);
bool mw_json_int(const struct mw_json *doc, int t, int64_t *out);

#endif
