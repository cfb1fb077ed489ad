#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Captures tools/tests/fixtures/real/cri-* from containerd's own CRI plugin
# (driven by crictl: selftests/crictl.py, which make vm-run puts in the VM),
# in mntwatch's --proc and --debugfs layout, as capture-real.sh does for the
# others:
#
#   make vm-run KVER=6.12 ROOT=runtimes OUT=DIR SCRIPT=tools/tests/capture-cri.sh
#
# cri-pod     a pod shop/web-0 (network NODE, the kubelet's labels and
#             cgroupfs parent) with a container web running sleep
# cri-loop    fs.mount-max=300, pod shop/restart-loop whose container loop
#             binds the rshared tmpfs /srv/loop-cri Bidirectional at its own
#             path and at <dir>/inner, created again with the next attempt
#             after each exit (as the kubelet restarts it) until a start fails
# cri-enospc  the host's namespace at its limit: crictl runp of shop/db-0
#             fails (the seed's "pod never starts")
#
# Each holds debugfs/, proc/ (pid 1, containerd, its shims, the pods' pids:
# comm, cgroup, cmdline, mountinfo, ns/mnt and exe as links), containerd's
# files under its pid's root/ (the task bundles' config.json of every task
# of k8s.io, the CRI plugin's container status files, containerd's metadata
# store meta.db), crictl's own answers
# (crictl-inspect*.json, crictl-ps.txt, crictl-pods.txt, its errors) and
# containerd's log. The tool's own output is in out/, not part of a fixture.
out=${MNTWATCH_OUT:?}
dbg=/sys/kernel/debug/mntwatch
tasks=/run/containerd/io.containerd.runtime.v2.task/k8s.io
cri_state=/var/lib/containerd/io.containerd.grpc.v1.cri
meta_dir=/var/lib/containerd/io.containerd.metadata.v1.bolt
. vmlib.sh
. runtimes_lib.sh
rt_cri_on

fresh() { rmmod mntwatch 2>/dev/null; insmod "$MNTWATCH_KO"; }
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
# containerd DIR: its k8s.io task bundles and the CRI's status files under its root/
containerd_files() {
	R=$1/proc/$(pgrep -x containerd)/root
	mkdir -p "$R$tasks"
	for b in "$tasks"/*/; do
		[ -f "$b/config.json" ] || continue
		mkdir -p "$R$b" && cp "$b/config.json" "$R$b/config.json"
	done
	# the CRI's own record of each container and sandbox (the attempt)
	mkdir -p "$R$meta_dir" && cp "$meta_dir/meta.db" "$R$meta_dir/meta.db"
	for s in "$cri_state"/containers/*/status; do
		[ -f "$s" ] && mkdir -p "$R$(dirname "$s")" && cp "$s" "$R$s"
	done
	cp /var/log/containerd.log "$1/containerd.log"
	crictl pods >"$1/crictl-pods.txt" 2>&1
	crictl ps -a >"$1/crictl-ps.txt" 2>&1
}
mw() { d=$1; mkdir -p "$d/out"; for c in "" "--all" "events" "explain" "loops" "check"; do
	mntwatch $c >"$d/out/mntwatch${c:+-}${c#--}.txt" 2>&1; echo $? >>"$d/out/mntwatch${c:+-}${c#--}.txt"; done
	mntwatch -J >"$d/out/ns.json"; mntwatch events -J >"$d/out/events.json"; }
pids() { echo 1 $(pgrep -x containerd) $(pgrep containerd-shim) "$@"; }

# --- a running pod
D=$out/cri-pod; mkdir -p $D; fresh
rt_cri_pod $D/pod.json shop web-0 3f6b3a0e-2c1d-4a5b-8e9f-1a2b3c4d5e6f
rt_cri_container $D/container.json $D/pod.json web 0 '[]' sleep 3600
pod=$(crictl runp $D/pod.json); cid=$(crictl create "$pod" $D/container.json $D/pod.json); crictl start "$cid"
crictl inspectp "$pod" >$D/crictl-inspectp.json; crictl inspect "$cid" >$D/crictl-inspect.json
tables $D
proc $D $(pids $(jq .info.pid $D/crictl-inspectp.json) $(jq .info.pid $D/crictl-inspect.json))
containerd_files $D
mw $D
crictl rmp -f "$pod" >/dev/null

# --- the Bidirectional restart loop, the kubelet's way
D=$out/cri-loop; mkdir -p $D; fresh
old=$(cat /proc/sys/fs/mount-max)
echo 300 >/proc/sys/fs/mount-max
shared=/srv/loop-cri
mkdir -p $shared; mount -t tmpfs loop $shared; mount --make-rshared $shared
rt_cri_pod $D/pod.json shop restart-loop 6f1c0d3e-5b2a-4c8e-9d7f-0a1b2c3d4e5f privileged
mounts="[{\"host_path\": \"$shared\", \"container_path\": \"$shared\", \"propagation\": 2},
	{\"host_path\": \"$shared\", \"container_path\": \"$shared/inner\", \"propagation\": 2}]"
pod=$(crictl runp $D/pod.json)
i=0; prev=''; : >$D/steps
while [ $i -lt 10 ]; do
	rt_cri_container $D/container.json $D/pod.json loop $i "$mounts" sleep 1
	[ -z "$prev" ] || crictl rm "$prev" >/dev/null
	cid=$(crictl create "$pod" $D/container.json $D/pod.json 2>$D/create-$i.txt)
	prev=$cid
	crictl start "$cid" >$D/start-$i.txt 2>&1; rc=$?
	echo "$i $rc $(wc -l </proc/1/mountinfo) $cid" >>$D/steps
	[ $rc = 0 ] || break
	mkdir -p $D/bundles && cp "$tasks/$cid/config.json" "$D/bundles/$cid.json"
	rt_cri_wait_exit "$cid"
	i=$((i + 1))
done
crictl inspectp "$pod" >$D/crictl-inspectp.json; crictl inspect "$cid" >$D/crictl-inspect.json
tables $D
proc $D $(pids $(jq .info.pid $D/crictl-inspectp.json))
containerd_files $D
mw $D
crictl rmp -f "$pod" >/dev/null
umount -l $shared
echo $old >/proc/sys/fs/mount-max

# --- the pod that never starts
D=$out/cri-enospc; mkdir -p $D; fresh
rt_cri_pod $D/pod.json shop db-0 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
echo $(($(wc -l </proc/1/mountinfo) + $(hidden_ancestors))) >/proc/sys/fs/mount-max
crictl runp $D/pod.json >$D/runp.txt 2>&1; echo "runp $?" >$D/steps
tables $D
proc $D $(pids)
containerd_files $D
mw $D
echo $old >/proc/sys/fs/mount-max
cat /proc/sys/kernel/osrelease >$out/kernel
echo done
