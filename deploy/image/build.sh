#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   deploy/image/build.sh OUT.tar        (make image)
#
# The mntwatch image as an OCI image layout in one tar, written here without
# a container engine or a registry: two gzip layers, the Debian packages of
# deploy/image/packages (unpacked with dpkg-deb, then pruned) and the
# project's own files (the static tool, deploy/mntwatch-load, the module
# sources, and the modules make KVER=LINE built for every line of
# selftests/kernels.conf, debug info stripped); the config, the manifest and
# index.json with sha256 digests; a Docker manifest.json beside them for
# docker load. Tagged localhost/mntwatch:VERSION (module/version.h), or
# MNTWATCH_IMAGE:VERSION. Every file's time is SOURCE_DATE_EPOCH (default:
# the last commit's), owners 0:0, entries sorted, gzip without names: the
# same inputs give the same digest.
#
# Needs build/bin/mntwatch and build/LINE/mntwatch.ko for each line (make
# image builds them first), apt-get and dpkg-deb (the private apt
# configuration of selftests/debian.sh), tar, gzip, sha256sum, strip.
set -euo pipefail

die() { echo "image: $*" >&2; exit 1; }
log() { echo "image: $*" >&2; }

top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -eq 1 ] || die "usage: $0 OUT.tar"
out=$1
. "$top/selftests/debian.sh"
for t in apt-get dpkg-deb tar gzip sha256sum strip readelf; do
	command -v $t >/dev/null || die "missing tool '$t' (make deps)"
done

version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' "$top/module/version.h")
[ -n "$version" ] || die "no MNTWATCH_VERSION in module/version.h"
repo=${MNTWATCH_IMAGE:-localhost/mntwatch}
ref=$repo:$version
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

work=$top/build/image
rm -rf "$work/base" "$work/project" "$work/oci"
mkdir -p "$work/base" "$work/project" "$work/oci/blobs/sha256"
umask 022

# --- layer 1: the Debian packages ---
debdir=$top/.cache/deb
mkdir -p "$debdir" "$work/base"/usr/{bin,sbin,lib,lib64}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$work/base/$d"; done
papt_lists
# the newest of bookworm and its updates, compared the way dpkg does; one
# apt-cache call for all (each call parses every list)
pkgs=$(sed 's/#.*//' "$top/deploy/image/packages" | xargs)
papt apt-cache madison $pkgs 2>/dev/null |
	awk -F' [|] ' '$3 ~ / bookworm(-updates|-security)?\/main / { gsub(/ /, "", $1); print $1, $2 }' >"$work/madison"
: >"$work/packages.txt"
for p in $pkgs; do
	best=
	for v in $(awk -v p="$p" '$1 == p { print $2 }' "$work/madison"); do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done
	[ -n "$best" ] || die "package $p is not in bookworm (deploy/image/packages)"
	echo "$p $best" >>"$work/packages.txt"
done
deb_of() { ls "$debdir/${1}_${2//:/%3a}_"*.deb 2>/dev/null | head -n1 || true; }
missing=$(while read -r p v; do [ -n "$(deb_of "$p" "$v")" ] || echo "$p=$v"; done <"$work/packages.txt")
if [ -n "$missing" ]; then
	log "downloading $(echo $missing)"
	(cd "$debdir" && papt apt-get download -q $missing >&2) || die "apt-get download failed"
fi
while read -r p v; do
	deb=$(deb_of "$p" "$v")
	[ -n "$deb" ] || die "no .deb of $p $v in $debdir"
	# /bin, /lib and /sbin are links into /usr, as on a bookworm system
	dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$work/base" ||
		die "unpacking $deb failed"
done <"$work/packages.txt"

