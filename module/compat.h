/* SPDX-License-Identifier: GPL-2.0 */
/* Every kernel-version difference mntwatch has to bridge, in one place. */
#ifndef MNTWATCH_COMPAT_H
#define MNTWATCH_COMPAT_H

#include <linux/version.h>

/* 6.3 passes inode operations an idmap instead of a user namespace */
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
#define mw_setattr_owner mnt_idmap
#else
#define mw_setattr_owner user_namespace
#endif

#endif
