/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A namespace's mountinfo read from inside it (nsenter.c).
 */
#ifndef MNTWATCH_NSENTER_H
#define MNTWATCH_NSENTER_H


char *mw_ns_mountinfo(const char *nsfile);

#endif
