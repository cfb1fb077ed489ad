# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that run inside the VM; they source it with
# ". vmlib.sh" (vmtest.sh -b selftests/vmlib.sh puts it on PATH).
n=0
failed=0

# check NAME COMMAND...: one TAP line for the command's status; TAP_PREFIX
# names the suite
check() {
	name=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/tap-check.out 2>&1; then
		echo "ok $n - ${TAP_PREFIX:-}$name"
	else
		echo "not ok $n - ${TAP_PREFIX:-}$name"
		sed 's/^/# /' /tmp/tap-check.out
		failed=$((failed + 1))
	fi
}

# root_kept: the VM's programs and libraries (/manifest, as vmtest.sh packed
# them) are all still there; names each one gone. Two run_vm boots lost one
# library each (libjq.so.1 on 6.1, libopencsd_c_api.so.1 on 5.10) that was
# there at boot: run_vm.sh checks after each part which one takes it.
root_kept() {
	[ -r /manifest ] || { echo "no /manifest: not a vmtest.sh root"; return 1; }
	grep -E '^\./(lib|lib64|usr|bin|sbin|opt)/' /manifest | {
		gone=0
		while read -r f; do
			[ -e "/$f" ] || [ -L "/$f" ] || { echo "gone: ${f#.}"; gone=1; }
		done
		[ $gone = 0 ]
	}
}

# value KEY FILE: the value of FILE's "KEY value" line
value() { awk -v k="$1" '$1 == k { print $2 }' "$2" 2>/dev/null; }

# stat_of KEY: from the module's status; empty while it is not loaded
stat_of() { value "$1" /sys/kernel/debug/mntwatch/status; }

# wait_for FILE PID: until FILE exists, PID has died or 10 s have passed
wait_for() {
	i=0
	while [ ! -e "$1" ] && [ $i -lt 100 ] && kill -0 "$2" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# hidden_ancestors: mounts every namespace in the VM holds above its root,
# which the kernel counts (and limits) but mountinfo never shows: the
# initramfs rootfs that vmtest's switch_root left under /, and from 7.0 the
# nullfs that rootfs sits on
hidden_ancestors() {
	if [ "$(uname -r | cut -d. -f1)" -ge 7 ]; then echo 2; else echo 1; fi
}

# kernel_count PID M: the kernel's own limit check proves that the mount
# namespace of PID holds exactly M mounts: with fs.mount-max=M one more mount
# fails with ENOSPC (M + 1 > M), with M + 1 it fits
kernel_count() {
	old_max=$(cat /proc/sys/fs/mount-max)
	mkdir -p /tmp/probe_mnt
	echo "$2" >/proc/sys/fs/mount-max
	if nsenter -t "$1" -m mount -t tmpfs probe /tmp/probe_mnt 2>/tmp/probe.err; then
		echo "$old_max" >/proc/sys/fs/mount-max
		echo "a mount fit under fs.mount-max=$2"
		return 1
	fi
	if ! grep -q 'No space left' /tmp/probe.err; then
		echo "$old_max" >/proc/sys/fs/mount-max
		cat /tmp/probe.err
		return 1
	fi
	echo $(($2 + 1)) >/proc/sys/fs/mount-max
	nsenter -t "$1" -m mount -t tmpfs probe /tmp/probe_mnt
	rc=$?
	echo "$old_max" >/proc/sys/fs/mount-max
	return $rc
}

# same NAME GOT WANT: one TAP line, both values shown when they differ
same() {
	check "$1" sh -c 'echo "got:  $1"; echo "want: $2"; [ "$1" = "$2" ]' - "$2" "$3"
}

# field TABLE COLUMN KEY VALUE: COLUMN of the last row of a debugfs table
# (columns named by its header) whose KEY column is VALUE
field() {
	awk -v want="$2" -v key="$3" -v val="$4" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col[key] == val { v = $col[want] }
	END { print v }' "$1"
}
