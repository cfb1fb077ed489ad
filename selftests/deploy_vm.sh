#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the runtimes root (selftests/deploy_e2e.sh boots it): the
# DaemonSet's two containers from the image make image wrote, run by podman,
# then as one pod through containerd's CRI plugin (crictl, as the kubelet
# runs it), with exactly what deploy/kubernetes/daemonset.yaml gives them
# (daemonset.sh, derived from the YAML by daemonset_run.py), with Debian's
# prometheus-node-exporter serving the textfile directory. Asserts what the
# node shows: the image loaded under its tag and digest, the module loaded by
# the loader and a rerun that changes nothing, mntwatch_module_loaded 1 and
# the build info on /metrics, a running container's namespace labelled with
# its container's id and with its name as podman inspect gives it, a provoked
# ENOSPC on /metrics, the metrics file refreshed and removed with the
# container; the CRI's pod and containers as crictl inspectp and inspect
# report them (names, mounts and their propagation in the OCI spec) and its
# series labelled with that pod; on the lines e2e.env names, the loader's build against the
# node's headers; last (it cannot be undone), the lockdown refusal. The
# scrapes go out through $MNTWATCH_OUT for promtool on the host.
# Every result is one TAP line.
. vmlib.sh
. e2e.env
. daemonset.sh
TAP_PREFIX="deploy: "
bin=/opt/mntwatch/bin
out=${MNTWATCH_OUT:-/tmp/deploy-out}
mkdir -p "$out"
rel=$(uname -r)
mw=/sys/module/mntwatch

# say_run WHAT RC FILE: what a container said, as TAP comments
say_run() { echo "# $1: exit $2"; sed 's/^/#   /' "$3"; }

# scrape NAME: node_exporter's /metrics into $out/NAME.prom, and when
scrape() {
	busybox wget -q -O "$out/$1.prom" http://127.0.0.1:9100/metrics && date +%s >"$out/$1.time"
}

# sample NAME REGEX FILE: the value of the first sample of NAME whose labels match REGEX
sample() {
	grep "^$1{.*$2" "$3" | head -n1 | awk '{ print $NF }'
}

# until_scrape NAME SECONDS PATTERN: scrape until PATTERN (grep -E) is in it
until_scrape() {
	i=0
	while [ $i -lt "$2" ]; do
		scrape "$1" && grep -Eq "$3" "$out/$1.prom" && return 0
		sleep 1
		i=$((i + 1))
	done
	echo "no line matching '$3' in /metrics after $2 s:"
	grep -e '^mntwatch' "$out/$1.prom" | head -n 20
	return 1
}

# ns_label FILE NS NAME: the value of label NAME on namespace NS's
# mntwatch_namespace_mounts in the scrape FILE
ns_label() {
	grep "^mntwatch_namespace_mounts{.*namespace=\"$2\"" "$1" | head -n1 |
		sed -n "s/.*[{,]$3=\"\([^\"]*\)\".*/\1/p"
}

# same GOT WANT: both printed, true when equal
same() { echo "got:  $1"; echo "want: $2"; [ "$1" = "$2" ]; }