prune() {
	local b=$work/base gcc=$work/base/usr/lib/gcc/x86_64-linux-gnu/12
	# documentation, translations, bug-report hooks: the copyrights stay
	find "$b/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
	rm -rf "$b"/usr/share/{man,info,locale,lintian,bug,bash-completion,gcc,gdb,menu}
	# gcc: the build runs cc1 and as through the driver and links with ld -r;
	# no LTO, no plugins, no libraries to link against
	find "$gcc" -mindepth 1 -maxdepth 1 ! -name cc1 ! -name include ! -name include-fixed -exec rm -rf {} +
	rm -f "$b"/usr/lib/x86_64-linux-gnu/libcc1* "$b"/usr/bin/{,x86_64-linux-gnu-}{lto-dump,gcov,gcov-dump,gcov-tool,gcc-ar,gcc-nm,gcc-ranlib}-12
	# binutils: gold, dwp and gprof(ng) are never used
	rm -f "$b"/usr/bin/{gold,ld.gold,dwp,gprof,gprofng,gp-*} "$b"/usr/bin/x86_64-linux-gnu-{gold,ld.gold,dwp,gprof,gprofng,gp-*}
	rm -rf "$b"/usr/lib/gold-ld "$b"/usr/lib/compat-ld "$b"/usr/lib/x86_64-linux-gnu/gprofng "$b"/etc/gprofng.rc
	# glibc's iconv modules and locale tools: the build runs in the C locale
	rm -rf "$b"/usr/lib/x86_64-linux-gnu/gconv "$b"/usr/share/i18n "$b"/usr/sbin/{iconvconfig,zic}
	rm -f "$b"/usr/bin/{iconv,locale,localedef,getconf,ldd,pldd,sotruss,sprof,tzselect,catchsegv,getent,zdump}
	# openssl's perl helpers; no CA bundle (the image talks to no server)
	rm -rf "$b"/usr/lib/ssl/misc "$b"/usr/lib/ssl/cert.pem
	rm -rf "$b"/usr/lib/bfd-plugins	# its one link was to gcc's LTO plugin
}
prune

# busybox's applets where no package put a program; gcc the kbuild name of gcc-12
while read -r applet; do
	[ -e "$work/base$applet" ] || [ -L "$work/base$applet" ] || ln -s /bin/busybox "$work/base$applet"
done < <("$work/base/bin/busybox" --list-full | sed 's|^|/|')
ln -sfn gcc-12 "$work/base/usr/bin/gcc"
mkdir -p "$work/base"/{proc,sys,dev,tmp,run,root,var/tmp,etc}
chmod 1777 "$work/base/tmp" "$work/base/var/tmp"
echo 'root:x:0:0:root:/root:/bin/sh' >"$work/base/etc/passwd"
echo 'root:x:0:' >"$work/base/etc/group"

