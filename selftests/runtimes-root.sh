#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian bookworm root that `vmtest.sh -r runtimes` (make vm-run ROOT=runtimes)
# boots: docker.io, containerd, runc and podman from Debian, an image
# busybox:latest made here from busybox-static and already loaded into all
# three runtimes (and into containerd's k8s.io namespace, the CRI plugin's,
# beside the pods' sandbox image localhost/pause:busybox: the same layer,
# sleeping), python3-grpcio with the stubs of the CRI's api.proto (from
# golang-k8s-cri-api-dev, sid) that selftests/crictl.py speaks, packed into
# an ext4 image.
#
#   selftests/runtimes-root.sh        -> prints .cache/roots/runtimes-<hash>/root.ext4
#
# Built once and kept under the hash of $recipe below (its text in recipe
# beside the image); edit $recipe whenever the packages or the steps here
# change. Checkouts with other recipes share .cache without rebuilding each
# other's roots. A build takes a
# debootstrap (the .debs are kept in .cache/roots/debs), one mke2fs and one
# VM boot on the 6.12 line in which the runtimes load the image themselves
# (docker load, podman load, ctr images import), so that no test run pays for
# it. Logs: .cache/roots/runtimes-<hash>.log.
set -euo pipefail

die() { echo "runtimes-root: $*" >&2; exit 1; }
log() { echo "runtimes-root: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2; make deps does)"; }

top=$(cd "$(dirname "$0")/.." && pwd)
packages=docker.io,containerd,runc,podman,netavark,kmod,busybox-static,procps,prometheus-node-exporter,python3-grpcio,python3-grpc-tools,python3-pkg-resources
recipe="bookworm minbase: $packages; busybox:latest from busybox-static, loaded at build; pause:busybox and the CRI api.proto stubs; layout 3"
dir=$top/.cache/roots
name=runtimes-$(printf '%s' "$recipe" | sha256sum | cut -c1-12)
img=$dir/$name/root.ext4
buildlog=$dir/$name.log
# the kernel line the image-loading boot uses
load_line=6.12

