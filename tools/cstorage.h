/* SPDX-License-Identifier: GPL-2.0 */
/*
 * containers/storage, podman's and CRI-O's: where it lives, and its
 * containers.json (cstorage.c).
 */
#ifndef MNTWATCH_CSTORAGE_H
#define MNTWATCH_CSTORAGE_H

#include <stdbool.h>
#include <stdint.h>
#include "container.h"

struct mw_cstorage_ctr {
	char id[MW_ID_LEN];
	char name[MW_NAME_LEN];		/* names[0] */
	char image[MW_NAME_LEN];	/* metadata's image-name */
	bool cri;			/* CRI-O's: metadata names a sandbox */
	char cri_name[MW_NAME_LEN];	/* its Kubernetes container name */
	int64_t attempt;		/* CRI-O's metadata-attempt; MW_NONE */
};

void mw_cstorage_locate(struct mw_daemon *d);
bool mw_cstorage_find(struct mw_daemon *d, const char *key, const char *value,
		      struct mw_cstorage_ctr *out);
bool mw_cstorage_by_layer(struct mw_daemon *d, const char *path,
			  struct mw_cstorage_ctr *out);
void mw_cstorage_free(struct mw_daemon *d);

#endif