# cri_spec CONFIG INSPECT: each mount of crictl create's CONFIG as
# containerd's OCI spec (crictl inspect) has it, with its host path, ro or rw
# and propagation (the CRI's 0, 1, 2: rprivate, rslave, rshared); the root's
# read-only flag and the user as CONFIG asks; the pid namespace the spec
# joins (containerd joins the sandbox's for NODE) the node's when CONFIG asks
# NODE (hostPID)
cri_spec() {
	jq -r -n --slurpfile cfg "$1" --slurpfile ins "$2" '
		["rprivate", "rslave", "rshared"] as $prop | $cfg[0] as $c | $ins[0].info.runtimeSpec as $s |
		($c.mounts[] | . as $m | (if $m.readonly then "ro" else "rw" end) as $ro |
			([$s.mounts[] | select(.destination == $m.container_path)] | last) as $got |
			"\($m.container_path): \($m.host_path) \($ro),\($prop[$m.propagation]) -> \($got.source) \($got.options | join(","))" +
			(if $got.source == $m.host_path and ($got.options | index($ro)) and ($got.options | index($prop[$m.propagation]))
			 then "" else " WRONG" end)),
		"root read-only: \($s.root.readonly == true)" +
			(if ($s.root.readonly == true) == $c.linux.security_context.readonly_rootfs then "" else " WRONG" end),
		"user: \($s.process.user.uid)" + (if $s.process.user.uid == $c.linux.security_context.run_as_user.value then "" else " WRONG" end)
	' >/tmp/cri-spec.out 2>&1
	# none in the spec: the shim's, which is the node's
	cri_pidns=$(jq -r '[.info.runtimeSpec.linux.namespaces[] | select(.type == "pid")] |
		if length == 0 then "/proc/1/ns/pid" else .[0].path // "own" end' "$2")
	[ "$cri_pidns" = own ] || cri_pidns=$(readlink "$cri_pidns")
	echo "pid namespace: $cri_pidns, the node's $(readlink /proc/1/ns/pid)" >>/tmp/cri-spec.out
	[ "$(jq '.linux.security_context.namespace_options.pid' "$1")" != 2 ] || [ "$cri_pidns" = "$(readlink /proc/1/ns/pid)" ] ||
		echo "pid namespace: not the node's WRONG" >>/tmp/cri-spec.out
	cat /tmp/cri-spec.out
	[ -s /tmp/cri-spec.out ] && ! grep -q 'WRONG$' /tmp/cri-spec.out && [ "$(grep -c ' -> ' /tmp/cri-spec.out)" = "$(jq '.mounts | length' "$1")" ]
}

# the build id of the module the kernel holds (the end of its note)
loaded_build_id() { od -An -tx1 -v $mw/notes/.note.gnu.build-id | tr -d ' \n' | tail -c 40; }

# the same module instance: its text where it was, its core as large
module_identity() { cat $mw/sections/.text $mw/coresize $mw/srcversion 2>/dev/null | tr '\n' ' '; }

echo "# node: $rel, $(podman --version), containerd $(ctr version | awk '/Version:/ { v = $2 } END { print v }')," \
	"$(prometheus-node-exporter --version 2>&1 | head -n1)"
check "the node has no mntwatch loaded yet" test ! -e $mw
mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
check "securityfs shows the lockdown state: none" grep -q '^\[none\] integrity confidentiality$' /sys/kernel/security/lockdown

# --- node_exporter on the DaemonSet's textfile directory ---
# the VM has no network, and its loopback is down until someone raises it
busybox ip link set lo up
check "the pod's volumes exist on the node as the kubelet makes them" ds_volumes
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$DS_TEXTFILE" >/tmp/node-exporter.log 2>&1 &
exporter=$!
check "prometheus-node-exporter serves /metrics on the textfile directory" until_scrape empty 30 '^node_exporter_build_info'

# --- the image, into podman and containerd ---
t0=$(date +%s)
check "podman load -i takes the archive" podman load -i $bin/"$E2E_ARCHIVE"
t1=$(date +%s)
check "ctr images import takes the archive" ctr -n k8s.io images import $bin/"$E2E_ARCHIVE"
t2=$(date +%s)
echo "# podman load $((t1 - t0)) s, ctr images import $((t2 - t1)) s"
check "podman names it $DS_IMAGE, its id the config's digest" \
	sh -c '[ "sha256:$(podman image inspect -f "{{.Id}}" "$1")" = "$2" ]' - "$DS_IMAGE" "$E2E_CONFIG"
check "containerd names it $DS_IMAGE, its target the manifest's digest" \
	sh -c 'ctr -n k8s.io images ls | awk -v r="$1" "\$1 == r { print \$3 }" | grep -qx "$2"' - "$DS_IMAGE" "$E2E_MANIFEST"

# --- the init container: the loader ---
ds_podman_load --rm --name mntwatch-load >/tmp/load.out 2>&1
rc=$?
say_run "podman: the init container" $rc /tmp/load.out
check "the loader (podman, the init container's flags) exits 0 and says what it loaded" \
	grep -qx "mntwatch-load: loaded mntwatch $E2E_VERSION on $rel (prebuilt for $rel)" /tmp/load.out
check "the kernel has mntwatch $E2E_VERSION: the image's module for $rel (build id $E2E_BUILD_ID)" \
	sh -c '[ "$(cat /sys/module/mntwatch/version)" = "$1" ] && [ "$2" = "$3" ]' - \
	"$E2E_VERSION" "$(loaded_build_id)" "$E2E_BUILD_ID"
before=$(module_identity)
# unchanged DESCRIPTION RC OUT: the loader exited 0, said nothing to do, and
# the module loaded is the one that was
unchanged() {
	check "$1" sh -c '
		[ "$1" = 0 ] && grep -qx "mntwatch-load: mntwatch $2 is already loaded on $3: nothing to do" "$4" &&
		[ "$5" = "$6" ]
	' - "$2" "$E2E_VERSION" "$rel" "$3" "$(module_identity)" "$before"
}
ds_podman_load --rm --name mntwatch-load >/tmp/load2.out 2>&1
rc=$?
say_run "podman: the init container again" $rc /tmp/load2.out
unchanged "a rerun (podman) changes nothing: exit 0, nothing to do, the same module" $rc /tmp/load2.out

# --- the metrics container ---
check "the metrics container starts (podman, detached)" ds_podman_metrics -d --name mntwatch-metrics
check "its exposition reaches /metrics: mntwatch_module_loaded 1" until_scrape up 40 '^mntwatch_module_loaded 1$'
check "mntwatch_build_info names the version, the kernel and the loaded module" \
	grep -qx "mntwatch_build_info{kernel=\"$rel\",module_version=\"$E2E_VERSION\",version=\"$E2E_VERSION\"} 1" "$out/up.prom"
check "mntwatch_last_write_timestamp_seconds is this minute's, node_textfile_scrape_error 0" sh -c '
	ts=$(sed -n "s/^mntwatch_last_write_timestamp_seconds //p" "$1" | awk "{ printf \"%d\", \$1 }")
	now=$(date +%s)
	[ -n "$ts" ] && [ $((now - ts)) -lt 60 ] && grep -qx "node_textfile_scrape_error 0" "$1"' - "$out/up.prom"

# a running container's mount namespace, labelled with it and named as podman names it
podman run -d --name e2e-sleeper busybox sleep 100000 >/dev/null
sleeper_pid=$(podman inspect -f '{{.State.Pid}}' e2e-sleeper)
sleeper_id=$(podman inspect -f '{{.Id}}' e2e-sleeper)
sleeper_name=$(podman inspect -f '{{.Name}}' e2e-sleeper)
sleeper_image=$(podman inspect -f '{{.ImageName}}' e2e-sleeper)
sleeper_ns=$(readlink /proc/"$sleeper_pid"/ns/mnt | tr -dc 0-9)
check "container e2e-sleeper's namespace $sleeper_ns is a series labelled with the container" \
	until_scrape sleeper 40 "^mntwatch_namespace_mounts\\{.*container=\"$sleeper_id\".*namespace=\"$sleeper_ns\".*\\} [0-9]+\$"
# sleeper_label NAME: the value of label NAME on e2e-sleeper's mntwatch_namespace_mounts
sleeper_label() { ns_label "$out/sleeper.prom" "$sleeper_ns" "$1"; }
check "the series names the container as podman inspect does: container_name=\"$sleeper_name\", runtime podman, image $sleeper_image" \
	sh -c '[ "$1" = e2e-sleeper ] && [ "$2" = "$1" ] && [ "$3" = podman ] && [ "$4" = "$5" ] && [ -z "$6$7" ] ||
		{ echo "podman inspect: $1, image $5; the series:"; grep "^mntwatch_namespace_mounts{.*namespace=\"$8\"" "$9"; exit 1; }' - \
	"$sleeper_name" "$(sleeper_label container_name)" "$(sleeper_label runtime)" "$(sleeper_label image)" "$sleeper_image" \
	"$(sleeper_label pod_name)" "$(sleeper_label pod_namespace)" "$sleeper_ns" "$out/sleeper.prom"
check "mntwatch_namespace_processes of e2e-sleeper's namespace is 1" \
	sh -c '[ "$(grep "^mntwatch_namespace_processes{.*namespace=\"$1\"" "$2" | awk "{ print \$NF }")" = 1 ]' - \
	"$sleeper_ns" "$out/sleeper.prom"
scrape before-enospc

# --- a provoked ENOSPC: a shared tree bound into itself in a container ---
max=$(cat /proc/sys/fs/mount-max)
most=$(for f in /proc/[0-9]*/mountinfo; do wc -l <"$f" 2>/dev/null; done | sort -n | tail -n1)
limit=$((most + 200))
echo "$limit" >/proc/sys/fs/mount-max
podman run -d --name e2e-loop --privileged busybox sh -c '
	mkdir -p /ctr && mount -t tmpfs loop /ctr && mount --make-shared /ctr && mkdir /ctr/copy
	while mount --rbind /ctr /ctr/copy 2>/tmp/err; do :; done
	cat /tmp/err
	exec sleep 100000' >/dev/null
loop_pid=$(podman inspect -f '{{.State.Pid}}' e2e-loop)
loop_id=$(podman inspect -f '{{.Id}}' e2e-loop)
loop_name=$(podman inspect -f '{{.Name}}' e2e-loop)
loop_ns=$(readlink /proc/"$loop_pid"/ns/mnt | tr -dc 0-9)
i=0
while [ $i -lt 60 ] && ! podman logs e2e-loop 2>&1 | grep -q 'No space left on device'; do sleep 1; i=$((i + 1)); done
echo "$max" >/proc/sys/fs/mount-max
check "the container's mount --rbind loop failed with ENOSPC under fs.mount-max=$limit" \
	sh -c 'podman logs e2e-loop 2>&1 | grep "No space left on device"'
check "the ENOSPC reached /metrics: mntwatch_namespace_enospc_total 1 for e2e-loop's namespace $loop_ns" \
	until_scrape enospc 40 "^mntwatch_namespace_enospc_total\\{.*container=\"$loop_id\".*namespace=\"$loop_ns\".*\\} 1\$"
check "with its time (mntwatch_namespace_last_enospc_timestamp_seconds) and mntwatch_events_total" sh -c '
	ts=$(grep "^mntwatch_namespace_last_enospc_timestamp_seconds{.*namespace=\"$1\"" "$2" | awk "{ printf \"%d\", \$NF }")
	ev=$(sed -n "s/^mntwatch_events_total //p" "$2")
	[ -n "$ts" ] && [ $(($(date +%s) - ts)) -lt 120 ] && [ "${ev:-0}" -ge 1 ]' - "$loop_ns" "$out/enospc.prom"
{
	echo "E2E_LOOP_NS=$loop_ns"
	echo "E2E_LOOP_ID=$loop_id"
	echo "E2E_LOOP_NAME=$loop_name"
	echo "E2E_SLEEPER_NS=$sleeper_ns"
	echo "E2E_SLEEPER_ID=$sleeper_id"
	echo "E2E_RELEASE=$rel"
} >"$out/ids"

# --- the metrics container goes, and its file with it ---
podman stop -t 10 mntwatch-metrics >/dev/null
check "the metrics container stopped: its file is gone (no stale data left behind)" test ! -e "$DS_TEXTFILE/$DS_TEXTFILE_NAME"
podman rm mntwatch-metrics >/dev/null

# --- the DaemonSet's pod through containerd's CRI plugin, as the kubelet runs it ---
# crictl as runtimes_lib.sh puts it on PATH (selftests/crictl.py, unless a
# real one is there); the configs come from the YAML (daemonset.sh)
. runtimes_lib.sh
rt_cri_on
cri=$out/cri-ds
mkdir -p "$cri"
cri_t0=$(date +%s)
# the kubelet's init container on a node without the module: insmod from a
# container containerd made, with the YAML's privileges and mounts
check "rmmod mntwatch: the CRI's init container starts from a node without it" rmmod mntwatch
ds_cri_pod "$cri/pod.json"
ds_cri_load "$cri/load.json"
ds_cri_metrics "$cri/metrics.json"
cri_pod=$(crictl runp "$cri/pod.json" 2>"$cri/runp.err")
crictl inspectp "$cri_pod" >"$cri/inspectp.json" 2>&1
check "crictl runp: the DaemonSet's pod as crictl inspectp reports it: $DS_CRI_POD_NAMESPACE/$DS_CRI_POD_NAME, ready, the node's pid namespace (hostPID)" \
	same "$(cat "$cri/runp.err"; jq -r '.status | [.metadata.namespace, .metadata.name, .metadata.uid, .state,
		.linux.namespaces.options.pid] | join(" ")' "$cri/inspectp.json")" \
	"$DS_CRI_POD_NAMESPACE $DS_CRI_POD_NAME $DS_CRI_POD_UID SANDBOX_READY NODE"
