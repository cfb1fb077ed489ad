# SPDX-License-Identifier: GPL-2.0
# Kubernetes pods through containerd's own CRI plugin (Debian's containerd
# 1.6, runtime.v1), driven with crictl's command line as a kubelet drives the
# plugin: sourced by runtimes_vm.sh in the runtimes root with vmlib.sh and
# runtimes_lib.sh loaded. A pod running; the seed's "pod never starts"
# (crictl runp fails with ENOSPC at a lowered fs.mount-max); a Bidirectional
# hostPath restart loop (rt_restart_loop cri). mntwatch's answers are compared
# with what crictl inspectp and inspect say. Evidence in $MNTWATCH_OUT/cri-*
# (vmtest.sh -o) or /tmp/cri-*.

. runtimes_lib.sh

cri_out=${MNTWATCH_OUT:-/tmp}
task_dir=/run/containerd/io.containerd.runtime.v2.task/k8s.io

# same NAME GOT WANT: one TAP line, GOT and WANT printed when they differ
cri_same() {
	check "$1" sh -c 'echo "got:  $1"; echo "want: $2"; [ "$1" = "$2" ]' - "$2" "$3"
}

# cri_ns_json DIR NS KEYS: the row of namespace NS in DIR's mntwatch --json,
# KEYS (jq paths) joined by spaces
cri_ns_json() {
	jq -r ".namespaces[] | select(.ns == $2) | [$3] | map(tostring) | join(\" \")" "$1/mntwatch-ns-json.txt"
}

cri_running_pod() {
	TAP_PREFIX="cri pod: "
	dir=$cri_out/cri-pod
	mkdir -p "$dir"
	rt_cri_on
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	crictl version >"$dir/crictl-version.txt" 2>&1
	check "crictl version: containerd 1.6.x serves runtime.v1 on its socket" \
		sh -c 'cat "$1"; grep -qx "RuntimeName:  containerd" "$1" && grep -q "^RuntimeVersion:  1\.6\." "$1" &&
		grep -qx "RuntimeApiVersion:  v1" "$1"' - "$dir/crictl-version.txt"
	rt_cri_pod "$dir/pod.json" shop web-0 3f6b3a0e-2c1d-4a5b-8e9f-1a2b3c4d5e6f
	rt_cri_container "$dir/container.json" "$dir/pod.json" web 0 '[]' sleep 3600
	pod=$(crictl runp "$dir/pod.json" 2>"$dir/runp.err")
	cid=$(crictl create "$pod" "$dir/container.json" "$dir/pod.json" 2>"$dir/create.err")
	check "crictl runp, create, start: pod shop/web-0, container web" \
		sh -c 'cat "$1"/*.err; [ -n "$2" ] && [ -n "$3" ] && crictl start "$3"' - "$dir" "$pod" "$cid"
	crictl inspectp "$pod" >"$dir/crictl-inspectp.json" 2>&1
	crictl inspect "$cid" >"$dir/crictl-inspect.json" 2>&1
	cri_same "crictl pods --name web-0 -q, ps --pod POD -q: the ids runp and create printed" \
		"$(crictl pods --name '^web-0$' -q) $(crictl ps --pod "$pod" -q)" "$pod $cid"
	cri_same "crictl inspectp: shop/web-0, ready; inspect: web, attempt 0, running, in that pod" \
		"$(jq -r '[.status.metadata.namespace, .status.metadata.name, .status.state] | join(" ")' "$dir/crictl-inspectp.json") $(
			jq -r '[.status.metadata.name, .status.metadata.attempt, .status.state, .info.sandboxID] | map(tostring) | join(" ")' "$dir/crictl-inspect.json")" \
		"shop web-0 SANDBOX_READY web 0 CONTAINER_RUNNING $pod"
	cpid=$(jq -r .info.pid "$dir/crictl-inspect.json")
	spid=$(jq -r .info.pid "$dir/crictl-inspectp.json")
	for id in "$pod" "$cid"; do
		cp "$task_dir/$id/config.json" "$dir/bundle-$id.json" 2>>"$dir/errors"
	done
	cri_same "the task bundles: io.kubernetes.cri annotations of the sandbox and of the container" \
		"$(jq -r '.annotations | [."io.kubernetes.cri.container-type", ."io.kubernetes.cri.sandbox-namespace", ."io.kubernetes.cri.sandbox-name"] | join(" ")' "$dir/bundle-$pod.json") $(
			jq -r '.annotations | [."io.kubernetes.cri.container-type", ."io.kubernetes.cri.container-name", ."io.kubernetes.cri.sandbox-id"] | join(" ")' "$dir/bundle-$cid.json")" \
		"sandbox shop web-0 container web $pod"
	cri_same "the container's cgroup: the kubelet's cgroupfs parent, then the container's id" \
		"$(cut -d: -f3 "/proc/$cpid/cgroup")" "/kubepods/besteffort/pod3f6b3a0e-2c1d-4a5b-8e9f-1a2b3c4d5e6f/$cid"
	rt_proc "$dir/proc" "$cpid" "$spid" $(rt_runtime_pids) 1
	rt_mntwatch "$dir"
	cns=$(readlink "/proc/$cpid/ns/mnt" | tr -dc 0-9)
	sns=$(readlink "/proc/$spid/ns/mnt" | tr -dc 0-9)
	# what crictl says of the pod and the container, in mntwatch's order
	want_pod=$(jq -r '.status.metadata | [.namespace, .name, .uid] | join(" ")' "$dir/crictl-inspectp.json")
	want_ctr=$(jq -r '[.status.id, .status.metadata.name] | join(" ")' "$dir/crictl-inspect.json")
	cri_same "mntwatch --json: the container's namespace named as crictl inspect and inspectp name it" \
		"$(cri_ns_json "$dir" "$cns" '.runtime, .pod_namespace, .pod_name, .pod_uid, .container, .container_name, .container_type')" \
		"containerd $want_pod $want_ctr container"
	# containerd 1.6 passes none of the kubelet's container annotations into
	# the bundle (no container_annotations allowed by default): the attempt
	# is in containerd's metadata store only, where crictl inspect reads it
	cri_same "the task bundle has no restartCount: the attempt is not there" \
		"$(jq -r '.annotations."io.kubernetes.container.restartCount"' "$dir/bundle-$cid.json")" null
	cri_same "mntwatch --json: the container's and the sandbox's attempts from containerd's meta.db, as crictl inspect and inspectp report them" \
		"$(cri_ns_json "$dir" "$cns" .attempt) $(cri_ns_json "$dir" "$sns" .attempt)" \
		"$(jq -r .status.metadata.attempt "$dir/crictl-inspect.json") $(jq -r .status.metadata.attempt "$dir/crictl-inspectp.json")"
	cri_same "mntwatch --json: the sandbox's namespace, crictl inspectp's pod and id" \
		"$(cri_ns_json "$dir" "$sns" '.runtime, .pod_namespace, .pod_name, .pod_uid, .container, .container_type')" \
		"containerd $want_pod $pod sandbox"
	check "mntwatch: the default table shows the pod as shop/web-0" \
		sh -c 'grep -E "^ *$1 .* shop/web-0( |$)" "$2/mntwatch-ns.txt"' - "$cns" "$dir"
	crictl rm -f "$cid" >/dev/null 2>&1
	crictl stopp "$pod" >"$dir/stopp.txt" 2>&1
	crictl rmp "$pod" >"$dir/rmp.txt" 2>&1
	cri_same "crictl rm -f, stopp, rmp: no pod left" "$(cat "$dir/stopp.txt" "$dir/rmp.txt" | tr '\n' ' ')$(crictl pods -q)" \
		"Stopped sandbox $pod Removed sandbox $pod "
}

