/* SPDX-License-Identifier: GPL-2.0 */
/* Where a sysctl is set at boot (sysctl.d(5)). */
#ifndef MNTWATCH_SYSCTL_CONF_H
#define MNTWATCH_SYSCTL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define MW_SYSCTL_PATH	4096

struct mw_sysctl_set {
	char file[MW_SYSCTL_PATH];	/* as the node names it: /etc/... */
	int line;
	char value[64];
};

#define MW_SYSCTL_SETS	16

/*
 * Every setting of @key read at boot under @root ("" for /), in the order
 * they are applied: the last one wins. Returns how many.
 */
int mw_sysctl_settings(const char *root, const char *key,
		       struct mw_sysctl_set *sets, int max);
/* The setting of @key that wins at boot under @root. */
bool mw_sysctl_setting(const char *root, const char *key,
		       struct mw_sysctl_set *set);

void mw_sysroot_of(const char *procdir, char *buf, size_t len);

#endif
