# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that run in the runtimes root (". runtimes_lib.sh";
# vmtest.sh -r runtimes -b selftests/runtimes_lib.sh puts it on PATH): the
# incidents of real container runtimes as functions with their limit and
# number of steps as arguments, each saving what the runtimes, the kernel and
# mntwatch said into a directory of its own. Nothing here asserts: the tests
# that source it compare those files.
rt_dbg=/sys/kernel/debug/mntwatch

# rt_count PID: lines of PID's mountinfo (its namespace's visible mounts)
rt_count() { wc -l <"/proc/$1/mountinfo" 2>/dev/null || echo -; }

# rt_now: seconds since boot, with hundredths
rt_now() { cut -d' ' -f1 /proc/uptime; }

# rt_since T: whole seconds since rt_now said T
rt_since() { echo "$(rt_now) $1" | awk '{ printf "%.0f", $1 - $2 }'; }

# rt_tables DIR: the module's four tables as they are now
rt_tables() {
	mkdir -p "$1"
	for f in namespaces events growth status; do cat "$rt_dbg/$f" >"$1/$f" 2>&1; done
}

# rt_proc DIR PID...: what /proc says of each pid: its mount namespace,
# cgroup, command, command line and mountinfo
rt_proc() {
	rt_proc_dir=$1
	shift
	for p in "$@"; do
		[ -d "/proc/$p" ] || continue
		mkdir -p "$rt_proc_dir/$p"
		readlink "/proc/$p/ns/mnt" >"$rt_proc_dir/$p/ns_mnt" 2>&1
		cat "/proc/$p/cgroup" >"$rt_proc_dir/$p/cgroup" 2>&1
		cat "/proc/$p/comm" >"$rt_proc_dir/$p/comm" 2>&1
		tr '\0' ' ' <"/proc/$p/cmdline" >"$rt_proc_dir/$p/cmdline" 2>&1
		cat "/proc/$p/mountinfo" >"$rt_proc_dir/$p/mountinfo" 2>&1
	done
}

# rt_runtime_pids: the runtimes' daemons and shims
rt_runtime_pids() { pgrep -x dockerd; pgrep -x containerd; pgrep containerd-shim; pgrep -x conmon; }

# rt_mntwatch DIR: every mntwatch answer, each with its exit status in NAME.rc
rt_mntwatch() {
	mkdir -p "$1"
	rt_mw "$1" ns
	rt_mw "$1" ns-all --all
	rt_mw "$1" events events
	rt_mw "$1" explain explain
	rt_mw "$1" loops loops
	rt_mw "$1" check check
	rt_mw "$1" ns-json --json
	rt_mw "$1" events-json events --json
	rt_mw "$1" loops-json loops --json
}
rt_mw() {
	rt_mw_dir=$1 rt_mw_name=$2
	shift 2
	mntwatch "$@" >"$rt_mw_dir/mntwatch-$rt_mw_name.txt" 2>&1
	echo $? >"$rt_mw_dir/mntwatch-$rt_mw_name.rc"
}

# rt_last_event DIR: the module's last ENOSPC as "key value" lines
# (mounts, pending, max, requested, comm, pct of the limit mounts were at)
rt_last_event() {
	awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { last = $0 }
	END {
		if (last == "") exit
		n = split(last, f)
		for (k in col) print k, f[col[k]]
		m = f[col["mounts"]]; p = f[col["pending"]]; x = f[col["max"]]
		if (x > 0) printf "mounts_pct %.1f\npending_pct_of_mounts %.1f\n", 100 * m / x, m ? 100 * p / m : 0
	}' "$rt_dbg/events" >"$1/last-event" 2>&1
}