# the init container first: created, started, and waited for, as the kubelet
# does before it creates the pod's other containers
cri_load=$(crictl create "$cri_pod" "$cri/load.json" "$cri/pod.json" 2>"$cri/load-create.err")
crictl start "$cri_load" >"$cri/load-start.out" 2>&1
rt_cri_wait_exit "$cri_load"
crictl inspect "$cri_load" >"$cri/load-inspect.json" 2>&1
cri_rc=$(jq -r .status.exitCode "$cri/load-inspect.json")
# the CRI's log lines: time, stream, P(artial) or F(ull), then the text
sed 's/^[^ ]* [^ ]* [^ ]* //' "$(jq -r .status.logPath "$cri/load-inspect.json")" >"$cri/load.out" 2>&1
say_run "CRI: the init container" "$cri_rc" "$cri/load.out"
check "crictl inspect: the init container load exited in the pod crictl runp made" \
	same "$(cat "$cri/load-create.err"; jq -r '[.status.metadata.name, .status.state, .info.sandboxID] | join(" ")' "$cri/load-inspect.json")" \
	"load CONTAINER_EXITED $cri_pod"
check "the loader run through the CRI (the init container, crictl create and start) loads the image's module for $rel: exit 0, build id $E2E_BUILD_ID" \
	sh -c '[ "$1" = 0 ] && grep -qx "mntwatch-load: loaded mntwatch $2 on $3 (prebuilt for $3)" "$4" &&
		[ "$(cat /sys/module/mntwatch/version)" = "$2" ] && [ "$5" = "$6" ]' - \
	"$cri_rc" "$E2E_VERSION" "$rel" "$cri/load.out" "$(loaded_build_id)" "$E2E_BUILD_ID"
