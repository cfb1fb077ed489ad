# SPDX-License-Identifier: GPL-2.0
# Pods named as Kubernetes and podman name them, sourced by runtimes_vm.sh
# in the runtimes root (vmlib.sh loaded): a container started with the
# annotations a kubelet's CRI leaves (podman run --annotation), one in a pod
# of podman's own (podman pod create), one in a pod of podman kube play
# with its infra container, one whose annotations hold ESC and
# CR (podman cuts a value at its newline). mntwatch's POD, POD-NS, POD-NAME, POD-UID, CTR-NAME and
# ATTEMPT, in the table, in JSON and as metric labels, are compared with
# podman inspect and podman pod inspect. Evidence, in mntwatch's --proc and
# --debugfs layout (tools/tests/fixtures/real/pods), in $MNTWATCH_OUT/pods
# or /tmp/pods.
TAP_PREFIX="pods: "
pods_dir=${MNTWATCH_OUT:-/tmp}/pods
pods_uid=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
mkdir -p "$pods_dir"

# pods_ann NAME KEY: the annotation KEY podman inspect shows for NAME
pods_ann() { podman inspect -f "{{index .Config.Annotations \"$2\"}}" "$1"; }
# pods_ns NAME: the mount namespace of NAME's process
pods_ns() { readlink "/proc/$(podman inspect -f '{{.State.Pid}}' "$1")/ns/mnt" | tr -dc 0-9; }
# pods_row NS COLUMNS: mntwatch's row for NS, blanks squeezed
pods_row() { mntwatch -n -o "NS,$2" | awk -v ns="$1" '$1 == ns { $1 = $1; print }'; }
# pods_json_str S: S as mntwatch writes a JSON string's inside (a control
# or non-ASCII byte as \u00XX)
pods_json_str() {
	printf '%s' "$1" | od -An -v -tu1 | awk '{ for (i = 1; i <= NF; i++) {
		b = $i
		if (b < 32 || b >= 127) printf "\\u%04x", b
		else if (b == 34 || b == 92) printf "\\%c", b
		else printf "%c", b } }'
}
# pods_same WHAT GOT WANT
pods_same() { echo "mntwatch: $2"; echo "podman:   $3"; [ -n "$3" ] && [ "$2" = "$3" ]; }

podman run -d --name pods-web \
	--annotation io.kubernetes.cri.sandbox-name=web-0 \
	--annotation io.kubernetes.cri.sandbox-namespace=shop \
	--annotation io.kubernetes.cri.sandbox-uid=$pods_uid \
	--annotation io.kubernetes.cri.container-name=web \
	--annotation io.kubernetes.cri.container-type=container \
	--annotation io.kubernetes.pod.name=web-0 \
	--annotation io.kubernetes.pod.namespace=shop \
	--annotation io.kubernetes.pod.uid=$pods_uid \
	--annotation io.kubernetes.container.restartCount=3 \
	busybox sleep 3d >"$pods_dir/run-web.txt" 2>&1
podman pod create --infra=false --name shop-pod >"$pods_dir/pod-create.txt" 2>&1
podman run -d --pod shop-pod --name pods-member busybox sleep 3d >"$pods_dir/run-member.txt" 2>&1
podman run -d --name pods-hostile \
	--annotation "io.kubernetes.cri.sandbox-name=$(printf 'evil\033[31m-0\nline2')" \
	--annotation "io.kubernetes.cri.sandbox-namespace=$(printf 'ns\r\033]0;title\007')" \
	--annotation "io.kubernetes.cri.container-name=$(printf 'c\033[2Jtr')" \
	busybox sleep 3d >"$pods_dir/run-hostile.txt" 2>&1
for pods_c in pods-web pods-member pods-hostile; do podman inspect "$pods_c" >"$pods_dir/inspect-$pods_c.json" 2>&1; done
podman pod inspect shop-pod >"$pods_dir/pod-inspect.json" 2>&1