# rt_docker_cp LIMIT STEPS DIR [docker run options...]: the seed's incident.
# With fs.mount-max=LIMIT, a container with the host's / as a volume, then
# `docker cp` out of it up to STEPS times, until one fails. DIR gets
# steps.tsv (per step: docker cp's status, the container's and the host's
# mountinfo lines, seconds), the module's tables after each step (step-N/),
# docker's error text, docker inspect, the container's files under
# /var/lib/docker, /proc of the container, dockerd, containerd and the shims,
# mntwatch's answers and dmesg. The container is removed and the limit put
# back at the end, unless RT_KEEP is set: then the caller goes on with the
# full container and calls rt_docker_cp_end. Returns 0 when a docker cp
# failed.
rt_docker_cp() {
	rt_limit=$1 rt_steps=$2 rt_dir=$3
	shift 3
	mkdir -p "$rt_dir"
	rt_old_max=$(cat /proc/sys/fs/mount-max)
	echo "$rt_limit" >/proc/sys/fs/mount-max
	echo "docker run --name my-mount-max -d -v /:/rootfs $* busybox sleep 3d" >"$rt_dir/commands"
	if ! docker run --name my-mount-max -d -v /:/rootfs "$@" busybox sleep 3d >"$rt_dir/docker-run.txt" 2>&1; then
		echo "$rt_old_max" >/proc/sys/fs/mount-max
		return 1
	fi
	rt_cid=$(docker inspect -f '{{.Id}}' my-mount-max)
	rt_cpid=$(docker inspect -f '{{.State.Pid}}' my-mount-max)
	printf 'step\trc\tcontainer_mounts\thost_mounts\tseconds\n' >"$rt_dir/steps.tsv"
	printf '0\t0\t%s\t%s\t0\n' "$(rt_count "$rt_cpid")" "$(rt_count 1)" >>"$rt_dir/steps.tsv"
	rt_tables "$rt_dir/step-0"
	cp "/proc/$rt_cpid/mountinfo" "$rt_dir/step-0/container-mountinfo"
	rt_failed=''
	rt_step=1
	while [ "$rt_step" -le "$rt_steps" ]; do
		echo "docker cp my-mount-max:/etc/group /tmp/x" >>"$rt_dir/commands"
		rt_t0=$(rt_now)
		docker cp my-mount-max:/etc/group /tmp/x >"$rt_dir/docker-cp-$rt_step.txt" 2>&1
		rt_rc=$?
		printf '%s\t%s\t%s\t%s\t%s\n' "$rt_step" "$rt_rc" "$(rt_count "$rt_cpid")" "$(rt_count 1)" \
			"$(echo "$(rt_now) $rt_t0" | awk '{ printf "%.2f", $1 - $2 }')" >>"$rt_dir/steps.tsv"
		rt_tables "$rt_dir/step-$rt_step"
		if [ "$rt_rc" -ne 0 ]; then
			rt_failed=$rt_step
			cp "$rt_dir/docker-cp-$rt_step.txt" "$rt_dir/docker-error.txt"
			break
		fi
		rt_step=$((rt_step + 1))
	done
	echo "$rt_failed" >"$rt_dir/failed-step"
	rt_last_event "$rt_dir"
	docker inspect my-mount-max >"$rt_dir/docker-inspect.json" 2>&1
	docker version >"$rt_dir/docker-version.txt" 2>&1
	for f in config.v2.json hostconfig.json; do
		cp "/var/lib/docker/containers/$rt_cid/$f" "$rt_dir/$f" 2>>"$rt_dir/errors"
	done
	cp "/var/lib/docker/image/overlay2/layerdb/mounts/$rt_cid/mount-id" "$rt_dir/mount-id" 2>>"$rt_dir/errors"
	rt_proc "$rt_dir/proc" "$rt_cpid" $(rt_runtime_pids) 1
	echo "$rt_cpid" >"$rt_dir/container-pid"
	rt_mntwatch "$rt_dir"
	dmesg >"$rt_dir/dmesg.txt"
	[ -n "${RT_KEEP:-}" ] || rt_docker_cp_end
	[ -n "$rt_failed" ]
}