check "the init container as containerd's OCI spec has it: the YAML's mounts (host path, read-only, propagation), the node's pid namespace, a read-only root, user 0" \
	cri_spec "$cri/load.json" "$cri/load-inspect.json"
cri_metrics=$(crictl create "$cri_pod" "$cri/metrics.json" "$cri/pod.json" 2>"$cri/metrics-create.err")
check "then the metrics container starts through the CRI" \
	sh -c 'cat "$1"; [ -n "$2" ] && crictl start "$2" >/dev/null' - "$cri/metrics-create.err" "$cri_metrics"
crictl inspect "$cri_metrics" >"$cri/metrics-inspect.json" 2>&1
check "the metrics container as containerd's OCI spec has it: debugfs HostToContainer (rslave), read-only; the textfile directory; the node's pid namespace" \
	cri_spec "$cri/metrics.json" "$cri/metrics-inspect.json"
cri_ns=$(readlink /proc/"$(jq -r .info.pid "$cri/metrics-inspect.json")"/ns/mnt | tr -dc 0-9)
cri_sandbox_ns=$(readlink /proc/"$(jq -r .info.pid "$cri/inspectp.json")"/ns/mnt | tr -dc 0-9)
check "node_exporter serves what the CRI's metrics container wrote: its own namespace $cri_ns" \
	until_scrape cri 40 "^mntwatch_namespace_mounts\\{.*namespace=\"$cri_ns\".*\\} [0-9]+\$"
