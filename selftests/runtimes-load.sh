#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs once in the VM that selftests/runtimes-root.sh boots on the image it
# builds (written in place): docker, podman and containerd each load the
# busybox:latest archive made from busybox-static, and run it once.
set -eu
archive=/usr/local/share/mntwatch/busybox-image.tar
id=$(cat /usr/local/share/mntwatch/busybox-image.id)

docker load -i $archive
got=$(docker image inspect -f '{{.Id}}' busybox:latest)
[ "$got" = "$id" ] || { echo "docker loaded $got, the archive's config is $id"; exit 1; }
docker run --rm busybox true

# podman names a docker archive's image localhost/busybox; a pulled one is
# docker.io/library/busybox, as docker and containerd name it
podman load -i $archive
podman tag localhost/busybox:latest docker.io/library/busybox:latest
podman untag localhost/busybox:latest localhost/busybox:latest
podman image inspect -f '{{.Id}} {{.RepoTags}}' docker.io/library/busybox:latest
podman run --rm busybox true

ctr -n default images import $archive
ctr -n default images ls -q | grep -x docker.io/library/busybox:latest
ctr -n default run --rm docker.io/library/busybox:latest load-check true
# the CRI plugin's namespace: the containers' image and the pods' sandbox
# image (config.toml's sandbox_image), as its own image list shows them
ctr -n k8s.io images import $archive
ctr -n k8s.io images import /usr/local/share/mntwatch/pause-image.tar
ctr -n k8s.io images ls -q | grep -x docker.io/library/busybox:latest
ctr -n k8s.io images ls -q | grep -x localhost/pause:busybox
python3 -c 'import sys; sys.path.insert(0, "/usr/local/lib/mntwatch/cri"); import api_pb2_grpc'
echo "busybox:latest ($id) loaded into docker, podman and containerd (default and k8s.io), pause:busybox into k8s.io"
