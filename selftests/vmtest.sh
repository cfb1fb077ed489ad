#!/bin/bash
# Run a shell script as root inside a throwaway qemu VM (TCG) booting a Debian
# cloud kernel, on a busybox initramfs or on a Debian root with real container
# runtimes.
#
#   selftests/vmtest.sh -k LINE [-r busybox|runtimes] [-m mntwatch.ko] [-b file]...
#                       [-o DIR] [-t seconds] -s script.sh
#
# -r busybox (the default): busybox applets in /bin /sbin /usr/bin /usr/sbin,
# no disk. / is a tmpfs (private, not shared), with proc, sysfs, devtmpfs,
# debugfs and a tmpfs on /tmp.
# -r runtimes: the Debian bookworm root of selftests/runtimes-root.sh (built
# on first use) on a virtio disk with snapshot=on (a run never changes the
# cached image; VMs may share it), reached through a small initramfs with the
# line's own virtio and overlay modules (selftests/kmods.sh). Its init
# (selftests/runtimes-init.sh, under tini) mounts proc, sysfs, devtmpfs,
# devpts, debugfs, cgroup2, tmpfs on /run, /tmp and /dev/shm, makes / rshared
# as systemd does, starts containerd and dockerd (no network) and waits until
# `docker info` and `ctr version` answer (VMTEST_READY_TIMEOUT, default 240 s;
# not ready is a failure). podman runs rootful with the cgroupfs manager.
# busybox:latest is in docker, podman and containerd. 2.5 GB of memory.
#
# In both: -b files in /opt/mntwatch/bin (first on PATH; shared libraries of
# dynamic binaries are copied too, in the runtimes root only where it lacks
# them), the module at /opt/mntwatch/mntwatch.ko, the script at
# /opt/mntwatch/run.sh. The module is NOT loaded: the script runs insmod
# "$MNTWATCH_KO" itself. Environment: MNTWATCH_KO, MNTWATCH_KVER (the line of
# selftests/kernels.conf: 5.10, 6.1, 6.12, 7), MNTWATCH_ROOT (busybox or
# runtimes). -o DIR: the script may write files under $MNTWATCH_OUT; when it
# ends they are written as a tar to a second virtio disk (VMTEST_OUT_MB,
# default 1024) and unpacked into DIR on the host.
# The guest's init checks that every file packed (a manifest) reached its
# new root and names any that did not, before the script runs.
# Kernel oops/panic ends the VM. Extra kernel arguments can be
# given in VMTEST_APPEND (e.g. panic_on_warn=1). VMTEST_SMP sets the vCPUs (default 2),
# VMTEST_ACCEL the accelerator. The default runs the vCPUs in turns on one host
# thread: with a thread each (MTTCG), qemu sometimes runs kernel text that the
# kernel has already patched back (an int3 Oops in a jump label at boot, with no
# module loaded), so only tcg,thread=single is reliable here.
# VMTEST_QEMU_ARGS adds qemu options (e.g. -icount shift=0 for instruction-counted time).
# VMTEST_KERNEL boots that kernel image instead of the line's cached one (busybox root only).
# VMTEST_ROOT_IMAGE boots that ext4 image instead of the cached runtimes root, written
# in place when VMTEST_ROOT_WRITE=1 (how runtimes-root.sh loads the images).
#
# The guest console is relayed to stdout (boot noise dropped, kernel lines after
# the script starts or containing Oops/BUG/WARNING/Call Trace kept). If the VM
# does not finish, the raw console log is kept in
# .cache/vmtest-<line>-<pid>.log. Exit status is the script's, or 1 if the
# VM did not finish.
set -euo pipefail

die() { echo "vmtest: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2)"; }
usage() { die "usage: $0 -k LINE [-r busybox|runtimes] [-m mntwatch.ko] [-b file]... [-o DIR] [-t timeout_seconds] -s script.sh"; }

top=$(cd "$(dirname "$0")/.." && pwd)
kver='' ko='' script='' tmo=300 bins=() root=busybox outdir=''
while getopts k:r:m:b:o:t:s: opt; do
	case $opt in
	k) kver=$OPTARG ;;
	r) root=$OPTARG ;;
	o) outdir=$OPTARG ;;
	m) ko=$OPTARG ;;
	b) bins+=("$OPTARG") ;;
	t) tmo=$OPTARG ;;
	s) script=$OPTARG ;;
	*) usage ;;
	esac
