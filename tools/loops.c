// SPDX-License-Identifier: GPL-2.0
/*
 * Live propagation loops, read from a namespace's mountinfo.
 *
 * A mount made on a member of a peer group is copied to every other member
 * and to every mount that receives from the group (its slaves, and theirs).
 * When one of those receivers sits beneath a member of the group, at a place
 * that the receiver itself shows, the group propagates into itself: each
 * bind of the tree into itself copies the copies, and the namespace doubles
 * towards fs.mount-max long before any use% threshold. That shape is what
 * mw_loops_find() looks for; the same path mounted many times over is what
 * such doublings leave behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "loops.h"
#include "util.h"

void mw_mountinfo_free(struct mw_mountinfo *mi)
{
	free(mi->mounts);
	free(mi->text);
	memset(mi, 0, sizeof(*mi));
}

/* "shared:N", "master:N": the peer group id after the colon. */
static uint64_t group_of(const char *field, const char *tag)
{
	size_t len = strlen(tag);
	uint64_t id;

	if (strncmp(field, tag, len) || mw_parse_u64(field + len, &id))
		return 0;
	return id;
}

/*
 * "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE
 * SUPER": takes ownership of text; paths keep mountinfo's octal escapes,
 * which never contain '/', so prefixes compare as they would unescaped.
 */
int mw_mountinfo_parse(struct mw_mountinfo *mi, char *text)
{
	char *line, *next;
	int lines = 0, cap;

	memset(mi, 0, sizeof(*mi));
	mi->text = text;
	for (line = text; *line; line++)
		lines += *line == '\n';
	cap = lines + 1;
	mi->mounts = calloc(cap, sizeof(*mi->mounts));
	if (!mi->mounts)
		goto fail;
	for (line = text; line && *line; line = next) {
		struct mw_mount *m = &mi->mounts[mi->n];
		char *field[6], *opt;
		int f;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		for (f = 0; f < 6; f++) {
			field[f] = strsep(&line, " ");
			if (!field[f])
				goto bad;
		}
		if (mw_parse_u64(field[0], &m->id) ||
		    mw_parse_u64(field[1], &m->parent))
			goto bad;
		m->dev = field[2];
		m->root = field[3];
		m->mountpoint = field[4];
		for (;;) {
			opt = strsep(&line, " ");
			if (!opt)
				goto bad;	/* no " - " separator */
			if (!strcmp(opt, "-"))
				break;
			if (!m->shared)
				m->shared = group_of(opt, "shared:");
			if (!m->master)
				m->master = group_of(opt, "master:");
		}
		if (++mi->n == cap)
			break;
	}
	return 0;
bad:
	errno = EINVAL;
fail:
	mw_mountinfo_free(mi);
	return -1;
}

struct group_master {
	uint64_t group, master;
};

struct finder {
	const struct mw_mountinfo *mi;
	int *by_id;			/* indices, ascending mount id */
	struct group_master *masters;	/* ascending group id */
	int nmasters;
};

static int cmp_by_id(const void *a, const void *b, void *arg)
{
	const struct mw_mount *m = arg;
	uint64_t x = m[*(const int *)a].id, y = m[*(const int *)b].id;

	return (x > y) - (x < y);
}