# the seed: with the node at its limit, the kubelet's RunPodSandbox fails
cri_pod_never_starts() {
	TAP_PREFIX="cri pod never starts: "
	dir=$cri_out/cri-enospc
	mkdir -p "$dir"
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	rt_cri_pod "$dir/pod.json" shop db-0 9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d
	old_max=$(cat /proc/sys/fs/mount-max)
	# the host's namespace full: its visible mounts and those above its root
	limit=$(($(rt_count 1) + $(hidden_ancestors)))
	echo "$limit" >/proc/sys/fs/mount-max
	echo "crictl runp $dir/pod.json" >"$dir/commands"
	crictl runp "$dir/pod.json" >"$dir/runp.txt" 2>&1
	rc=$?
	rt_tables "$dir"
	rt_last_event "$dir"
	rt_proc "$dir/proc" $(rt_runtime_pids) 1
	rt_mntwatch "$dir"
	echo "$old_max" >/proc/sys/fs/mount-max
	cp /var/log/containerd.log "$dir/containerd.log"
	crictl pods >"$dir/crictl-pods.txt" 2>&1
	echo "# crictl runp at fs.mount-max=$limit: exit $rc: $(cat "$dir/runp.txt")"
	check "crictl runp fails with containerd's ENOSPC" \
		sh -c '[ "$1" = 1 ] && grep -q "no space left on device" "$2"' - "$rc" "$dir/runp.txt"
	events=$dir/mntwatch-events-json.txt
	ev_get() { jq -r ".events[-1] | [$1] | map(tostring) | join(\" \")" "$events"; }
	cri_same "events: containerd failed in the host's namespace" \
		"$(ev_get '.comm, .caller_ns, .result')" "containerd $(readlink /proc/1/ns/mnt | tr -dc 0-9) -28"
	check "explain: the story of a namespace at its limit" grep -q "fs.mount-max" "$dir/mntwatch-explain.txt"
	# the sandbox is removed after the failure (crictl pods lists no
	# db-0, containerd's log names no id): explain can name containerd, the
	# caller, and the sandbox's id from the shm path, crictl's pod id
	sid=$(ev_get .target | sed -n 's|^/run/containerd/io.containerd.grpc.v1.cri/sandboxes/\([0-9a-f]\{64\}\)/shm$|\1|p')
	check "crictl pods: no pod db-0 after the failure" sh -c 'cat "$1"; grep -q "^POD ID" "$1" && ! grep -q " db-0 " "$1"' - "$dir/crictl-pods.txt"
	sid12=$(echo "$sid" | cut -c1-12)
	check "explain: containerd, the caller, asked for the mount" \
		grep -qE "^  containerd \(pid [0-9]+\) asked for 1 mount in namespace" "$dir/mntwatch-explain.txt"
	check "explain: the target in containerd's pod sandbox ${sid12:-?} from the shm path, removed since" \
		grep -qF "Its target lies in the files of containerd's pod sandbox ${sid12:-?} (the pod id" "$dir/mntwatch-explain.txt"
	check "the limit put back, a pod starts" sh -c 'p=$(crictl runp "$1") && crictl stopp "$p" && crictl rmp "$p"' - "$dir/pod.json"
	sed 's/^/#   /' "$dir/mntwatch-explain.txt"
}

