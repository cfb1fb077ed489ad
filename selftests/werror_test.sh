#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/werror_test.sh LINE     (a line of selftests/kernels.conf)
#
# Warnings are fatal where the project builds the module (make KVER=LINE, so
# make check) and never in a node's build (dkms.conf's MAKE line, plain
# make): a copy of the sources with one more file, whose only fault is an
# unused variable, must build the DKMS way with the warning shown, and fail
# the make check way. Prints diagnostics only; exit status 0 = pass.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD

fail() { echo "werror_test: $*" >&2; exit 1; }
[ $# -eq 1 ] || fail "usage: $0 LINE"
kver=$1
work=$top/build/check/werror-$kver
rm -rf "$work"
mkdir -p "$work/module"
trap 'rm -rf "$work"' EXIT
cp Kbuild "$work/"
cp module/*.c module/*.h "$work/module/"
cat >"$work/module/warning.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
/* werror_test.sh: one warning, -Wunused-variable, and nothing else */
static int mw_unused_on_purpose;
C
sed -i 's|module/debugfs.o$|module/debugfs.o module/warning.o|' "$work/Kbuild"
grep -q 'module/warning.o' "$work/Kbuild" || fail "could not add warning.o to the copied Kbuild"

# the command dkms.conf runs, with the kernel's headers for the source dir
dkms_make=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' dkms.conf)
[ -n "$dkms_make" ] || fail "no MAKE[0] in dkms.conf"
case $dkms_make in *WERROR*) fail "dkms.conf's MAKE turns warnings into errors: $dkms_make" ;; esac
echo "# dkms.conf: $dkms_make"
selftests/kbuild.sh "$kver" make -C '$KDIR/build' M="$work" modules >"$work/dkms.log" 2>&1 ||
	{ cat "$work/dkms.log"; fail "the DKMS-style build failed on a warning"; }
grep -q "mw_unused_on_purpose.*-Wunused-variable" "$work/dkms.log" ||
	{ cat "$work/dkms.log"; fail "the DKMS-style build did not show the warning"; }
echo "# DKMS-style build: built, with the warning shown"

# the way make module KVER=.. (make check, make bench) builds
check_flags=$(sed -n 's/.*\$(KBUILD) M=\$(BUILD)\/src \(.*\) modules.*/\1/p' Makefile)
[ "$check_flags" = "MNTWATCH_WERROR=y" ] || fail "make module KVER=.. passes '$check_flags', not MNTWATCH_WERROR=y"
rm -f "$work"/module/*.o "$work"/*.ko
if selftests/kbuild.sh "$kver" make -C '$KDIR/build' M="$work" $check_flags modules >"$work/check.log" 2>&1; then
	cat "$work/check.log"
	fail "the make check build passed despite the warning"
fi
grep -q "mw_unused_on_purpose.*-Werror=unused-variable" "$work/check.log" ||
	{ cat "$work/check.log"; fail "the make check build failed, but not on the warning"; }
echo "# make check build: failed on the warning, as -Werror"
