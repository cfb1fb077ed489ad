#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the runtimes root (selftests/vmtest.sh -r runtimes), one step of
# make check per kernel line: the test bed itself works, with the module
# loaded, before any scenario runs on it. Every result is one TAP line.
. vmlib.sh
dbg=/sys/kernel/debug/mntwatch
TAP_PREFIX="runtimes: "

# the same image id from the three runtimes' own answers: the config digest
# the archive was built with (docker and podman name images by it; ctr shows
# the manifest, whose config is that digest)
image_id=$(cat /usr/local/share/mntwatch/busybox-image.id)
ctr_config() {
	ctr -n default images ls | awk '$1 == "docker.io/library/busybox:latest" { print $3 }' >/tmp/manifest
	ctr -n default content get "$(cat /tmp/manifest)" | grep -o '"config":{[^}]*}' | grep -o 'sha256:[0-9a-f]*'
}

check "insmod mntwatch.ko" insmod "$MNTWATCH_KO"
check "the module's debugfs status is there" grep -qx 'format 1' $dbg/status
check "/ is shared, as systemd leaves it" sh -c "awk '\$5 == \"/\"' /proc/1/mountinfo | grep -q ' shared:'"
check "docker's server is 20.10.x (Debian bookworm's docker.io)" \
	sh -c "docker version -f '{{.Server.Version}}' | tee /dev/stderr | grep -qE '^20\\.10\\.'"
ids="$(docker image inspect -f '{{.Id}}' busybox) sha256:$(podman image inspect -f '{{.Id}}' busybox) $(ctr_config)"
check "docker, podman and containerd hold busybox:latest as the archive made it ($image_id)" \
	sh -c 'echo "docker, podman, ctr: $1"; [ "$1" = "$2" ]' - "$ids" "$image_id $image_id $image_id"
check "docker run --rm busybox true" docker run --rm busybox true
check "docker run: the container has no network but lo" \
	sh -c "[ \"\$(docker run --rm busybox ls /sys/class/net)\" = lo ]"
check "podman run --rm --network none busybox true" podman run --rm --network none busybox true
check "ctr run --rm docker.io/library/busybox:latest t1 true" \
	ctr -n default run --rm docker.io/library/busybox:latest t1 true
check "mntwatch is on PATH and shows the module's rows" sh -c 'mntwatch -o NS,MOUNTS,SOURCE | grep " module$"'
check "the module saw the containers' namespaces" sh -c "[ \$(tail -n +2 $dbg/namespaces | wc -l) -ge 4 ]"
check "probes missed nothing" sh -c "grep -qx 'count_nmissed 0' $dbg/status && grep -qx 'attach_nmissed 0' $dbg/status"
# pods as Kubernetes and podman name them, compared with podman's own view
. pods_vm.sh
TAP_PREFIX="runtimes: "
# the real incidents, in this same boot (each reloads the module), and the
# plans that give the node back (fix_vm.sh)
. fix_vm.sh
fix_limits
. incident_docker_vm.sh
. incident_restart_vm.sh
. cri_vm.sh
echo "1..$n"
[ "$failed" -eq 0 ]
