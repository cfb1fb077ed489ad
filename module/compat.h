/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version difference mntwatch has to bridge, in one place. It is
 * also included by the host build of btf.c, so only the uapi version header.
 */
#ifndef MNTWATCH_COMPAT_H
#define MNTWATCH_COMPAT_H

#include <linux/version.h>

/*
 * BTF kinds newer than the oldest uapi mntwatch builds against (5.10 has
 * none of them): 5.13 FLOAT, 5.16 DECL_TAG, 5.17 TYPE_TAG, 6.0 ENUM64. A
 * btf_path= file may come from a newer kernel than the headers, so the reader
 * knows them all; the numbers and record sizes are BTF's ABI.
 */
#define MW_BTF_KIND_FLOAT	16
#define MW_BTF_KIND_DECL_TAG	17
#define MW_BTF_KIND_TYPE_TAG	18
#define MW_BTF_KIND_ENUM64	19
#define MW_BTF_ENUM64_SIZE	12	/* name_off, val_lo32, val_hi32 */

/*
 * 5.14 gave every cred a reference to the ucounts of its user namespace and
 * real uid; before, nothing the caller holds names its ucounts.
 */
#if KERNEL_VERSION(5, 14, 0) <= LINUX_VERSION_CODE
#define MW_CRED_UCOUNTS(cred) ((cred)->ucounts)
#else
#define MW_CRED_UCOUNTS(cred) NULL
#endif

#endif
