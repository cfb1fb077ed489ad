// SPDX-License-Identifier: GPL-2.0
/*
 * A read-only look into a bbolt (go.etcd.io/bbolt 1.3) database file, as
 * podman 4's libpod keeps its state (<graphroot>/libpod/bolt_state.db)
 * and containerd 1.6 its metadata (<root>/io.containerd.metadata.v1.bolt/
 * meta.db):
 * pages of a B+tree, two meta pages naming the root bucket, buckets nested
 * in leaf values (inline when small). Every offset is checked against the
 * file: a torn or foreign file answers nothing.
 */
#include <stdint.h>
#include <string.h>
#include "bolt.h"

#define BOLT_MAGIC		0xED0CDAEDu
#define PAGE_HDR		16	/* id u64, flags u16, count u16, overflow u32 */
#define ELEM_SIZE		16	/* branch and leaf elements alike */
#define BRANCH_PAGE		0x01
#define LEAF_PAGE		0x02
#define BUCKET_LEAF		0x01
#define MAX_DEPTH		16

struct bolt {
	const unsigned char *base;
	size_t len;
	uint32_t page_size;
};

static uint16_t get16(const unsigned char *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t get64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* FNV-1a, 64 bits: bbolt's checksum of a meta page's first 56 bytes */
static uint64_t fnv64a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/* The meta at @off, if whole: its root bucket's page and its txid. */
static bool meta_at(const struct bolt *db, size_t off, uint64_t *root,
		    uint64_t *txid)
{
	const unsigned char *m = db->base + off + PAGE_HDR;

	if (off + PAGE_HDR + 64 > db->len || get32(m) != BOLT_MAGIC ||
	    get32(m + 4) != 2 || fnv64a(m, 56) != get64(m + 56))
		return false;
	*root = get64(m + 16);
	*txid = get64(m + 48);
	return true;
}

/* A page of the file: NULL unless it and its overflow lie inside. */
static const unsigned char *page_at(const struct bolt *db, uint64_t id,
				    size_t *span)
{
	size_t off;

	if (id >= db->len / db->page_size)
		return NULL;
	off = id * db->page_size;
	*span = ((size_t)get32(db->base + off + 12) + 1) * db->page_size;
	if (*span > db->len - off)
		return NULL;
	return db->base + off;
}

static int key_cmp(const unsigned char *k, uint32_t klen, const char *key,
		   size_t len)
{
	int c = memcmp(k, key, klen < len ? klen : len);

	return c ? c : (klen > len) - (klen < len);
}

/*
 * @key in the B+tree whose page is @p (@span bytes, from a page or an
 * inline bucket's value): its value and leaf flags.
 */
static bool tree_get(const struct bolt *db, const unsigned char *p,
		     size_t span, const char *key, int depth,
		     const unsigned char **val, uint32_t *vlen, uint32_t *flags)
{
	uint16_t n = get16(p + 10), i, pick = 0;

	if (span < PAGE_HDR || PAGE_HDR + (size_t)n * ELEM_SIZE > span ||
	    depth > MAX_DEPTH)
		return false;
	for (i = 0; i < n; i++) {
		const unsigned char *e = p + PAGE_HDR + (size_t)i * ELEM_SIZE;
		bool leaf = get16(p + 8) & LEAF_PAGE;
		size_t pos = (size_t)(e - p) + get32(e + (leaf ? 4 : 0));
		uint32_t klen = get32(e + (leaf ? 8 : 4));
		uint32_t vl = leaf ? get32(e + 12) : 0;
		int c;

		if (pos + klen + vl > span)
			return false;
		c = key_cmp(p + pos, klen, key, strlen(key));
		if (leaf && !c) {
			*val = p + pos + klen;
			*vlen = vl;
			*flags = get32(e);
			return true;
		}
		if (!leaf && c <= 0)
			pick = i;
	}
	if (!(get16(p + 8) & BRANCH_PAGE) || !n)
		return false;
	p = page_at(db, get64(p + PAGE_HDR + (size_t)pick * ELEM_SIZE + 8), &span);
	return p && tree_get(db, p, span, key, depth + 1, val, vlen, flags);
}

/* The bucket a leaf value holds: its root page, or its inline page. */
static const unsigned char *bucket_page(const struct bolt *db,
					const unsigned char *v, uint32_t vlen,
					size_t *span)
{
	uint64_t root;

	if (vlen < 16)
		return NULL;
	root = get64(v);
	if (root)
		return page_at(db, root, span);
	*span = vlen - 16;
	return v + 16;
}

/*
 * The value of @path[depth - 1] in the bucket @path[0]/.../@path[depth - 2]
 * of the database @file (its @len bytes): a pointer into @file and its
 * length; false if any is missing, a bucket, or the file is no bbolt
 * database of version 2.
 */
bool mw_bolt_value(const char *file, size_t len, const char *const *path,
		   int depth, const char **val, size_t *vlen)
{
	struct bolt db = { (const unsigned char *)file, len, 0 };
	uint64_t root0 = 0, root1 = 0, tx0 = 0, tx1 = 0;
	bool ok0, ok1;
	const unsigned char *p, *v = NULL;
	uint32_t n = 0, flags = 0;
	size_t span;
	int i;

	ok0 = meta_at(&db, 0, &root0, &tx0);
	db.page_size = ok0 ? get32(db.base + PAGE_HDR + 8) : 0;
	if (!ok0 || db.page_size < 512 || db.page_size > (1 << 20))
		return false;
	ok1 = meta_at(&db, db.page_size, &root1, &tx1);
	p = page_at(&db, ok1 && tx1 > tx0 ? root1 : root0, &span);
	for (i = 0; p && i < depth; i++) {
		if (!tree_get(&db, p, span, path[i], 0, &v, &n, &flags))
			return false;
		if (i < depth - 1)
			p = flags & BUCKET_LEAF ? bucket_page(&db, v, n, &span) : NULL;
	}
	if (!p || !v || (flags & BUCKET_LEAF))
		return false;
	*val = (const char *)v;
	*vlen = n;
	return true;
}

/* mw_bolt_value() as a string: false also if it holds a NUL or is too long */
bool mw_bolt_get(const char *file, size_t len, const char *const *path,
		 int depth, char *val, size_t vlen)
{
	const char *v;
	size_t n;

	if (!mw_bolt_value(file, len, path, depth, &v, &n) || n >= vlen ||
	    memchr(v, 0, n))
		return false;
	memcpy(val, v, n);
	val[n] = '\0';
	return true;
}