# rt_docker_cp_end: what rt_docker_cp leaves with RT_KEEP set (for a test
# that goes on with the full container): the container removed, the limit
# put back
rt_docker_cp_end() {
	docker rm -f my-mount-max >/dev/null 2>&1
	echo "$rt_old_max" >/proc/sys/fs/mount-max
}

# rt_restart_loop RUNTIME LIMIT STARTS DIR: a restart loop with a real
# runtime (podman, ctr, or cri: containerd's CRI plugin through crictl, a
# pod shop/restart-loop whose container loop is created again with the next
# attempt number after each exit, as the kubelet restarts it). A host directory /srv/loop-RUNTIME, its own shared
# tmpfs, is a volume of one container twice, rshared both times: at its own
# path and at a subdirectory of itself, as a service that wants a shared
# directory and a view of it inside does. With the container's rootfs
# propagation shared (what podman sets for an rshared volume, and what CRI
# sets for a Bidirectional one: ctr --rootfs-propagation rshared), the
# runtime's second bind lands in a peer of the host's directory, stays in the
# host's namespace when the container exits, and every start binds the grown
# tree again. The container (restart-loop) is started again and again, up
# to STARTS times with fs.mount-max=LIMIT, until a start fails. DIR gets
# starts.tsv (per start: status, the host's mountinfo lines, those under the
# directory, seconds), the module's tables and mntwatch's loops --json and
# check after each start (start-N/), the
# runtime's error text, its own view of the container (podman inspect and
# its storage's containers.json; ctr containers info, ctr tasks ls and the
# OCI bundle's config.json of the last start that made a task), /proc of the runtimes and of pid 1, mntwatch's
# answers and dmesg. Everything is removed and the limit put back at the end
# (host-after-cleanup: the host's mountinfo lines then), unless RT_KEEP is
# set: then the caller goes on and calls rt_restart_loop_end. Returns 0 when
# a start failed.
rt_restart_loop() {
	rt_rt=$1 rt_limit=$2 rt_starts=$3 rt_dir=$4
	rt_shared=/srv/loop-$rt_rt
	mkdir -p "$rt_dir" "$rt_shared"
	mount -t tmpfs "loop-$rt_rt" "$rt_shared" && mount --make-rshared "$rt_shared" || return 1
	rt_old_max=$(cat /proc/sys/fs/mount-max)
	echo "$rt_limit" >/proc/sys/fs/mount-max
	case $rt_rt in
	podman)
		set -- podman create --name restart-loop -v "$rt_shared:$rt_shared:rshared" \
			-v "$rt_shared:$rt_shared/inner:rshared" busybox true
		rt_start() { podman start -a restart-loop; }
		# conmon's cleanup unmounts the rootfs after start -a returns
		# (seen on 5.10): done here, so that the host is counted without it
		rt_stopped() { podman container cleanup restart-loop >/dev/null 2>&1; }
		;;
	ctr)
		set -- ctr -n default containers create --rootfs-propagation rshared \
			--mount "type=bind,src=$rt_shared,dst=$rt_shared,options=rbind:rshared" \
			--mount "type=bind,src=$rt_shared,dst=$rt_shared/inner,options=rbind:rshared" \
			docker.io/library/busybox:latest restart-loop true
		# started detached, since an attached ctr deletes the task, and with
		# it the bundle, when the process exits; the bundle is kept from
		# the last start that made a task
		rt_start() {
			ctr -n default tasks delete restart-loop >/dev/null 2>&1
			ctr -n default tasks start -d restart-loop || return 1
			cp /run/containerd/io.containerd.runtime.v2.task/default/restart-loop/config.json \
				"$rt_dir/bundle-config.json"
			rt_wait=0
			until ctr -n default tasks ls | grep -q '^restart-loop .*STOPPED' || [ $rt_wait -ge 100 ]; do
				sleep 0.1
				rt_wait=$((rt_wait + 1))
			done
		}
		# the stopped task's rootfs stays mounted in the host's
		# namespace until the task is deleted
		rt_stopped() { ctr -n default tasks delete restart-loop >/dev/null 2>&1; }
		;;
	cri)
		rt_cri_on
		rt_cri_pod "$rt_dir/pod.json" shop restart-loop 6f1c0d3e-5b2a-4c8e-9d7f-0a1b2c3d4e5f privileged
		rt_cri_mounts="[{\"host_path\": \"$rt_shared\", \"container_path\": \"$rt_shared\", \"propagation\": 2},
			{\"host_path\": \"$rt_shared\", \"container_path\": \"$rt_shared/inner\", \"propagation\": 2}]"
		set -- crictl runp "$rt_dir/pod.json"
		rt_cri_attempt=0 rt_cri_cid=''
		# as the kubelet restarts a container: a new one with the next
		# attempt number; the dead ones stay until the pod is removed
		# (the kubelet's garbage collection keeps the last one, and
		# comes a minute later: a crictl rm each would cost a client
		# start per attempt)
		rt_start() {
			rt_cri_container "$rt_dir/container.json" "$rt_dir/pod.json" loop $rt_cri_attempt "$rt_cri_mounts" sleep 1
			rt_cri_cid=$(crictl create "$(cat "$rt_dir/create.txt")" "$rt_dir/container.json" "$rt_dir/pod.json") ||
				return 1
			echo "$rt_cri_attempt $rt_cri_cid" >>"$rt_dir/attempts"
			rt_cri_attempt=$((rt_cri_attempt + 1))
			crictl start "$rt_cri_cid" || return 1
			cp "/run/containerd/io.containerd.runtime.v2.task/k8s.io/$rt_cri_cid/config.json" "$rt_dir/bundle-config.json"
			rt_cri_wait_exit "$rt_cri_cid"
		}
		;;
	*) echo "rt_restart_loop: runtime $rt_rt: podman, ctr or cri" >&2; return 2 ;;
	esac
	echo "$*" >"$rt_dir/commands"
	"$@" >"$rt_dir/create.txt" 2>&1 || { echo "$rt_old_max" >/proc/sys/fs/mount-max; return 1; }
	printf 'start\trc\thost_mounts\tunder_dir\tseconds\n' >"$rt_dir/starts.tsv"
	printf '0\t0\t%s\t%s\t0\n' "$(rt_count 1)" "$(grep -c " ${rt_shared}[ /]" /proc/1/mountinfo)" >>"$rt_dir/starts.tsv"
	rt_tables "$rt_dir/start-0"
	rt_failed=''
	rt_step=1
	while [ "$rt_step" -le "$rt_starts" ]; do
		rt_t0=$(rt_now)
		rt_start >"$rt_dir/start-$rt_step.txt" 2>&1
		rt_rc=$?
		printf '%s\t%s\t%s\t%s\t%s\n' "$rt_step" "$rt_rc" "$(rt_count 1)" \
			"$(grep -c " ${rt_shared}[ /]" /proc/1/mountinfo)" \
			"$(echo "$(rt_now) $rt_t0" | awk '{ printf "%.2f", $1 - $2 }')" >>"$rt_dir/starts.tsv"
		rt_tables "$rt_dir/start-$rt_step"
		rt_mw "$rt_dir/start-$rt_step" loops-json loops --json
		rt_mw "$rt_dir/start-$rt_step" check check
		if [ "$rt_rc" -ne 0 ]; then
			rt_failed=$rt_step
			cp "$rt_dir/start-$rt_step.txt" "$rt_dir/runtime-error.txt"
			break
		fi
		rt_step=$((rt_step + 1))
	done
	echo "$rt_failed" >"$rt_dir/failed-step"
	rt_last_event "$rt_dir"
	case $rt_rt in
	podman)
		podman inspect restart-loop >"$rt_dir/podman-inspect.json" 2>&1
		podman version >"$rt_dir/podman-version.txt" 2>&1
		cp /var/lib/containers/storage/overlay-containers/containers.json "$rt_dir/" 2>>"$rt_dir/errors"
		cp /var/lib/containers/storage/libpod/bolt_state.db "$rt_dir/" 2>>"$rt_dir/errors"
		;;
	ctr)
		ctr -n default containers info restart-loop >"$rt_dir/ctr-containers-info.json" 2>&1
		ctr -n default tasks ls >"$rt_dir/ctr-tasks-ls.txt" 2>&1
		ctr version >"$rt_dir/ctr-version.txt" 2>&1
		;;
	cri)
		crictl inspectp "$(cat "$rt_dir/create.txt")" >"$rt_dir/crictl-inspectp.json" 2>&1
		crictl inspect "$rt_cri_cid" >"$rt_dir/crictl-inspect.json" 2>&1
		crictl ps -a >"$rt_dir/crictl-ps.txt" 2>&1
		cp /var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db "$rt_dir/" 2>>"$rt_dir/errors"
		;;
	esac
	grep " ${rt_shared}[ /]" /proc/1/mountinfo | head -n 50 >"$rt_dir/host-mountinfo-head"
	rt_proc "$rt_dir/proc" $(rt_runtime_pids) 1
	rt_mntwatch "$rt_dir"
	dmesg >"$rt_dir/dmesg.txt"
	[ -n "${RT_KEEP:-}" ] || rt_restart_loop_end
	[ -n "$rt_failed" ]
}