done
[ $OPTIND -gt $# ] || usage
[ -n "$kver" ] || usage
[ -n "$script" ] || usage
[ -f "$script" ] || die "script $script not found"
[ -z "$ko" ] || [ -f "$ko" ] || die "module $ko not found"
for b in ${bins[@]+"${bins[@]}"}; do [ -f "$b" ] || die "binary $b not found"; done
[[ $tmo =~ ^[0-9]+$ ]] || die "-t wants whole seconds"
case $root in
busybox | runtimes) ;;
*) die "-r wants busybox or runtimes, not '$root'" ;;
esac
[ "$root" = busybox ] || [ -z "${VMTEST_KERNEL:-}" ] || die "VMTEST_KERNEL boots the busybox root only (-r runtimes needs the line's own modules)"
if [ -n "$outdir" ]; then
	mkdir -p "$outdir" || die "cannot create $outdir"
	need tar tar
fi

need qemu-system-x86_64 qemu-system-x86
need busybox busybox-static
need gzip gzip
need timeout coreutils
need readelf binutils
need awk mawk
bb=$(command -v busybox)
readelf -l "$bb" | grep -q 'program interpreter' && die "$bb is dynamically linked (install Debian package busybox-static)"

if [ -n "${VMTEST_KERNEL:-}" ]; then
	# a kernel image of the caller's (a node's own, or one carried to another machine)
	[ -f "$VMTEST_KERNEL" ] || die "VMTEST_KERNEL=$VMTEST_KERNEL not found"
	vmlinuz=$VMTEST_KERNEL
	rel=$(basename "$VMTEST_KERNEL")
else
	kdir=$("$top/selftests/fetch-kernel.sh" "$kver") || die "fetch-kernel.sh $kver failed"
	vmlinuz=$kdir/vmlinuz
	rel=$(cat "$kdir/release")
fi

if [ "$root" = runtimes ]; then
	if [ -n "${VMTEST_ROOT_IMAGE:-}" ]; then
		rootimg=$VMTEST_ROOT_IMAGE
		[ -f "$rootimg" ] || die "VMTEST_ROOT_IMAGE=$rootimg not found"
	else
		rootimg=$("$top/selftests/runtimes-root.sh") || die "runtimes-root.sh failed"
	fi
fi

mkdir -p "$top/.cache"
tmp=$(mktemp -d "$top/.cache/vmtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t=$tmp/tree
mkdir -p "$t"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,root,etc,newroot,opt/mntwatch/bin}
cp "$bb" "$t/bin/busybox"
for a in $("$bb" --list-full); do
	[ -e "$t/$a" ] || ln -s /bin/busybox "$t/$a"
done

# Copy a host file to the same path in the guest (for shared libraries); in
# the runtimes root they are set aside and copied only where the root has none.
libs=$t
[ "$root" = busybox ] || libs=$t/hostlib
copy_same() { mkdir -p "$libs$(dirname "$1")" && cp -L "$1" "$libs$1"; }
for b in ${bins[@]+"${bins[@]}"}; do
	cp "$b" "$t/opt/mntwatch/bin/"
	chmod +x "$t/opt/mntwatch/bin/$(basename "$b")"
	if readelf -l "$b" 2>/dev/null | grep -q 'program interpreter'; then
		need ldd libc-bin
		deps=$(ldd "$b") || die "ldd $b failed"
		! grep 'not found' <<<"$deps" || die "$b lacks a shared library on this host"
		for lib in $(grep -o '/[^ ]*' <<<"$deps"); do copy_same "$lib"; done
	fi
done
[ -z "$ko" ] || cp "$ko" "$t/opt/mntwatch/mntwatch.ko"
cp "$script" "$t/opt/mntwatch/run.sh"
ln -s /proc/mounts "$t/etc/mtab"
echo 'root:x:0:0:root:/root:/bin/sh' >"$t/etc/passwd"
echo 'root:x:0:' >"$t/etc/group"