# --- layer 2: the project ---
p=$work/project
install -d "$p/usr/sbin" "$p/usr/share/mntwatch/src/module" "$p/usr/lib/mntwatch/modules"
install -m 0755 "$top/build/bin/mntwatch" "$p/usr/sbin/mntwatch"
install -m 0755 "$top/deploy/mntwatch-load" "$p/usr/sbin/mntwatch-load"
install -m 0644 "$top/Kbuild" "$p/usr/share/mntwatch/src/"
install -m 0644 "$top"/module/*.c "$top"/module/*.h "$p/usr/share/mntwatch/src/module/"
install -m 0644 "$work/packages.txt" "$p/usr/share/mntwatch/packages"
readelf -l "$p/usr/sbin/mntwatch" | grep -q 'program interpreter' && die "build/bin/mntwatch is not static"
: >"$work/modules.txt"
for line in $(awk '!/^#/ && NF { print $1 }' "$top/selftests/kernels.conf"); do
	ko=$top/build/$line/mntwatch.ko
	[ -f "$ko" ] || die "no $ko: make module KVER=$line (make image does)"
	magic=$(tr '\000' '\n' <"$ko" | sed -n 's/^vermagic=//p' | head -n1)
	rel=${magic%% *}
	[ -n "$rel" ] || die "$ko has no vermagic"
	install -d "$p/usr/lib/mntwatch/modules/$rel"
	strip --strip-debug -o "$p/usr/lib/mntwatch/modules/$rel/mntwatch.ko" "$ko"
	chmod 0644 "$p/usr/lib/mntwatch/modules/$rel/mntwatch.ko"
	echo "$line $rel" >>"$work/modules.txt"
done

# --- the OCI layout ---
blobs=$work/oci/blobs/sha256
# blob FILE: moves FILE into blobs/, prints "digest size"
blob() {
	local d s
	d=$(sha256sum "$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$blobs/$d"
	echo "sha256:$d $s"
}
layer() { # DIR NAME: prints "digest size diff_id"
	local diff
	tar --sort=name --mtime="@$epoch" --clamp-mtime --owner=0 --group=0 --numeric-owner \
		--format=gnu -C "$1" -cf "$work/$2.tar" .
	diff=$(sha256sum "$work/$2.tar" | cut -d' ' -f1)
	gzip -9 -n -c "$work/$2.tar" >"$work/$2.tar.gz"
	rm "$work/$2.tar"
	echo "$(blob "$work/$2.tar.gz") sha256:$diff"
}
read -r base_digest base_size base_diff < <(layer "$work/base" base)
read -r proj_digest proj_size proj_diff < <(layer "$work/project" project)

cat >"$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"$created",$(
)"config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/usr/sbin/mntwatch"],"WorkingDir":"/",$(
)"Labels":{"org.opencontainers.image.title":"mntwatch","org.opencontainers.image.version":"$version",$(
)"org.opencontainers.image.description":"mntwatch: fs.mount-max ENOSPC explained; mntwatch-load puts mntwatch.ko on the node"}},$(
)"rootfs":{"type":"layers","diff_ids":["$base_diff","$proj_diff"]},$(
)"history":[{"created":"$created","created_by":"deploy/image/build.sh: Debian bookworm packages (deploy/image/packages)"},$(
){"created":"$created","created_by":"deploy/image/build.sh: mntwatch $version, mntwatch-load, mntwatch.ko for $(cut -d' ' -f2 "$work/modules.txt" | paste -sd' ')"}]}
EOF
printf '%s' "$(cat "$work/config.json")" >"$work/config.min"
read -r config_digest config_size < <(blob "$work/config.min")
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",$(
)\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$config_digest\",\"size\":$config_size},$(
)\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$base_digest\",\"size\":$base_size},$(
){\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$proj_digest\",\"size\":$proj_size}]}" \
	>"$work/manifest.min"
read -r manifest_digest manifest_size < <(blob "$work/manifest.min")
# io.containerd.image.name names it for ctr and podman; ref.name is the OCI tag
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[$(
){\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$manifest_digest\",\"size\":$manifest_size,$(
)\"annotations\":{\"io.containerd.image.name\":\"$ref\",\"org.opencontainers.image.ref.name\":\"$version\"}}]}" \
	>"$work/oci/index.json"
printf '%s' '{"imageLayoutVersion":"1.0.0"}' >"$work/oci/oci-layout"
printf '%s' "[{\"Config\":\"blobs/sha256/${config_digest#sha256:}\",\"RepoTags\":[\"$ref\"],$(
)\"Layers\":[\"blobs/sha256/${base_digest#sha256:}\",\"blobs/sha256/${proj_digest#sha256:}\"]}]" \
	>"$work/oci/manifest.json"
rm -f "$work/config.json"

mkdir -p "$(dirname "$out")"
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner --format=gnu \
	-C "$work/oci" -cf "$out.tmp" oci-layout index.json manifest.json blobs
mv "$out.tmp" "$out"
echo "$ref $manifest_digest" >"$out.ref"
size=$(stat -c %s "$out")
unpacked=$(du -sb "$work/base" "$work/project" | awk '{ s += $1 } END { print s }')
echo "image: $ref, manifest $manifest_digest"
echo "image: $out: $((size / 1024)) KiB ($((unpacked / 1048576)) MiB unpacked; Debian layer $((base_size / 1024)) KiB, mntwatch layer $((proj_size / 1024)) KiB)"
echo "image: modules for $(cut -d' ' -f2 "$work/modules.txt" | paste -sd' ')"
