/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An OCI bundle's config.json, the container named by its annotations
 * (oci_bundle.c).
 */
#ifndef MNTWATCH_OCI_BUNDLE_H
#define MNTWATCH_OCI_BUNDLE_H

#include <stdbool.h>
#include "container.h"

bool mw_bundle_read(const char *root, const char *path,
		    struct mw_container *c);

#endif