# the disks need the line's virtio modules, the runtimes overlay too
mods=()
[ -z "$outdir" ] || mods=(virtio_pci virtio_blk)
[ "$root" = busybox ] || mods=(virtio_pci virtio_blk overlay)
if [ ${#mods[@]} -gt 0 ]; then
	"$top/selftests/kmods.sh" "$kver" "$t" "${mods[@]}" || die "kmods.sh $kver failed"
fi
# guest shell functions: load those modules, find a disk by the serial qemu gave it
cat >"$t/disks.sh" <<'EOF'
load_modules() {
	while read -r ko; do insmod "$ko" || echo "init: insmod $ko failed"; done </lib/modules/load-order
}
# lost: the files of /manifest (the initramfs's own, as the host packed them)
# missing under /newroot, one line each; fails if any is
lost() {
	n=0
	while read -r f; do
		[ -e "/newroot/$f" ] || [ -L "/newroot/$f" ] || { echo "init: lost $f"; n=$((n + 1)); }
	done </manifest
	[ $n -eq 0 ]
}
disk() {
	i=0
	while [ $i -lt 100 ]; do
		for d in /sys/block/vd*; do
			[ "$(cat "$d/serial" 2>/dev/null)" = "$1" ] && { echo "/dev/${d##*/}"; return 0; }
		done
		sleep 0.1
		i=$((i + 1))
	done
	echo "init: no disk with serial $1" >&2
	return 1
}
EOF

if [ "$root" = busybox ]; then
	out_start='' out_end=''
	if [ -n "$outdir" ]; then
		out_start='load_modules; export MNTWATCH_OUT=/tmp/mntwatch-out; mkdir -p $MNTWATCH_OUT'
		out_end='dev=$(disk mntwatch-out) && tar -cf "$dev" -C "$MNTWATCH_OUT" . && sync'
	fi
	cat >"$t/init" <<EOF
#!/bin/sh
export PATH=/opt/mntwatch/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
export MNTWATCH_KO=/opt/mntwatch/mntwatch.ko MNTWATCH_KVER=$kver MNTWATCH_ROOT=busybox
[ -e /dev/null ] || mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
if [ ! -e /.tmpfs-root ]; then
	# rootfs cannot be unmounted, pivoted or made shared: copy everything
	# into a tmpfs and make that the root.
	mount -t tmpfs -o mode=0755 root /newroot
	for f in /*; do [ "\$f" = /newroot ] || [ "\$f" = /dev ] || cp -a "\$f" /newroot/; done
	mkdir -p /newroot/dev
	mount --move /dev /newroot/dev
	. /disks.sh
	lost || { echo "init: files of the initramfs missing after the copy"; sleep 0.5; poweroff -f; }
	touch /newroot/.tmpfs-root
	exec switch_root /newroot /init
	echo "init: switch_root failed"
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
hostname mntwatch-vm
. /disks.sh
$out_start
cd /
echo MNTWATCH-VM-START
sh /opt/mntwatch/run.sh
rc=\$?
$out_end
echo
echo "MNTWATCH-VM-EXIT=\$rc"
sleep 0.5 # let the serial port drain before power off
poweroff -f
EOF
else
	# the root's own init runs after switch_root, its settings in /opt/mntwatch/env
	cp "$top/selftests/runtimes-init.sh" "$t/opt/mntwatch/init"
	cp "$t/disks.sh" "$t/opt/mntwatch/disks.sh"
	{
		echo "MNTWATCH_KVER=$kver"
		echo "MNTWATCH_OUT=${outdir:+/var/tmp/mntwatch-out}"
		echo "VMTEST_ROOT_WRITE=${VMTEST_ROOT_WRITE:-0}"
		echo "VMTEST_READY_TIMEOUT=${VMTEST_READY_TIMEOUT:-240}"
	} >"$t/opt/mntwatch/env"
	modrel=$(basename "$(ls -d "$t"/lib/modules/*/)")
	cat >"$t/init" <<EOF
#!/bin/sh
# the initramfs of the runtimes root: modules, the disk, then the root's init
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
[ -e /dev/null ] || mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
fail() { echo "init: \$*"; sleep 0.5; poweroff -f; }
. /disks.sh
load_modules
dev=\$(disk mntwatch-root) || fail "the root disk did not appear"
mount -t ext4 "\$dev" /newroot || fail "cannot mount \$dev"
# the project's files and the line's modules onto the root (a snapshot); on
# a tmpfs when the image is written in place, so that none of it stays
. /opt/mntwatch/env
rm -rf /newroot/opt/mntwatch /newroot/lib/modules/$modrel
mkdir -p /newroot/opt/mntwatch /newroot/lib/modules/$modrel
if [ "\$VMTEST_ROOT_WRITE" = 1 ]; then
	mount -t tmpfs -o mode=0755 mntwatch /newroot/opt/mntwatch
	mount -t tmpfs -o mode=0755 modules /newroot/lib/modules/$modrel
fi
cp -a /opt/mntwatch/. /newroot/opt/mntwatch/ || fail "cannot copy /opt/mntwatch"
cp -a /lib/modules/$modrel/. /newroot/lib/modules/$modrel/ || fail "cannot copy the modules"
if [ -d /hostlib ]; then
	cd /hostlib
	for f in \$(find . ! -type d); do
		[ -e "/newroot/\$f" ] || { mkdir -p "/newroot/\${f%/*}" && cp -a "\$f" "/newroot/\$f"; }
	done
	cd /
fi
lost || fail "files of the initramfs missing after the copy"
[ -x /newroot/usr/bin/tini ] || fail "the root has no /usr/bin/tini (docker.io's)"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /usr/bin/tini -s -- /bin/sh /opt/mntwatch/init
fail "switch_root failed"
EOF
fi
chmod 755 "$t/init"
# what init must find in the new root: a file lost on the way is named there,
# not met later as a missing library
if [ "$root" = busybox ]; then
	(cd "$t" && find . ! -type d) >"$tmp/manifest"
else
	{
		(cd "$t" && find ./opt/mntwatch "./lib/modules/$modrel" ! -type d)
		[ ! -d "$t/hostlib" ] || (cd "$t/hostlib" && find . ! -type d)
	} >"$tmp/manifest"
fi
mv "$tmp/manifest" "$t/manifest"
(cd "$t" && find . | "$bb" cpio -o -H newc -R 0:0 2>"$tmp/cpio.err" | gzip -1) >"$tmp/initramfs.cpio.gz" ||
	die "could not pack the initramfs: $(head -n1 "$tmp/cpio.err")"
! grep -v '^[0-9]* blocks$' "$tmp/cpio.err" || die "busybox cpio complained while packing the initramfs"

disks=()
mem=1024
if [ "$root" = runtimes ]; then
	mem=2560
	snapshot=on
	[ "${VMTEST_ROOT_WRITE:-0}" = 1 ] && snapshot=off
	disks+=(-drive "file=$rootimg,format=raw,if=none,id=root,snapshot=$snapshot"
		-device virtio-blk-pci,drive=root,serial=mntwatch-root)
fi
if [ -n "$outdir" ]; then
	truncate -s "${VMTEST_OUT_MB:-1024}M" "$tmp/out.raw"
	disks+=(-drive "file=$tmp/out.raw,format=raw,if=none,id=out" -device virtio-blk-pci,drive=out,serial=mntwatch-out)
fi

log=$tmp/console.log
# panic=-1 + -no-reboot: a panic (and an oops, via oops=panic) ends qemu at once.
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=2 printk.time=1 mitigations=off ${VMTEST_APPEND:-}"
start=$(date +%s)
timeout -k 5 "$tmo" qemu-system-x86_64 -accel "${VMTEST_ACCEL:-tcg,thread=single}" -m "$mem" -smp "${VMTEST_SMP:-2}" \
	-nographic -monitor none -serial stdio -net none -no-reboot ${disks[@]+"${disks[@]}"} ${VMTEST_QEMU_ARGS:-} \
	-kernel "$vmlinuz" -initrd "$tmp/initramfs.cpio.gz" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" | awk '
	/MNTWATCH-VM-START$/ { started = 1; next }	# may follow firmware escape codes
	/^MNTWATCH-VM-EXIT=/ || /\] reboot: Power down$/ { next }
	/^\[ *[0-9]+\.[0-9]+\]/ {
		# kernel line: keep it once the script runs or once something went wrong
		if (/Oops|BUG|WARNING|Call Trace|Kernel panic|RIP:|general protection|Initramfs unpacking failed/) alert = 1
		if (started || alert) { print; fflush() }
		next
	}
	started { print; fflush() }' || true
secs=$(($(date +%s) - start))
if [ -n "$outdir" ] && ! tar -xf "$tmp/out.raw" -C "$outdir" 2>"$tmp/out.err"; then
	echo "vmtest: could not unpack the files the guest wrote into $outdir: $(head -n1 "$tmp/out.err")" >&2
fi

rc=$(grep -a -o '^MNTWATCH-VM-EXIT=[0-9]*$' "$log" | tail -n1 | cut -d= -f2 || true)
if [ -z "$rc" ]; then
	keep=$top/.cache/vmtest-$kver-$$.log
	cp "$log" "$keep"
	# nothing was relayed if the script never started: show the boot's end
	grep -q 'MNTWATCH-VM-START$' "$log" || { echo "vmtest: last console lines:"; tail -n 25 "$log"; } >&2
	echo "vmtest: kernel $rel did not finish (boot failure, panic or timeout after ${secs}s; console log: $keep)"
	exit 1
fi
echo "vmtest: kernel $rel: script exited $rc after ${secs}s" >&2
exit "$rc"