# rt_restart_loop_end: what rt_restart_loop leaves with RT_KEEP set (for a
# test that goes on with the host's stacked copies and the container):
# the container and the directory's mounts removed, the limit put back
rt_restart_loop_end() {
	case $rt_rt in
	podman) podman rm -f restart-loop >/dev/null 2>&1 ;;
	ctr)
		ctr -n default tasks delete -f restart-loop >/dev/null 2>&1
		ctr -n default containers delete restart-loop >/dev/null 2>&1
		;;
	cri)
		crictl stopp "$(cat "$rt_dir/create.txt")" >/dev/null 2>&1
		crictl rmp "$(cat "$rt_dir/create.txt")" >/dev/null 2>&1
		;;
	esac
	umount -l "$rt_shared"
	echo "$rt_old_max" >/proc/sys/fs/mount-max
	rt_count 1 >"$rt_dir/host-after-cleanup"
}

# The CRI, as a kubelet drives containerd's CRI plugin, through crictl
# (selftests/crictl.py on PATH as crictl, or the real one). Pods share the
# node's network (no CNI) and sit in the cgroup the kubelet's cgroupfs driver
# gives a BestEffort pod; the labels and annotations are the kubelet's, and
# no hostname, which the kubelet sets only for a pod of its own network (runc
# refuses one in the node's UTS namespace).

