#!/bin/bash
# Run a shell script as root inside a throwaway qemu VM (TCG, no disk) booting a
# Debian cloud kernel with a busybox initramfs.
#
#   selftests/vmtest.sh -k LINE [-m mntwatch.ko] [-b file]... [-t seconds] -s script.sh
#
# Guest layout: busybox applets in /bin /sbin /usr/bin /usr/sbin, -b files in
# /opt/mntwatch/bin (first on PATH; shared libraries of dynamic binaries are
# copied too), the module at /opt/mntwatch/mntwatch.ko, the script at
# /opt/mntwatch/run.sh. / is a tmpfs (private, not shared), with proc, sysfs,
# devtmpfs, debugfs and a tmpfs on /tmp. The module is NOT loaded: the script
# runs insmod "$MNTWATCH_KO" itself. Environment: MNTWATCH_KO, MNTWATCH_KVER
# (the line of selftests/kernels.conf: 5.10, 6.1, 6.12, 7). Kernel oops/panic ends the VM. Extra kernel arguments can be
# given in VMTEST_APPEND (e.g. panic_on_warn=1). VMTEST_SMP sets the vCPUs (default 2),
# VMTEST_ACCEL the accelerator. The default runs the vCPUs in turns on one host
# thread: with a thread each (MTTCG), qemu sometimes runs kernel text that the
# kernel has already patched back (an int3 Oops in a jump label at boot, with no
# module loaded), so only tcg,thread=single is reliable here.
# VMTEST_QEMU_ARGS adds qemu options (e.g. -icount shift=0 for instruction-counted time).
# VMTEST_KERNEL boots that kernel image instead of the line's cached one.
#
# The guest console is relayed to stdout (boot noise dropped, kernel lines after
# the script starts or containing Oops/BUG/WARNING/Call Trace kept). If the VM
# does not finish, the raw console log is kept in
# .cache/vmtest-<line>-<pid>.log. Exit status is the script's, or 1 if the
# VM did not finish.
set -euo pipefail

die() { echo "vmtest: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2)"; }
usage() { die "usage: $0 -k LINE [-m mntwatch.ko] [-b file]... [-t timeout_seconds] -s script.sh"; }

top=$(cd "$(dirname "$0")/.." && pwd)
kver='' ko='' script='' tmo=300 bins=()
while getopts k:m:b:t:s: opt; do
	case $opt in
	k) kver=$OPTARG ;;
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

mkdir -p "$top/.cache"
tmp=$(mktemp -d "$top/.cache/vmtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t=$tmp/tree
mkdir -p "$t"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,mnt,root,etc,newroot,opt/mntwatch/bin}
cp "$bb" "$t/bin/busybox"
for a in $("$bb" --list-full); do
	[ -e "$t/$a" ] || ln -s /bin/busybox "$t/$a"
done

# Copy a host file to the same path in the guest (for shared libraries).
copy_same() { mkdir -p "$t$(dirname "$1")" && cp -L "$1" "$t$1"; }
for b in ${bins[@]+"${bins[@]}"}; do
	cp "$b" "$t/opt/mntwatch/bin/"
	chmod +x "$t/opt/mntwatch/bin/$(basename "$b")"
	if readelf -l "$b" 2>/dev/null | grep -q 'program interpreter'; then
		need ldd libc-bin
		for lib in $(ldd "$b" | grep -o '/[^ ]*'); do copy_same "$lib"; done
	fi
done
[ -z "$ko" ] || cp "$ko" "$t/opt/mntwatch/mntwatch.ko"
cp "$script" "$t/opt/mntwatch/run.sh"
ln -s /proc/mounts "$t/etc/mtab"
echo 'root:x:0:0:root:/root:/bin/sh' >"$t/etc/passwd"
echo 'root:x:0:' >"$t/etc/group"

cat >"$t/init" <<EOF
#!/bin/sh
export PATH=/opt/mntwatch/bin:/bin:/sbin:/usr/bin:/usr/sbin HOME=/root
export MNTWATCH_KO=/opt/mntwatch/mntwatch.ko MNTWATCH_KVER=$kver
[ -e /dev/null ] || mount -t devtmpfs dev /dev
exec </dev/console >/dev/console 2>&1
if [ ! -e /.tmpfs-root ]; then
	# rootfs cannot be unmounted, pivoted or made shared: copy everything
	# into a tmpfs and make that the root.
	mount -t tmpfs -o mode=0755 root /newroot
	for f in /*; do [ "\$f" = /newroot ] || [ "\$f" = /dev ] || cp -a "\$f" /newroot/; done
	mkdir -p /newroot/dev
	mount --move /dev /newroot/dev
	touch /newroot/.tmpfs-root
	exec switch_root /newroot /init
	echo "init: switch_root failed"
fi
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmp /tmp
hostname mntwatch-vm
cd /
echo MNTWATCH-VM-START
sh /opt/mntwatch/run.sh
rc=\$?
echo
echo "MNTWATCH-VM-EXIT=\$rc"
sleep 0.5 # let the serial port drain before power off
poweroff -f
EOF
chmod 755 "$t/init"
(cd "$t" && find . | "$bb" cpio -o -H newc -R 0:0 2>/dev/null | gzip -1) >"$tmp/initramfs.cpio.gz" ||
	die "could not pack the initramfs"

log=$tmp/console.log
# panic=-1 + -no-reboot: a panic (and an oops, via oops=panic) ends qemu at once.
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=2 printk.time=1 mitigations=off ${VMTEST_APPEND:-}"
start=$(date +%s)
timeout -k 5 "$tmo" qemu-system-x86_64 -accel "${VMTEST_ACCEL:-tcg,thread=single}" -m 1024 -smp "${VMTEST_SMP:-2}" \
	-nographic -monitor none -serial stdio -net none -no-reboot ${VMTEST_QEMU_ARGS:-} \
	-kernel "$vmlinuz" -initrd "$tmp/initramfs.cpio.gz" -append "$append" \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" | awk '
	/MNTWATCH-VM-START$/ { started = 1; next }	# may follow firmware escape codes
	/^MNTWATCH-VM-EXIT=/ || /\] reboot: Power down$/ { next }
	/^\[ *[0-9]+\.[0-9]+\]/ {
		# kernel line: keep it once the script runs or once something went wrong
		if (/Oops|BUG|WARNING|Call Trace|Kernel panic|RIP:|general protection/) alert = 1
		if (started || alert) { print; fflush() }
		next
	}
	started { print; fflush() }' || true
secs=$(($(date +%s) - start))

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