[ $# -eq 0 ] || die "usage: $0 (no arguments)"
mkdir -p "$dir"
need flock util-linux
# one build at a time; a second caller waits for it and then finds it done
exec 9>"$dir/$name.lock"
flock 9
if [ "$(cat "$dir/$name/recipe" 2>/dev/null)" = "$recipe" ] && [ -f "$img" ]; then
	echo "$img"
	exit 0
fi

build_root() {
	need debootstrap debootstrap
	need sha256sum coreutils
	. "$top/selftests/debian.sh"
	tmp=$dir/$name.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp" "$dir/debs"
	trap 'rm -rf "$tmp"' EXIT
	tree=$tmp/tree
	log "creating a Debian bookworm root with docker.io, containerd, runc and podman (debootstrap, once; log: $buildlog)"
	debootstrap --variant=minbase --include="$packages" --cache-dir="$dir/debs" \
		bookworm "$tree" "$mirror" >"$buildlog" 2>&1 ||
		die "debootstrap bookworm failed, see $buildlog"

	# what a systemd host would have set up, and what the VM has not: no network,
	# no systemd, no registry
	echo mntwatch-vm >"$tree/etc/hostname"
	printf '127.0.0.1\tlocalhost mntwatch-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$tree/etc/hosts"
	: >"$tree/etc/resolv.conf"
	mkdir -p "$tree/etc/containers"
	cat >"$tree/etc/containers/containers.conf" <<-'CONF'
	# mntwatch's VM: no systemd (cgroups by path, events to a file), no network
	[containers]
	netns = "none"

	[engine]
	cgroup_manager = "cgroupfs"
	events_logger = "file"

	[network]
	network_backend = "netavark"
	CONF
	# podman's CNI bridge config would choose the CNI backend, whose plugins
	# are not installed (netavark is, as apt installs it)
	rm -f "$tree/etc/cni/net.d/87-podman-bridge.conflist"
	rm -rf "$tree"/var/cache/apt/*.bin "$tree"/var/lib/apt/lists/* "$tree"/var/log/*.log

	# busybox:latest as `docker save` writes it: one layer (busybox-static and its
	# applet links), its config, manifest.json and repositories, named by sha256
	log "writing the busybox:latest image from $(chroot "$tree" dpkg-query -W -f='busybox-static ${Version}' busybox-static)"
	layer=$tmp/layer
	mkdir -p "$layer"/{bin,etc,dev,proc,sys,root,var,home} "$layer/tmp"
	chmod 1777 "$layer/tmp"
	cp "$tree/bin/busybox" "$layer/bin/busybox"
	for a in $("$layer/bin/busybox" --list-full); do
		[ -e "$layer/$a" ] || { mkdir -p "$layer/$(dirname "$a")" && ln -s /bin/busybox "$layer/$a"; }
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' >"$layer/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$layer/etc/group"
	archive=$tmp/archive
	mkdir -p "$archive"
	tar -C "$layer" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$tmp/layer.tar" .
	diff_id=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
	mkdir -p "$archive/$diff_id"
	mv "$tmp/layer.tar" "$archive/$diff_id/layer.tar"
	printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\
	\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"sh\"]},\
	\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff_id\"]},\
	\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"mntwatch: busybox-static\"}]}" >"$tmp/config.json"
	config_id=$(sha256sum "$tmp/config.json" | cut -d' ' -f1)
	mv "$tmp/config.json" "$archive/$config_id.json"
	printf '[{"Config":"%s.json","RepoTags":["busybox:latest"],"Layers":["%s/layer.tar"]}]' \
		"$config_id" "$diff_id" >"$archive/manifest.json"
	printf '{"busybox":{"latest":"%s"}}' "$diff_id" >"$archive/repositories"
	mkdir -p "$tree/usr/local/share/mntwatch"
	tar -C "$archive" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf "$tree/usr/local/share/mntwatch/busybox-image.tar" .
	echo "sha256:$config_id" >"$tree/usr/local/share/mntwatch/busybox-image.id"

	cri_root "$tree" "$archive/$diff_id/layer.tar" "$diff_id"

	# room for what the tests write (sparse: unused blocks take no disk)
	mb=$(($(du -sm "$tree" | cut -f1) + 1536))
	log "packing the root into ext4 (${mb} MB, sparse)"
	mke2fs -q -t ext4 -L mntwatch-root -d "$tree" "$tmp/root.ext4" "${mb}M" >>"$buildlog" 2>&1 ||
		die "mke2fs -d failed, see $buildlog"
	rm -rf "$tree"
	mv "$tmp/root.ext4" "$packed"
	echo "$recipe" >"$packed.recipe"
	rm -rf "$tmp"
	trap - EXIT
}

# cri_root TREE LAYER DIFF_ID: what containerd's CRI plugin needs with no
# registry, and the client's stubs. The sandbox image: busybox's layer with a
# config whose entrypoint sleeps, as pause does (CRI kills it with SIGKILL);
# config.toml names it. The stubs: api.proto of sid's golang-k8s-cri-api-dev
# (runtime.v1, which containerd 1.6 serves), compiled in the root by its own
# grpc_tools; the .deb is kept in .cache/roots/debs.
cri_root() {
	local tree=$1 layer=$2 diff_id=$3 pause=$tmp/pause deb config_id
	papt_lists
	(cd "$dir/debs" && papt apt-get download -q golang-k8s-cri-api-dev >&2) ||
		die "apt-get download golang-k8s-cri-api-dev (sid) failed"
	deb=$(ls -t "$dir"/debs/golang-k8s-cri-api-dev_*_all.deb | head -n1)
	mkdir -p "$tmp/cri-api" "$tree/usr/local/lib/mntwatch/cri"
	dpkg-deb -x "$deb" "$tmp/cri-api"
	# bookworm's protoc (3.21) predates the debug_redact field option (of
	# registry passwords, which no test sends): the option is dropped
	sed 's/ \[debug_redact *= *true\]//' "$tmp/cri-api/usr/share/gocode/src/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto" \
		>"$tree/usr/local/lib/mntwatch/cri/api.proto"
	chroot "$tree" python3 -m grpc_tools.protoc -I/usr/local/lib/mntwatch/cri \
		--python_out=/usr/local/lib/mntwatch/cri --grpc_python_out=/usr/local/lib/mntwatch/cri \
		/usr/local/lib/mntwatch/cri/api.proto >>"$buildlog" 2>&1 ||
		die "compiling the CRI's api.proto ($(basename "$deb")) failed, see $buildlog"
	echo "$(basename "$deb")" >"$tree/usr/local/lib/mntwatch/cri/source"

	mkdir -p "$pause/$diff_id"
	cp "$layer" "$pause/$diff_id/"
	printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"1970-01-01T00:00:00Z\",\
	\"config\":{\"Entrypoint\":[\"/bin/sleep\",\"2147483647\"]},\
	\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff_id\"]},\
	\"history\":[{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"mntwatch: busybox-static, sleeping as pause\"}]}" >"$tmp/pause.json"
	config_id=$(sha256sum "$tmp/pause.json" | cut -d' ' -f1)
	mv "$tmp/pause.json" "$pause/$config_id.json"
	printf '[{"Config":"%s.json","RepoTags":["localhost/pause:busybox"],"Layers":["%s/layer.tar"]}]' \
		"$config_id" "$diff_id" >"$pause/manifest.json"
	tar -C "$pause" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		-cf "$tree/usr/local/share/mntwatch/pause-image.tar" .
	grep -q '^  \[plugins."io.containerd.grpc.v1.cri"\]$' "$tree/etc/containerd/config.toml" ||
		die "Debian's /etc/containerd/config.toml has no CRI plugin section"
	sed -i '/^  \[plugins."io.containerd.grpc.v1.cri"\]$/a\    sandbox_image = "localhost/pause:busybox"' \
		"$tree/etc/containerd/config.toml"
}

need mke2fs e2fsprogs
started=$(date +%s)
# the packed image waits here until the runtimes have loaded the image into
# a copy of it: a failed load boot does not cost the debootstrap again
packed=$dir/$name.packed.ext4
if [ "$(cat "$packed.recipe" 2>/dev/null)" != "$recipe" ] || [ ! -f "$packed" ]; then
	rm -f "$packed" "$packed.recipe"
	build_root
fi
log "loading busybox:latest into docker, podman and containerd (one boot of the $load_line line)"
loading=$dir/$name.loading.ext4
trap 'rm -f "$loading"' EXIT
cp --sparse=always "$packed" "$loading"
VMTEST_ROOT_IMAGE=$loading VMTEST_ROOT_WRITE=1 \
	"$top/selftests/vmtest.sh" -k "$load_line" -r runtimes -t 600 -s "$top/selftests/runtimes-load.sh" \
	>>"$buildlog" 2>&1 || die "loading the image in the VM failed, see $buildlog"
mkdir -p "$dir/$name"
mv "$loading" "$img"
rm -f "$packed" "$packed.recipe"
echo "$recipe" >"$dir/$name/recipe"
log "built $img in $(($(date +%s) - started)) s: $(du -m "$img" | cut -f1) MB on disk, $(($(stat -c %s "$img") >> 20)) MB apparent"
echo "$img"