# rt_cri_on: crictl on PATH (the test bed's client, unless one is there);
# the test bed's with its server (crictl.py --serve) running, so that a call
# costs no python start with grpc (seconds under TCG)
rt_cri_on() {
	if ! command -v crictl >/dev/null 2>&1; then
		printf '#!/bin/sh\nexec python3 /opt/mntwatch/bin/crictl.py "$@"\n' >/usr/local/bin/crictl &&
			chmod +x /usr/local/bin/crictl || return 1
	fi
	grep -q crictl.py "$(command -v crictl)" && [ ! -S /run/mntwatch-crictl.sock ] || return 0
	python3 /opt/mntwatch/bin/crictl.py --serve /run/mntwatch-crictl.sock </dev/null >/tmp/crictl-serve.log 2>&1 &
	echo $! >/run/mntwatch-crictl.pid
	rt_wait=0
	until [ -S /run/mntwatch-crictl.sock ] || [ $rt_wait -ge 200 ]; do
		sleep 0.1
		rt_wait=$((rt_wait + 1))
	done
}

# rt_cri_off: the server rt_cri_on started stopped
rt_cri_off() {
	[ -f /run/mntwatch-crictl.pid ] || return 0
	kill "$(cat /run/mntwatch-crictl.pid)" 2>/dev/null
	rm -f /run/mntwatch-crictl.pid /run/mntwatch-crictl.sock
}