pods_web_ns=$(pods_ns pods-web)
pods_want="$pods_web_ns $(pods_ann pods-web io.kubernetes.cri.sandbox-namespace)/$(pods_ann pods-web io.kubernetes.cri.sandbox-name)"
pods_want="$pods_want $(pods_ann pods-web io.kubernetes.cri.sandbox-namespace) $(pods_ann pods-web io.kubernetes.cri.sandbox-name)"
pods_want="$pods_want $(pods_ann pods-web io.kubernetes.cri.sandbox-uid) $(pods_ann pods-web io.kubernetes.cri.container-name)"
pods_want="$pods_want $(pods_ann pods-web io.kubernetes.container.restartCount) podman"
check "the CRI's annotations name the pod shop/web-0, its uid, the container web, restart attempt 3 (podman inspect's)" \
	pods_same row "$(pods_row "$pods_web_ns" POD,POD-NS,POD-NAME,POD-UID,CTR-NAME,ATTEMPT,RUNTIME)" "$pods_want"
pods_want="{\"ns\": $pods_web_ns, \"pod_namespace\": \"shop\", \"pod_name\": \"web-0\", \"pod_uid\": \"$pods_uid\", \"container_name\": \"web\", \"attempt\": 3, \"name\": \"web\"}"
check "--json: pod_namespace, pod_name, pod_uid, container_name, attempt" \
	sh -c 'mntwatch -J -o NS,POD-NS,POD-NAME,POD-UID,CTR-NAME,ATTEMPT,NAME | tee /dev/stderr | grep -qF "$1"' - "$pods_want"
check "metrics: the pod's labels as ns names them" \
	sh -c 'mntwatch metrics | grep "^mntwatch_namespace_mounts{namespace=\"$1\"" | tee /dev/stderr |
		grep -qF "container_name=\"web\",runtime=\"podman\",image=\"docker.io/library/busybox:latest\",pod_namespace=\"shop\",pod_name=\"web-0\"}"' - "$pods_web_ns"

pods_member_ns=$(pods_ns pods-member)
pods_pod=$(podman pod inspect -f '{{.Name}}' "$(podman inspect -f '{{.Pod}}' pods-member)")
check "podman's own pod: POD and POD-NAME are podman pod inspect's name, POD-NS none" \
	pods_same row "$(pods_row "$pods_member_ns" POD,POD-NS,POD-NAME,NAME)" "$pods_member_ns $pods_pod - $pods_pod pods-member"

# A Pod of Kubernetes YAML as podman kube play runs it, with an infra
# container (the sandbox image, as the CRI's). Debian's podman 4.3.1, built
# on runc 1.1.5's libcontainer, gives a pod's own cgroup (cgroupfs, cgroup
# v2) a device filter that denies every device, so no container of it can
# open /dev/null (podman 5.0 sets SkipDevices, commit 6a727fdbee): the pod
# is played stopped, its empty cgroup removed, then started.
podman load -q -i /usr/local/share/mntwatch/pause-image.tar >/dev/null 2>&1
mkdir -p /etc/containers/containers.conf.d
printf '[engine]\ninfra_image = "localhost/pause:busybox"\n' >/etc/containers/containers.conf.d/90-pause.conf
cat >"$pods_dir/kube.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: kube-web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: docker.io/library/busybox:latest
    command: ["sleep", "3d"]
YAML
podman kube play --network none --start=false "$pods_dir/kube.yaml" >"$pods_dir/kube-play.txt" 2>&1
rmdir "/sys/fs/cgroup$(podman pod inspect -f '{{.CgroupPath}}' kube-web)" 2>>"$pods_dir/kube-play.txt"
podman pod start kube-web >>"$pods_dir/kube-play.txt" 2>&1
podman pod inspect kube-web >"$pods_dir/kube-pod-inspect.json" 2>&1
pods_kube_infra=$(jq -r .InfraContainerID "$pods_dir/kube-pod-inspect.json")
# one podman inspect a container (each podman call costs about a second here)
for pods_c in kube-web-web "$pods_kube_infra"; do
	podman inspect "$pods_c" >"$pods_dir/kube-inspect.json" 2>&1
	read -r pods_name pods_pod pods_pid <<EOF_INSPECT
