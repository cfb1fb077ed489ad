/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every mount namespace on the node, those no process lives in too
 * (census.c).
 */
#ifndef MNTWATCH_CENSUS_H
#define MNTWATCH_CENSUS_H

#include <stdbool.h>
#include "who.h"

int mw_census(const char *procdir, struct mw_procscan *scan, bool count);

#endif
