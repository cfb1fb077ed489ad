// SPDX-License-Identifier: GPL-2.0
/* Plans that change a limit, now and at boot (limit_plan.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "limit_plan.h"
#include "sysctl_conf.h"
#include "util.h"

int64_t mw_headroom(int64_t need, int64_t now)
{
	int64_t room = (need * 3 / 2 + 999) / 1000 * 1000;

	return room > 2 * now ? room : 2 * now;
}

int64_t mw_sysctl_now(const char *procdir, const char *key)
{
	char path[MW_SYSCTL_PATH], *text, *end;
	int64_t v;
	size_t i, n;

	if (!procdir)
		return MW_NONE;
	n = snprintf(path, sizeof(path), "%s/sys/%s", procdir, key);
	for (i = n - strlen(key); i < n && i < sizeof(path); i++)
		if (path[i] == '.')
			path[i] = '/';
	text = mw_read_file(path, NULL);
	if (!text)
		return MW_NONE;
	v = strtoll(text, &end, 10);
	if (end == text)
		v = MW_NONE;
	free(text);
	return v;
}

bool mw_plan_sysctl(struct mw_plan *plan, const struct mw_explain_in *in,
		    const char *key, int64_t value, const char *why)
{
	int64_t now = mw_sysctl_now(in->procdir, key);
	struct mw_fix *fix;

	if (now != MW_NONE && now >= value)
		return false;
	fix = mw_plan_step(plan, MW_FIX_SYSCTL);
	if (!fix)
		return false;
	snprintf(fix->key, sizeof(fix->key), "%s", key);
	fix->value = value;
	mw_fix_why(fix, "%s", why);
	mw_fix_cmd(fix, "sysctl -w %s=%" PRId64, key, value);
	return true;
}

/* A step that edits line @set->line of @set->file, which sets @key now. */
static struct mw_fix *conf_step(struct mw_plan *plan, const char *key,
				const struct mw_sysctl_set *set, int64_t to)
{
	struct mw_fix *fix = mw_plan_step(plan, MW_FIX_CONF);

	if (!fix)
		return NULL;
	snprintf(fix->key, sizeof(fix->key), "%s", key);
	snprintf(fix->file, sizeof(fix->file), "%s", set->file);
	fix->line = set->line;
	fix->from = strtoll(set->value, NULL, 10);
	fix->value = to;
	return fix;
}

void mw_plan_boot_restore(struct mw_plan *plan, const struct mw_explain_in *in,
			  const char *key, int64_t value)
{
	struct mw_sysctl_set sets[MW_SYSCTL_SETS];
	char file[2 * MW_SYSCTL_PATH];
	int i, n;

	if (!in->sysroot)
		return;
	n = mw_sysctl_settings(in->sysroot, key, sets, MW_SYSCTL_SETS);
	for (i = 0; i < n; i++) {
		struct mw_fix *fix;

		if (strtoll(sets[i].value, NULL, 10) >= value)
			continue;
		fix = conf_step(plan, key, &sets[i], MW_NONE);
		if (!fix)
			return;
		mw_shell_quote(file, sizeof(file), sets[i].file);
		mw_fix_why(fix, "%s line %d (%s = %s) lowers it again at every boot:\n"
			   "this comments that line out; the rest of the file stays as it is",
			   sets[i].file, sets[i].line, key, sets[i].value);
		mw_fix_cmd(fix, "sed -i '%ds/^/# /' %s", sets[i].line, file);
	}
}

void mw_plan_boot_set(struct mw_plan *plan, const struct mw_explain_in *in,
		      const char *key, int64_t value, int64_t boot_default)
{
	struct mw_sysctl_set set;
	char file[2 * MW_SYSCTL_PATH];
	struct mw_fix *fix;

	if (!in->sysroot)
		return;
	if (!mw_sysctl_setting(in->sysroot, key, &set)) {
		if (boot_default >= value)
			return;
		memset(&set, 0, sizeof(set));
		snprintf(set.file, sizeof(set.file), "%s", MW_OUR_SYSCTL_FILE);
		fix = conf_step(plan, key, &set, value);
		if (!fix)
			return;
		fix->from = MW_NONE;
		mw_fix_why(fix, "no file sets %s at boot, which would bring back %" PRId64 ": this file keeps %" PRId64,
			   key, boot_default, value);
		mw_fix_cmd(fix, "echo '%s = %" PRId64 "' > %s", key, value,
			   MW_OUR_SYSCTL_FILE);
		return;
	}
	if (strtoll(set.value, NULL, 10) >= value)
		return;
	fix = conf_step(plan, key, &set, value);
	if (!fix)
		return;
	mw_shell_quote(file, sizeof(file), set.file);
	mw_fix_why(fix, "%s line %d sets %s = %s at every boot: this sets %" PRId64 " there",
		   set.file, set.line, key, set.value, value);
	mw_fix_cmd(fix, "sed -i '%ds/.*/%s = %" PRId64 "/' %s", set.line, key,
		   value, file);
}
