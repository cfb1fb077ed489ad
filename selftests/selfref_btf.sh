#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Writes a 129-byte raw BTF file to stdout whose struct mnt_namespace has an
# ns.inum that is an array of itself: a resolver that follows an array's
# element type without a limit never ends on it. Plain printf octal escapes,
# so that busybox in the VM and the host write the same bytes. Little-endian.
#
# header: magic 0xeb9f, version 1, flags 0, hdr_len 24, types at 0 (72
# bytes), strings at 72 (33 bytes)
printf '\237\353\001\000\030\000\000\000\000\000\000\000\110\000\000\000\110\000\000\000\041\000\000\000'
# [1] struct mnt_namespace (name 1, 1 member, 64 bytes): ns, [2] at 0
printf '\001\000\000\000\001\000\000\004\100\000\000\000\017\000\000\000\002\000\000\000\000\000\000\000'
# [2] struct ns_common (name 18, 1 member, 16 bytes): inum, [3] at 0
printf '\022\000\000\000\001\000\000\004\020\000\000\000\034\000\000\000\003\000\000\000\000\000\000\000'
# [3] an array of 1 element of [3], indexed by [3]
printf '\000\000\000\000\000\000\000\003\000\000\000\000\003\000\000\000\003\000\000\000\001\000\000\000'
# strings: "", mnt_namespace (1), ns (15), ns_common (18), inum (28)
printf '\000mnt_namespace\000ns\000ns_common\000inum\000'