static const struct mw_mount *find_mount(const struct finder *f, uint64_t id)
{
	int lo = 0, hi = f->mi->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct mw_mount *m = &f->mi->mounts[f->by_id[mid]];

		if (m->id == id)
			return m;
		if (m->id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static int cmp_group(const void *a, const void *b)
{
	const struct group_master *x = a, *y = b;

	return (x->group > y->group) - (x->group < y->group);
}

static uint64_t master_of(const struct finder *f, uint64_t group)
{
	struct group_master key = { group, 0 };
	const struct group_master *gm = bsearch(&key, f->masters, f->nmasters,
						sizeof(key), cmp_group);

	return gm ? gm->master : 0;
}

/* Whether a mount made on a member of @group reaches @m. */
static bool receives_from(const struct finder *f, const struct mw_mount *m,
			  uint64_t group)
{
	uint64_t from = m->master;
	int hops;

	if (m->shared == group)
		return true;
	/* a chain of slaves of slaves; bounded should it ever cycle */
	for (hops = 0; from && hops < 64; hops++) {
		if (from == group)
			return true;
		from = master_of(f, from);
	}
	return false;
}

static bool path_under(const char *path, size_t len, const char *dir)
{
	size_t dlen = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return len >= dlen && !memcmp(path, dir, dlen) &&
	       (len == dlen || path[dlen] == '/');
}

/*
 * @child is mounted on @outer (directly); does @inner show the place where
 * @child sits in @outer's file system? Then @inner, which receives what is
 * mounted on @outer, holds a view of itself. strict: a place above it, not
 * the very place it shows (a directory bound onto itself).
 */
static bool shows_itself(const struct mw_mount *outer,
			 const struct mw_mount *child,
			 const struct mw_mount *inner, bool strict)
{
	const char *rel = child->mountpoint;
	char place[8192];
	int len;

	if (strcmp(outer->mountpoint, "/")) {
		if (!path_under(rel, strlen(rel), outer->mountpoint))
			return false;
		rel += strlen(outer->mountpoint);
	}
	len = snprintf(place, sizeof(place), "%s%s",
		       strcmp(outer->root, "/") ? outer->root : "", rel);
	if (len < 0 || (size_t)len >= sizeof(place))
		return false;
	if (!len)
		len = snprintf(place, sizeof(place), "/");
	if (strict && !strcmp(place, inner->root))
		return false;
	return path_under(place, len, inner->root);
}

static struct mw_loop *loop_get(struct mw_loops *lp, uint64_t group)
{
	struct mw_loop *loop;
	int i;

	for (i = 0; i < lp->nloops; i++)
		if (lp->loops[i].group == group)
			return &lp->loops[i];
	loop = realloc(lp->loops, (lp->nloops + 1) * sizeof(*loop));
	if (!loop)
		return NULL;
	lp->loops = loop;
	loop = &lp->loops[lp->nloops++];
	memset(loop, 0, sizeof(*loop));
	loop->group = group;
	return loop;
}

/*
 * The group whose mounts reach both @up (as a member or a receiver) and
 * @m, nearest first: @up's own, then what that receives from; or 0.
 */
static uint64_t shared_source(const struct finder *f, const struct mw_mount *up,
			      const struct mw_mount *m)
{
	uint64_t group = up->shared ? up->shared : up->master;
	int hops;

	for (hops = 0; group && hops < 64; hops++) {
		if (receives_from(f, m, group))
			return group;
		group = master_of(f, group);
	}
	return 0;
}

/*
 * The nearest ancestor of @m reached by a group that reaches @m too, at a
 * place @m shows. The group's members may all live in another namespace
 * (docker's overlay mount in the host's, the container's root its slave):
 * a mount made there lands on the ancestor and on @m beneath it alike.
 */
static int find_outer(const struct finder *f, struct mw_loops *lp,
		      const struct mw_mount *m)
{
	const struct mw_mount *child = m, *up;
	int steps;

	for (steps = 0; steps < f->mi->n; steps++) {
		struct mw_loop *loop;
		uint64_t group;

		up = find_mount(f, child->parent);
		if (!up || up == child)
			return 0;
		group = (up->shared || up->master) ? shared_source(f, up, m) : 0;
		/*
		 * Fed from another namespace, only a copy of @up itself
		 * nested in @up, showing a place above where it sits, is
		 * taken: that is what binding the group's member inside
		 * itself there leaves (docker cp's rbind of / onto the
		 * container's rootfs). A slave bind of a subdirectory, or
		 * of a directory onto itself, is a container's own layout.
		 */
		if (group && up->shared != group &&
		    (strcmp(m->root, up->root) || strcmp(m->dev, up->dev)))
			group = 0;
		if (group && shows_itself(up, child, m, up->shared != group)) {
			loop = loop_get(lp, group);
			if (!loop)
				return -1;
			if (!loop->nested++) {
				loop->outer = up->mountpoint;
				loop->inner = m->mountpoint;
			}
			return 0;
		}
		child = up;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The same path mounted over and over: what doublings leave behind. */
static int find_repeats(const struct mw_mountinfo *mi, struct mw_loops *lp)
{
	const char **paths = malloc((mi->n + 1) * sizeof(*paths));
	int i, j, k;

	if (!paths)
		return -1;
	for (i = 0; i < mi->n; i++)
		paths[i] = mi->mounts[i].mountpoint;
	qsort(paths, mi->n, sizeof(*paths), cmp_str);
	for (i = 0; i < mi->n; i = j) {
		int64_t count;

		for (j = i + 1; j < mi->n && !strcmp(paths[i], paths[j]); j++)
			;
		count = j - i;
		if (count > lp->max_repeat)
			lp->max_repeat = count;
		if (count < MW_REPEAT_MIN)
			continue;
		/* keep the MW_REPEAT_TOP largest, largest first */
		for (k = lp->ntop; k > 0 && lp->top[k - 1].count < count; k--)
			if (k < MW_REPEAT_TOP)
				lp->top[k] = lp->top[k - 1];
		if (k < MW_REPEAT_TOP) {
			lp->top[k].mountpoint = paths[i];
			lp->top[k].count = count;
			if (lp->ntop < MW_REPEAT_TOP)
				lp->ntop++;
		}
	}
	free(paths);
	return 0;
}

void mw_loops_free(struct mw_loops *lp)
{
	free(lp->loops);
	memset(lp, 0, sizeof(*lp));
}

int mw_loops_find(const struct mw_mountinfo *mi, struct mw_loops *lp)
{
	struct finder f = { .mi = mi };
	int i, g, ret = -1;

	memset(lp, 0, sizeof(*lp));
	f.by_id = malloc((mi->n + 1) * sizeof(*f.by_id));
	f.masters = malloc((mi->n + 1) * sizeof(*f.masters));
	if (!f.by_id || !f.masters)
		goto out;
	for (i = 0; i < mi->n; i++) {
		f.by_id[i] = i;
		/* all members of a group have the same master */
		if (mi->mounts[i].shared && mi->mounts[i].master) {
			f.masters[f.nmasters].group = mi->mounts[i].shared;
			f.masters[f.nmasters++].master = mi->mounts[i].master;
		}
	}
	qsort_r(f.by_id, mi->n, sizeof(*f.by_id), cmp_by_id,
		mi->mounts);
	qsort(f.masters, f.nmasters, sizeof(*f.masters), cmp_group);

	for (i = 0; i < mi->n; i++)
		if ((mi->mounts[i].shared || mi->mounts[i].master) &&
		    find_outer(&f, lp, &mi->mounts[i]))
			goto out;
	/* factor: the mounts a mount made on the group lands on here */
	for (g = 0; g < lp->nloops; g++)
		for (i = 0; i < mi->n; i++) {
			lp->loops[g].factor +=
				receives_from(&f, &mi->mounts[i], lp->loops[g].group);
			lp->loops[g].members +=
				mi->mounts[i].shared == lp->loops[g].group;
		}
	if (find_repeats(mi, lp))
		goto out;
	ret = 0;
out:
	free(f.by_id);
	free(f.masters);
	if (ret)
		mw_loops_free(lp);
	return ret;
}