# cri_labels NS: the pod's and the container's labels of namespace NS's series
cri_labels() {
	for l in pod_namespace pod_name pod container container_name image runtime; do
		printf '%s ' "$(ns_label "$out/cri.prom" "$1" $l)"
	done
}
cri_want_pod=$(jq -r '.status.metadata | [.namespace, .name, .uid] | join(" ")' "$cri/inspectp.json")
check "mntwatch_module_loaded 1; the series of that namespace names the pod and the container as crictl inspectp and inspect do (pod_namespace, pod_name, pod uid; id, name, image; runtime)" \
	same "$(grep -qx 'mntwatch_module_loaded 1' "$out/cri.prom" && cri_labels "$cri_ns")" \
	"$cri_want_pod $(jq -r '[.status.id, .status.metadata.name, .status.image.image] | join(" ")' "$cri/metrics-inspect.json") containerd "
check "and the pod's sandbox namespace $cri_sandbox_ns: the same pod, crictl runp's sandbox id" \
	same "$(cri_labels "$cri_sandbox_ns" | cut -d' ' -f1-4)" "$cri_want_pod $cri_pod"
grep -e "^mntwatch_namespace_mounts{.*namespace=\"$cri_ns\"" -e "^mntwatch_namespace_mounts{.*namespace=\"$cri_sandbox_ns\"" \
	"$out/cri.prom" | sed 's/^/# /'
