#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo-mounts: a propagation loop grows a mount namespace until mount(2) fails
# with ENOSPC, then mntwatch shows what happened. Runs inside the VM.
set -u
dbg=/sys/kernel/debug/mntwatch
max=1000

say() { printf '\n== %s\n' "$*"; }

say "insmod mntwatch.ko"
insmod "$MNTWATCH_KO" || exit 1
dmesg | grep 'mntwatch: watching'

say "a container-like namespace: a shared tree that gets bind-mounted into itself (fs.mount-max=$max)"
echo "$max" >/proc/sys/fs/mount-max
# the namespace stays held by a sleeping "container" while we look at it
unshare -m sh -c '
	mkdir -p /ctr
	mount -t tmpfs ctr /ctr
	mount --make-shared /ctr
	mkdir -p /ctr/rootfs /ctr/copy
	echo "namespace $(readlink /proc/self/ns/mnt), $(wc -l </proc/self/mountinfo) mounts"
	step=1
	while mount --rbind /ctr /ctr/copy 2>/tmp/err; do
		echo "step $step: rbind /ctr onto /ctr/copy -> $(wc -l </proc/self/mountinfo) mounts"
		step=$((step + 1))
	done
	echo "step $step: $(cat /tmp/err)"
	echo "df still has room:"; df -h /ctr | tail -n 1
	touch /tmp/demo-full
	exec sleep 600
' &
holder=$!
while [ ! -e /tmp/demo-full ]; do sleep 0.2; done

say "cat $dbg/namespaces"
cat $dbg/namespaces
say "cat $dbg/events"
cat $dbg/events
say "the limit check that failed"
tail -n 1 $dbg/events | while read -r time pid comm caller failing mounts pending max requested result touched checks _; do
	echo "$comm (pid $pid) asked for $requested mounts in namespace $failing:"
	echo "  $mounts mounted + $pending pending copies ($checks checks so far in this attach) + $requested requested = $((mounts + pending + requested)) > fs.mount-max $max"
	if [ $((mounts + requested)) -le "$max" ]; then
		echo "  the pending copies made the difference: $mounts + $requested = $((mounts + requested)) alone fits"
	fi
done
if command -v mntwatch >/dev/null; then
	say "mntwatch explain"
	mntwatch explain
fi
kill "$holder"
