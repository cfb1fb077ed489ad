#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Captures tools/tests/fixtures/real from the real runtimes, in mntwatch's
# --proc and --debugfs layout:
#
#   make vm-run KVER=6.12 ROOT=runtimes OUT=DIR SCRIPT=tools/tests/capture-real.sh
#
# the docker cp incident at fs.mount-max=300 with /var/run rslave (then
# docker exec and docker run, whose runc binds land in the full namespace),
# the same at 500 without it (dockerd's rbind of / fails), and the podman
# and ctr restart loops at 300. Each DIR/<scenario> holds debugfs/, proc/
# (the pids that matter, ns/mnt and exe as links, the runtime's state files
# under its daemon's root/), the runtime's own output and steps (per step:
# number, exit status, mountinfo lines). The tool's own output is in out/,
# not part of a fixture.
out=${MNTWATCH_OUT:?}
dbg=/sys/kernel/debug/mntwatch
LIMIT=${LIMIT:-300}

fresh() { rmmod mntwatch 2>/dev/null; insmod "$MNTWATCH_KO" && echo $LIMIT >/proc/sys/fs/mount-max; }
tables() { mkdir -p "$1/debugfs"; for f in namespaces events growth status; do cat $dbg/$f >"$1/debugfs/$f"; done; }
# proc DIR PID...: comm, cgroup, cmdline, mountinfo, ns/mnt and exe links
proc() {
	d=$1; shift
	mkdir -p "$d/proc/sys/fs"; cat /proc/sys/fs/mount-max >"$d/proc/sys/fs/mount-max"
	for p; do
		[ -d /proc/$p ] || continue
		mkdir -p "$d/proc/$p/ns"
		cat /proc/$p/comm >"$d/proc/$p/comm"; cat /proc/$p/cgroup >"$d/proc/$p/cgroup"
		cat /proc/$p/cmdline >"$d/proc/$p/cmdline"; cat /proc/$p/mountinfo >"$d/proc/$p/mountinfo"
		ln -s "$(readlink /proc/$p/ns/mnt)" "$d/proc/$p/ns/mnt"
		ln -s "$(readlink /proc/$p/exe)" "$d/proc/$p/exe" 2>/dev/null
	done
}
# keep FILE under ROOT (a path of the host)
keep() { mkdir -p "$1$(dirname "$2")" && cat "$2" >"$1$2"; }
dpkg_of() {	# ROOT PKG...: their stanzas of dpkg's status, their file lists
	root=$1; shift
	mkdir -p "$root/var/lib/dpkg/info"
	for pkg; do
		awk -v p="$pkg" 'BEGIN { RS = ""; ORS = "\n\n" } index($0, "Package: " p "\n") == 1' /var/lib/dpkg/status
	done >"$root/var/lib/dpkg/status"
	keep "$root" /var/lib/dpkg/info/docker.io.list
}
mw() { d=$1; mkdir -p "$d/out"; for c in "" "--all" "events" "explain" "loops" "check"; do
	mntwatch $c >"$d/out/mntwatch${c:+-}${c#--}.txt" 2>&1; echo $? >>"$d/out/mntwatch${c:+-}${c#--}.txt"; done
	mntwatch -J >"$d/out/ns.json"; mntwatch events -J >"$d/out/events.json"; }

# --- docker cp: D=DIR LIMIT=N EXTRA=docker run options
docker_cp() {
D=$out/$1; LIMIT=$2; shift 2
mkdir -p $D; fresh
docker run --name my-mount-max -d -v /:/rootfs "$@" busybox sleep 3d >$D/docker-run.txt 2>&1
cid=$(docker inspect -f '{{.Id}}' my-mount-max); cpid=$(docker inspect -f '{{.State.Pid}}' my-mount-max)
i=0; : >$D/steps
while [ $i -lt 10 ]; do
	i=$((i + 1))
	docker cp my-mount-max:/etc/group /tmp/x >$D/docker-cp-$i.txt 2>&1; rc=$?
	echo "$i $rc $(wc -l </proc/$cpid/mountinfo)" >>$D/steps
	[ $rc = 0 ] || break
done
# runc init's own bind of its binary lands in /run, which the container receives
docker exec my-mount-max true >$D/exec-1.txt 2>&1; echo "exec $?" >>$D/steps
docker exec my-mount-max true >$D/exec-2.txt 2>&1; echo "exec $?" >>$D/steps
docker run --rm busybox true >$D/run.txt 2>&1; echo "run $?" >>$D/steps
tables $D
dpid=$(pgrep -x dockerd); ctpid=$(pgrep -x containerd)
proc $D 1 $dpid $ctpid $cpid
R=$D/proc/$dpid/root
keep $R /var/lib/docker/containers/$cid/config.v2.json
keep $R /var/lib/docker/image/overlay2/layerdb/mounts/$cid/mount-id
keep $R /var/lib/docker/image/overlay2/layerdb/mounts/$cid/init-id
dpkg_of $R docker.io containerd runc
docker inspect my-mount-max >$D/docker-inspect.json
mw $D
docker rm -f my-mount-max >/dev/null 2>&1
}
docker_cp docker 300 -v /var/run:/var/run:rslave
docker_cp docker-rbind 500
LIMIT=300

# --- restart loops: podman, ctr
loop() {	# NAME CREATE START
	L=$out/$1; mkdir -p $L; fresh
	dir=/srv/loop-$1; mkdir -p $dir; mount -t tmpfs loop $dir; mount --make-rshared $dir
	sh -c "$2" >$L/create.txt 2>&1
	i=0; : >$L/steps
	while [ $i -lt 10 ]; do
		i=$((i + 1))
		sh -c "$3" >$L/start-$i.txt 2>&1; rc=$?
		echo "$i $rc $(wc -l </proc/1/mountinfo)" >>$L/steps
		[ $rc = 0 ] || break
	done
	tables $L
	proc $L 1 $(pgrep -x dockerd) $(pgrep -x containerd) $(pgrep -x conmon)
	# containerd's namespaces of tasks: a cgroup /<namespace>/<id> is its
	t=/run/containerd/io.containerd.runtime.v2.task
	for ns in $(ls $t 2>/dev/null); do
		mkdir -p "$L/proc/$(pgrep -x containerd)/root$t/$ns"
	done
	mw $L
}
unloop() { umount -l /srv/loop-$1; }
loop podman "podman create --name restart-loop -v /srv/loop-podman:/srv/loop-podman:rshared -v /srv/loop-podman:/srv/loop-podman/inner:rshared busybox true" \
	"podman start -a restart-loop"
keep $out/podman/proc/1/root /var/lib/containers/storage/overlay-containers/containers.json
podman inspect restart-loop >$out/podman/podman-inspect.json
podman rm -f restart-loop >/dev/null 2>&1; unloop podman
loop ctr "ctr -n default containers create --rootfs-propagation rshared --mount type=bind,src=/srv/loop-ctr,dst=/srv/loop-ctr,options=rbind:rshared --mount type=bind,src=/srv/loop-ctr,dst=/srv/loop-ctr/inner,options=rbind:rshared docker.io/library/busybox:latest restart-loop true" \
	"ctr -n default tasks delete restart-loop >/dev/null 2>&1; ctr -n default tasks start restart-loop"
ctr -n default containers info restart-loop >$out/ctr/ctr-info.json 2>&1
cat /proc/sys/kernel/osrelease >$out/kernel
echo done