# rt_cri_pod FILE NAMESPACE NAME UID [privileged]: a pod sandbox config;
# privileged when a container of it is (containerd refuses one otherwise)
rt_cri_pod() {
	rt_privileged=false
	[ "${5:-}" != privileged ] || rt_privileged=true
	cat >"$1" <<-JSON
	{
	  "metadata": { "name": "$3", "namespace": "$2", "uid": "$4", "attempt": 0 },
	  "log_directory": "/var/log/pods/$2_$3_$4",
	  "labels": { "io.kubernetes.pod.name": "$3", "io.kubernetes.pod.namespace": "$2",
	    "io.kubernetes.pod.uid": "$4" },
	  "annotations": { "kubernetes.io/config.source": "api" },
	  "linux": {
	    "cgroup_parent": "/kubepods/besteffort/pod$4",
	    "security_context": { "privileged": $rt_privileged,
	      "namespace_options": { "network": 2, "pid": 1, "ipc": 0 } }
	  }
	}
	JSON
}

# rt_cri_container FILE POD.json NAME ATTEMPT MOUNTS COMMAND...: a container
# config for the pod of POD.json; MOUNTS: a JSON list of CRI mounts (jq: a
# python start costs a second under TCG, and the loop writes one per attempt)
rt_cri_container() {
	rt_cc_file=$1 rt_cc_pod=$2 rt_cc_name=$3 rt_cc_attempt=$4 rt_cc_mounts=$5
	shift 5
	jq -n --slurpfile pod "$rt_cc_pod" --arg name "$rt_cc_name" --argjson attempt "$rt_cc_attempt" \
		--argjson mounts "$rt_cc_mounts" '$ARGS.positional as $cmd | $pod[0].metadata as $meta | {
		metadata: { name: $name, attempt: $attempt },
		image: { image: "docker.io/library/busybox:latest" },
		command: $cmd[:1], args: $cmd[1:],
		log_path: "\($name)/\($attempt).log",
		labels: { "io.kubernetes.container.name": $name, "io.kubernetes.pod.name": $meta.name,
			"io.kubernetes.pod.namespace": $meta.namespace, "io.kubernetes.pod.uid": $meta.uid },
		annotations: { "io.kubernetes.container.restartCount": ($attempt | tostring),
			"io.kubernetes.container.terminationMessagePath": "/dev/termination-log" },
		mounts: $mounts,
		linux: { security_context: { privileged: ($mounts | any(.propagation == 2)),
			namespace_options: $pod[0].linux.security_context.namespace_options } } }' \
		--args "$@" >"$rt_cc_file"
}

# rt_cri_state ID: the container's state as crictl inspect reports it
rt_cri_state() { crictl inspect "$1" 2>/dev/null | jq -r .status.state; }

# rt_cri_wait_exit ID: until the container has exited (10 s at most): its
# process first (the pid its shim wrote into the task's bundle; with no
# bundle the task is gone), with no client call per poll; then the CRI's word
rt_cri_wait_exit() {
	rt_wait_pid=$(cat "/run/containerd/io.containerd.runtime.v2.task/k8s.io/$1/init.pid" 2>/dev/null)
	rt_wait=0
	while [ -n "$rt_wait_pid" ] && [ -d "/proc/$rt_wait_pid" ] && [ $rt_wait -lt 100 ]; do
		sleep 0.1
		rt_wait=$((rt_wait + 1))
	done
	until [ "$(rt_cri_state "$1")" = CONTAINER_EXITED ] || [ $rt_wait -ge 100 ]; do
		sleep 0.5
		rt_wait=$((rt_wait + 5))
	done
}