crictl stop -t 10 "$cri_metrics" >"$cri/stop.out" 2>&1
check "stopped through the CRI (crictl stop, the kubelet's StopContainer with a grace period), it removes its file" \
	sh -c 'cat "$1"; test ! -e "$2"' - "$cri/stop.out" "$DS_TEXTFILE/$DS_TEXTFILE_NAME"
crictl rmp -f "$cri_pod" >/dev/null 2>&1
rt_cri_off
echo "# the DaemonSet's pod through the CRI: $(($(date +%s) - cri_t0)) s"
podman rm -f -t 0 e2e-loop e2e-sleeper >/dev/null 2>&1
kill $exporter

# --- the build path: the node's headers mounted, no prebuilt module ---
if [ "$E2E_BUILD" = 1 ]; then
	check "rmmod mntwatch before the build" rmmod mntwatch
	tar -xf $bin/"$E2E_HEADERS" -C / && ln -sfn "/usr/src/linux-headers-$rel" "/lib/modules/$rel/build"
	t0=$(date +%s)
	DS_ENV_MNTWATCH_LOAD_OPTIONS="--modules /nonexistent" ds_podman_load --rm --name mntwatch-load >/tmp/build.out 2>&1
	rc=$?
	say_run "podman: the init container, no prebuilt module" $rc /tmp/build.out
	check "the loader builds mntwatch.ko against the node's headers with the image's gcc 12 ($(($(date +%s) - t0)) s) and loads it" \
		grep -qx "mntwatch-load: loaded mntwatch $E2E_VERSION on $rel (built against /lib/modules/$rel/build with gcc 12)" /tmp/build.out
	check "the module loaded is the one built here, mntwatch $E2E_VERSION of the same sources (srcversion $E2E_SRCVERSION)" \
		sh -c '[ "$(cat /sys/module/mntwatch/version)" = "$1" ] && [ "$(cat /sys/module/mntwatch/srcversion)" = "$2" ] &&
			[ "$3" != "$4" ] && echo "build id $3, the prebuilt $4"' - \
		"$E2E_VERSION" "$E2E_SRCVERSION" "$(loaded_build_id)" "$E2E_BUILD_ID"
	check "the built module works: status format 1" grep -qx 'format 1' /sys/kernel/debug/mntwatch/status
fi

# --- last, since lockdown cannot be lowered again: the loader refuses ---
[ ! -e $mw ] || rmmod mntwatch
echo integrity >/sys/kernel/security/lockdown
check "lockdown raised to integrity" grep -q '^none \[integrity\] confidentiality$' /sys/kernel/security/lockdown
ds_podman_load --rm --name mntwatch-load >/tmp/lockdown.out 2>&1
rc=$?
say_run "podman: the init container under lockdown" $rc /tmp/lockdown.out
check "under lockdown the loader refuses: exit 1, one line that says to sign, nothing loaded" sh -c '
	[ "$1" = 1 ] && [ "$(wc -l </tmp/lockdown.out)" = 1 ] && [ ! -e /sys/module/mntwatch ] &&
	grep -q "^mntwatch-load: kernel lockdown is integrity: the kernel loads only signed modules; give --sign-key KEY --sign-cert CERT" /tmp/lockdown.out' - $rc
podman run --rm --entrypoint cat "$DS_IMAGE" "/usr/lib/mntwatch/modules/$rel/mntwatch.ko" >/tmp/unsigned.ko
check "and rightly: the kernel refuses the image's unsigned module under lockdown" sh -c '
	! insmod /tmp/unsigned.ko 2>/tmp/insmod.err && cat /tmp/insmod.err && [ ! -e /sys/module/mntwatch ]'
echo "1..$n"
[ "$failed" -eq 0 ]
