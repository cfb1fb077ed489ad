/* SPDX-License-Identifier: GPL-2.0 */
/*
 * containerd's CRI plugin's own record of a pod sandbox or container, in
 * containerd's metadata store (cri_meta.c).
 */
#ifndef MNTWATCH_CRI_META_H
#define MNTWATCH_CRI_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "container.h"

struct mw_cri_meta {
	char name[MW_NAME_LEN];	/* Config.metadata.name: the pod spec's */
	char kind[16];		/* container or sandbox */
	int64_t attempt;	/* Config.metadata.attempt */
};

bool mw_cri_meta_any(const char *any, size_t len, struct mw_cri_meta *out);
bool mw_cri_meta(const char *db, size_t len, const char *id,
		 struct mw_cri_meta *out);

#endif
