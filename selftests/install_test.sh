#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/install_test.sh
#
# `make install` / `make uninstall` into a temporary DESTDIR and INSTALL_MOD_PATH, the way a
# node runs them (KDIR, not KVER), with the cached Debian 6.1 headers as KDIR (the host has
# none). Works on a copy of the sources so the tree's own objects are never touched. Checks
# the exact installed tree, the module's vermagic, MOK signing (MOK_KEY/MOK_CERT) and that
# uninstall removes every file it installed. Exit status 0 = pass; diagnostics on stderr.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD

fail() { echo "install_test: $*" >&2; exit 1; }
for t in openssl modinfo install; do command -v $t >/dev/null || fail "missing tool '$t'"; done
kdir=$(selftests/fetch-kernel.sh 6.1) || fail "fetch-kernel.sh 6.1 failed"
rel=$(cat "$kdir/release")

work=$top/build/check/install
rm -rf "$work"
mkdir -p "$work/src"
trap 'rm -rf "$work"' EXIT
cp -a Makefile Kbuild module tools "$work/src/" || fail "copying the sources failed"
root=$work/root
vars=(KDIR="$kdir/build" DESTDIR="$root" INSTALL_MOD_PATH="$root" PREFIX=/usr)

openssl req -new -x509 -nodes -days 1 -subj "/CN=mntwatch install_test MOK" -newkey rsa:2048 \
	-keyout "$work/MOK.priv" -outform DER -out "$work/MOK.der" >/dev/null 2>&1 || fail "openssl req failed"
make -s -C "$work/src" install "${vars[@]}" MOK_KEY="$work/MOK.priv" MOK_CERT="$work/MOK.der" \
	>"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "make install failed"; }

want="lib/modules/$rel/extra/mntwatch.ko
usr/sbin/mntwatch
usr/share/man/man8/mntwatch.8"
got=$(cd "$root" && find . -type f | sed 's|^\./||' | sort)
[ "$got" = "$want" ] || fail "installed tree differs:
$(diff <(echo "$want") <(echo "$got"))"
[ "$(stat -c %a "$root/usr/sbin/mntwatch")" = 755 ] || fail "usr/sbin/mntwatch is not mode 755"
[ "$(stat -c %a "$root/usr/share/man/man8/mntwatch.8")" = 644 ] || fail "mntwatch.8 is not mode 644"
# one version, module/version.h, in the man page, the tool and the module
version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)
[ -n "$version" ] || fail "no MNTWATCH_VERSION in module/version.h"
sed "s/@MNTWATCH_VERSION@/$version/" tools/mntwatch.8 | cmp -s - "$root/usr/share/man/man8/mntwatch.8" ||
	fail "installed man page is not tools/mntwatch.8 with version $version"
"$root/usr/sbin/mntwatch" --version 2>&1 | grep -q "^mntwatch $version " ||
	fail "installed mntwatch --version does not say $version: $("$root/usr/sbin/mntwatch" --version 2>&1)"
ko=$root/lib/modules/$rel/extra/mntwatch.ko
[ "$(modinfo -F vermagic "$ko" | awk '{ print $1 }')" = "$rel" ] || fail "installed module's vermagic is not $rel"
[ "$(modinfo -F version "$ko")" = "$version" ] || fail "installed module's version is not $version"
[ "$(modinfo -F signer "$ko")" = "mntwatch install_test MOK" ] || fail "installed module is not signed with MOK_KEY"

make -s -C "$work/src" uninstall "${vars[@]}" >"$work/uninstall.log" 2>&1 ||
	{ cat "$work/uninstall.log" >&2; fail "make uninstall failed"; }
left=$(cd "$root" && find . -type f)
[ -z "$left" ] || fail "files left after make uninstall: $left"
exit 0
