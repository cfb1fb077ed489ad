#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The init of the runtimes root (selftests/vmtest.sh -r runtimes), run under
# tini as PID 1: what systemd would set up on a Debian host, containerd and
# dockerd started as their units start them, without a network, then the
# script with vmtest's conventions (MNTWATCH-VM-START, MNTWATCH-VM-EXIT=rc).
. /opt/mntwatch/env
. /opt/mntwatch/disks.sh
export PATH=/opt/mntwatch/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
export MNTWATCH_KO=/opt/mntwatch/mntwatch.ko MNTWATCH_KVER MNTWATCH_ROOT=runtimes LANG=C.UTF-8
[ -z "$MNTWATCH_OUT" ] || export MNTWATCH_OUT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=000 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev shm /dev/shm
mount -t tmpfs -o nosuid,nodev,mode=0755 run /run
mount -t tmpfs -o nosuid,nodev tmp /tmp
# systemd makes every mount shared (MS_SHARED | MS_REC on /) before any
# service starts: the propagation docker, podman and containerd meet on a host
mount --make-rshared /
hostname mntwatch-vm
mkdir -p /run/lock /var/log
[ -z "$MNTWATCH_OUT" ] || { rm -rf "$MNTWATCH_OUT" && mkdir -p "$MNTWATCH_OUT"; }

# as containerd.service and docker.service start them (Debian's units), with
# no bridge and no iptables rules, since the VM has no network
containerd >/var/log/containerd.log 2>&1 &
containerd_pid=$!
dockerd --containerd=/run/containerd/containerd.sock --bridge=none --iptables=false --ip-masq=false \
	>/var/log/dockerd.log 2>&1 &
dockerd_pid=$!

uptime_s() { cut -d' ' -f1 /proc/uptime; }
echo MNTWATCH-VM-START
ready=0
deadline=$(($(uptime_s | cut -d. -f1) + VMTEST_READY_TIMEOUT))
while [ "$(uptime_s | cut -d. -f1)" -lt "$deadline" ]; do
	if ctr version >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
		ready=1
		break
	fi
	sleep 0.2
done
if [ $ready = 1 ]; then
	echo "# runtimes ready $(uptime_s) s after boot: docker $(docker version -f '{{.Server.Version}}')," \
		"containerd $(ctr version | awk '/Version:/ { v = $2 } END { print v }')," \
		"$(runc --version | head -n1), $(podman --version)"
	cd /
	sh /opt/mntwatch/run.sh
	rc=$?
else
	echo "vmtest: dockerd and containerd did not answer within ${VMTEST_READY_TIMEOUT}s of boot"
	for f in /var/log/containerd.log /var/log/dockerd.log; do
		echo "# last lines of $f:"
		tail -n 15 "$f" | sed 's/^/#   /'
	done
	rc=1
fi

if [ -n "$MNTWATCH_OUT" ]; then
	dev=$(disk mntwatch-out) && tar -cf "$dev" -C "$MNTWATCH_OUT" . && sync
fi
if [ "$VMTEST_ROOT_WRITE" = 1 ]; then
	# the image is kept: the daemons write their state out, nothing of this
	# run's stays behind
	kill "$dockerd_pid"
	wait "$dockerd_pid"
	kill "$containerd_pid"
	wait "$containerd_pid"
	rm -f /var/log/containerd.log /var/log/dockerd.log
	sync
	mount -o remount,ro /
fi
echo
echo "MNTWATCH-VM-EXIT=$rc"
sleep 0.5 # let the serial port drain before power off
busybox poweroff -f
