/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place the version lives: the module, the tool, the man page and
 * dkms.conf (both filled in by make install / make dkms-install) take it here.
 */
#ifndef MNTWATCH_VERSION_H
#define MNTWATCH_VERSION_H

#define MNTWATCH_VERSION "0.2.0"

#endif
