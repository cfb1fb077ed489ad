#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/dkms_test.sh LINE       (a line of selftests/kernels.conf)
#
# Builds mntwatch.ko with Debian's dkms (through `make dkms-install`) for a cached Debian
# kernel, using that kernel's cached headers and throwaway source/dkms/install trees (nothing
# is written to /usr/src, /var/lib/dkms or /lib/modules), with the toolchain the kernel's
# headers ask for (selftests/kbuild.sh: dkms from the trixie root for 7.x), then boots the kernel in qemu,
# loads the DKMS-built module and runs the seed case: in an `unshare -m` shell, fs.mount-max
# is set to the namespace's mounts + 3 and tmpfs is mounted until ENOSPC; the last row of
# /sys/kernel/debug/mntwatch/events must name that namespace as failing_ns, with result -28.
# Prints diagnostics only; exit status 0 = pass. A missing tool is a failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD

fail() { echo "dkms_test: $*" >&2; exit 1; }
[ $# -eq 1 ] || fail "usage: $0 LINE"
kver=$1
command -v dkms >/dev/null || fail "missing tool 'dkms' (apt-get install dkms)"
kdir=$(selftests/fetch-kernel.sh "$kver") || fail "fetch-kernel.sh $kver failed"
rel=$(cat "$kdir/release")

work=$top/build/check/dkms-$kver
rm -rf "$work"
mkdir -p "$work/src" "$work/dkms" "$work/inst/$rel"
trap 'rm -rf "$work/src" "$work/dkms"' EXIT

selftests/kbuild.sh "$kver" make -s --no-print-directory dkms-install DKMS_SOURCE_TREE="$work/src" \
	DKMS_FLAGS="--dkmstree=$work/dkms --installtree=$work/inst --no-depmod" \
	DKMS_KERNEL="$rel" DKMS_INSTALL_FLAGS="--kernelsourcedir=$kdir/build" >"$work/dkms.log" 2>&1 || {
	cat "$work/dkms.log" >&2
	cat "$work"/dkms/mntwatch/*/build/make.log >&2 2>/dev/null
	fail "make dkms-install for $rel failed"
}
dkms status -m mntwatch --dkmstree "$work/dkms" --sourcetree "$work/src" --installtree "$work/inst" \
	>"$work/status" 2>&1
grep -q "^mntwatch/[^,]*, $rel, [^:]*: installed" "$work/status" ||
	fail "dkms status does not show mntwatch installed for $rel: $(cat "$work/status")"
ko=$work/inst/$rel/updates/dkms/mntwatch.ko
[ -f "$ko" ] || fail "no DKMS-installed module at $ko: $(find "$work/inst" -type f)"
vermagic=$(modinfo -F vermagic "$ko" | awk '{ print $1 }')
[ "$vermagic" = "$rel" ] || fail "DKMS-built module has vermagic '$vermagic', want '$rel'"
version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)

cat >"$work/seed.sh" <<SEED
dbg=/sys/kernel/debug/mntwatch
insmod "\$MNTWATCH_KO" || { echo "# insmod of the DKMS-built module failed"; dmesg | tail -n 5; exit 1; }
grep -qx 'version $version' \$dbg/status || { echo "# status does not say version $version"; exit 1; }
old=\$(cat /proc/sys/fs/mount-max)
mkdir -p /tmp/seed
unshare -m sh -c '
	ns=\$(readlink /proc/self/ns/mnt); ns=\${ns#mnt:[}; ns=\${ns%]}
	n=\$(wc -l </proc/self/mountinfo)
	echo \$((n + 3)) >/proc/sys/fs/mount-max
	i=0
	while [ \$i -lt 20 ]; do
		mkdir -p /tmp/seed/\$i
		mount -t tmpfs seed\$i /tmp/seed/\$i 2>/tmp/seed.err || break
		i=\$((i + 1))
	done
	echo "\$ns \$n \$i" >/tmp/seed.out
'
echo "\$old" >/proc/sys/fs/mount-max
read -r ns n i </tmp/seed.out
echo "# namespace \$ns: \$n mounts, fs.mount-max \$((n + 3)), \$i tmpfs mounts before: \$(cat /tmp/seed.err)"
status=0
# mountinfo hides mounts outside the root (the initramfs rootfs under switch_root), which the
# kernel counts: so 1 to 3 mounts fit, never more
[ "\$i" -ge 1 ] && [ "\$i" -le 3 ] || { echo "# expected 1 to 3 mounts to fit, got \$i"; status=1; }
grep -q 'No space left on device' /tmp/seed.err || { echo "# the mount did not fail with ENOSPC"; status=1; }
row=\$(tail -n 1 \$dbg/events)
echo "# last event: \$row"
set -- \$row
[ "\$5" = "\$ns" ] || { echo "# failing_ns is '\$5', want \$ns"; status=1; }
[ "\${10}" = -28 ] || { echo "# result is '\${10}', want -28"; status=1; }
[ "\$8" = \$((n + 3)) ] || { echo "# max is '\$8', want \$((n + 3))"; status=1; }
rmmod mntwatch || { echo "# rmmod failed"; status=1; }
dmesg | grep -E 'Oops|BUG|WARNING|Call Trace' && { echo "# kernel warnings"; status=1; }
exit \$status
SEED
selftests/vmtest.sh -k "$kver" -m "$ko" -s "$work/seed.sh" 2>&1 | tr -d '\r'
exit "${PIPESTATUS[0]}"
