#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kernel's own mount selftests of one kernel line, from that line's
# Debian linux-source package (selftests/fetch-kernel.sh selftests LINE),
# built statically on the host for the busybox VM against that line's uapi
# headers: tools/testing/selftests/mount, mount_setattr,
# move_mount_set_group, and every mount directory of filesystems/
# (statmount from 6.8; move_mount, mount_cycle, umount_propagation, ... on 7.x).
#
#   selftests/kselftests.sh LINE    -> build/kselftests/LINE/kselftests.tar
#
# The tar holds one static binary per test program, as DIR.NAME, which
# selftests/kselftests_vm.sh runs. Prints "built DIR/NAME" for each and
# "not built DIR/NAME: <first error>" for one that did not compile, which
# fails the script: every program of these directories is run.
set -euo pipefail

die() { echo "kselftests: $*" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || die "usage: $0 LINE"
line=$1
src=$("$top/selftests/fetch-kernel.sh" selftests "$line") || die "no selftests source for $line"
kdir=$("$top/selftests/fetch-kernel.sh" "$line") || die "no kernel for $line"
out=$top/build/kselftests/$line
st=$src/tools/testing/selftests
# a build of the same sources, script and compiler is reused, as make would
key=$({ sha256sum "$0"; cat "$kdir/release"; gcc --version | head -n 1
	{ find "$st/mount" "$st/mount_setattr" "$st/move_mount_set_group" "$st/filesystems" "$st"/*.h \
		-type f 2>/dev/null || true; } | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16)
if [ -s "$out/kselftests.tar" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
	cat "$out/built.txt"
	exit 0
fi
rm -rf "$out"
mkdir -p "$out/usr/include" "$out/bin"

# The uapi headers as headers_install leaves them: the kernel-only
# annotations a compiler outside the kernel does not know dropped; the
# generated ones (unistd_64.h, the asm-generic wrappers) from the headers
# package.
for dir in "$src/include/uapi" "$src/arch/x86/include/uapi" "$kdir/build/arch/x86/include/generated/uapi"; do
	cp -rL "$dir/." "$out/usr/include/"
done
find "$out/usr/include" -name '*.h' -exec sed -i -E \
	-e 's/([[:space:](])(__user|__force|__iomem)[[:space:]]/\1/g' \
	-e 's/__attribute_const__([[:space:]]|$)/\1/g' \
	-e 's@^#include <linux/compiler(|_types)\.h>@@' \
	-e 's/(^|[^a-zA-Z0-9])__packed([^a-zA-Z0-9_]|$)/\1__attribute__((packed))\2/g' {} +

# the programs a directory's Makefile builds (TEST_GEN_PROGS, TEST_GEN_FILES)
programs() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1/Makefile" |
		sed -n 's/^TEST_GEN_\(PROGS\|FILES\)[[:space:]]*+\?:\?=//p' | tr -s ' \t' '\n\n' | grep -v '^$' || true
}

# lib.mk's flags: the line's uapi headers, tools/include's, the harness
flags=(-static -O2 -pthread -D_GNU_SOURCE= -isystem "$out/usr/include" -isystem "$src/tools/include/uapi" -I"$st")
dirs=(mount mount_setattr move_mount_set_group)
for d in "$st"/filesystems/*/; do
	d=${d%/}
	case ${d##*/} in *mount* | *mnt* | open_tree*) dirs+=("filesystems/${d##*/}") ;; esac
done
status=0
for d in "${dirs[@]}"; do
	[ -e "$st/$d/Makefile" ] || continue
	for p in $(programs "$st/$d"); do
		srcs=("$st/$d/$p.c")
		# a program the Makefile links with ../utils.c
		grep -Eq "^(\\\$\(OUTPUT\)/)?$p:.*utils\.c" "$st/$d/Makefile" && srcs+=("$st/$d/../utils.c")
		libs=()
		grep -q -- '-lcap' "$st/$d/Makefile" && libs+=(-lcap)
		bin=$out/bin/${d//\//.}.$p
		if gcc "${flags[@]}" -I"$st/$d" -o "$bin" "${srcs[@]}" "${libs[@]}" >"$bin.log" 2>&1; then
			echo "built $d/$p" | tee -a "$out/built.txt"
		else
			echo "not built $d/$p: $(grep -m1 'error' "$bin.log" || tail -n 1 "$bin.log")"
			status=1
		fi
		rm -f "$bin.log"
	done
done
[ -n "$(ls "$out/bin")" ] || die "no test program built for $line"
tar -C "$out/bin" -cf "$out/kselftests.tar" .
[ $status -eq 0 ] && echo "$key" >"$out/key"
exit $status