cri_restart_loop() {
	TAP_PREFIX="cri restart loop: "
	dir=$cri_out/cri-loop
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	rt_restart_loop cri 300 8 "$dir"
	fail_step=$(cat "$dir/failed-step")
	echo "# cri: mounts under /srv/loop-cri per start: $(awk 'NR > 1 { printf "%s%s", s, $4; s = " " }' "$dir/starts.tsv"); failed at $fail_step"
	check "a start fails with ENOSPC within 8 attempts" \
		sh -c 'cat "$1/runtime-error.txt"; [ -n "$2" ] && grep -q "no space left on device" "$1/runtime-error.txt"' - "$dir" "$fail_step"
	cri_same "crictl inspect: the failed container is attempt $((fail_step - 1)) of loop in shop/restart-loop, StartError" \
		"$(jq -r '[.status.metadata.name, .status.metadata.attempt, .status.reason] | map(tostring) | join(" ")' "$dir/crictl-inspect.json") $(
			jq -r '[.status.metadata.namespace, .status.metadata.name] | join(" ")' "$dir/crictl-inspectp.json")" \
		"loop $((fail_step - 1)) StartError shop restart-loop"
	check "mountinfo: the host's mounts under /srv/loop-cri tripled at every start after the first" \
		awk -v f="$fail_step" 'NR > 3 && $1 < f && $4 != 3 * prev { bad = 1 } NR > 1 { prev = $4 } END { exit bad }' "$dir/starts.tsv"
	events=$dir/mntwatch-events-json.txt
	ev_get() { jq -r ".events[-1] | [$1] | map(tostring) | join(\" \")" "$events"; }
	# the failed container's task, and its bundle, are gone: the caller is
	# known by its cgroup, the kubelet's path of the pod's uid and the id
	cri_same "events: runc init failed binding /srv/loop-cri (MS_BIND|MS_REC), in the container crictl inspect names, in its pod's cgroup" \
		"$(ev_get '.comm, .syscall, .source, .flags, .result, .caller_container, .cgroup')" \
		"runc:[2:INIT] mount /srv/loop-cri 0x5000 -28 $(jq -r .status.id "$dir/crictl-inspect.json") /kubepods/besteffort/pod$(
			jq -r .status.metadata.uid "$dir/crictl-inspectp.json")/$(jq -r .status.id "$dir/crictl-inspect.json")"
	# its bundle gone with the failed start, the pod is named by its
	# sandbox's bundle, the container's name and attempt by containerd's
	# metadata store, where it stays until removed
	want_pod=$(jq -r '.status.metadata | "\(.namespace)/\(.name)"' "$dir/crictl-inspectp.json")
	want_name=$(jq -r .status.metadata.name "$dir/crictl-inspect.json")
	want_attempt=$(jq -r .status.metadata.attempt "$dir/crictl-inspect.json")
	cri_same "events --json: the failed container's runtime, pod, name and attempt as crictl inspectp and inspect report them" \
		"$(ev_get '.caller_runtime, .caller_pod, .caller_name, .caller_attempt')" \
		"containerd $want_pod $want_name $want_attempt"
	for line in "The caller ran in containerd container $want_name ($(jq -r '.status.id[:12]' "$dir/crictl-inspect.json"), pod $want_pod, restart attempt $want_attempt) then" \
		"from short-lived namespaces that bound a shared directory into itself. That is a restart"; do
		check "explain: $line" grep -qF -- "$line" "$dir/mntwatch-explain.txt"
	done
	sed 's/^/#   /' "$dir/mntwatch-explain.txt"
}

# cri_timed FUNCTION: FUNCTION, then its seconds as a "# cri:" line (the
# CRI section's cost in each line's runtimes boot)
cri_timed() {
	cri_t0=$(rt_now)
	"$1"
	cri_took=$(rt_since "$cri_t0")
	cri_total=$((cri_total + cri_took))
	echo "# cri: $1: $cri_took s"
}

cri_total=0
cri_timed cri_running_pod
cri_timed cri_pod_never_starts
cri_timed cri_restart_loop
rt_cri_off
echo "# cri: $cri_total s in all"