$(jq -r --slurpfile pod "$pods_dir/kube-pod-inspect.json" '.[0] |
	[.Name, (if .Pod == $pod[0].Id then $pod[0].Name else "not-kube-web:" + .Pod end), .State.Pid] |
	join(" ")' "$pods_dir/kube-inspect.json")
EOF_INSPECT
	mv "$pods_dir/kube-inspect.json" "$pods_dir/inspect-$pods_name.json"
	pods_c_ns=$(readlink "/proc/$pods_pid/ns/mnt" | tr -dc 0-9)
	check "kube play: POD and POD-NAME of $pods_name are podman pod inspect's name ($pods_pod), POD-NS none" \
		pods_same row "$(pods_row "$pods_c_ns" POD,POD-NS,POD-NAME,NAME,RUNTIME)" \
		"$pods_c_ns $pods_pod - $pods_pod $pods_name podman"
done

pods_hostile_ns=$(pods_ns pods-hostile)
for pods_o in "" "-o NS,POD,POD-NS,POD-NAME,CTR-NAME,NAME" metrics; do
	# shellcheck disable=SC2086
	mntwatch $pods_o >"$pods_dir/hostile.out" 2>&1
	check "mntwatch ${pods_o:-ns}: ESC, CR and newline of annotations reach no terminal" \
		sh -c '! LC_ALL=C grep -n "$(printf "[\001-\010\013-\037\177]")" "$1" | cat -v | grep .' - "$pods_dir/hostile.out"
done
pods_hostile_json="{\"ns\": $pods_hostile_ns"
for pods_k in pod_namespace:sandbox-namespace pod_name:sandbox-name container_name:container-name; do
	pods_hostile_json="$pods_hostile_json, \"${pods_k%%:*}\": \"$(pods_json_str "$(pods_ann pods-hostile "io.kubernetes.cri.${pods_k#*:}")")\""
done
check "--json: the hostile names escaped, byte for byte as podman inspect keeps them" \
	sh -c 'mntwatch -J -o NS,POD-NS,POD-NAME,CTR-NAME | tee /dev/stderr | grep -qF "$1}"' - "$pods_hostile_json"

# the evidence, as tools/tests/fixtures/real/pods keeps it
pods_keep() { mkdir -p "$1$(dirname "$2")" && cat "$2" >"$1$2"; }
pods_fx=$pods_dir/fixture
mkdir -p "$pods_fx/debugfs" "$pods_fx/proc/sys/fs"
for pods_f in namespaces events growth status; do cat "/sys/kernel/debug/mntwatch/$pods_f" >"$pods_fx/debugfs/$pods_f"; done
cat /proc/sys/fs/mount-max >"$pods_fx/proc/sys/fs/mount-max"
for pods_p in 1 $(pgrep -x conmon) $(pgrep -x sleep); do
	mkdir -p "$pods_fx/proc/$pods_p/ns"
	for pods_f in comm cgroup cmdline mountinfo; do cat "/proc/$pods_p/$pods_f" >"$pods_fx/proc/$pods_p/$pods_f"; done
	ln -s "$(readlink /proc/$pods_p/ns/mnt)" "$pods_fx/proc/$pods_p/ns/mnt"
done
pods_root=$pods_fx/proc/$(pgrep -x conmon | sort -n | head -n1)/root
pods_store=/var/lib/containers/storage
pods_keep "$pods_root" $pods_store/overlay-containers/containers.json
pods_keep "$pods_root" $pods_store/libpod/bolt_state.db
for pods_c in pods-web pods-member pods-hostile kube-web-web "$pods_kube_infra"; do
	pods_keep "$pods_root" "$pods_store/overlay-containers/$(podman inspect -f '{{.Id}}' "$pods_c")/userdata/config.json"
done
mntwatch -J >"$pods_dir/mntwatch-ns.json" 2>&1
podman rm -f -t 0 pods-web pods-member pods-hostile >/dev/null 2>&1
podman pod rm -f -t 0 shop-pod kube-web >/dev/null 2>&1
rm -f /etc/containers/containers.conf.d/90-pause.conf
