#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/image_test.sh [LINE...]
#
# The archive make image wrote (build/image/mntwatch-VERSION.tar), on the
# host: the OCI layout and the Docker manifest agree, every blob has the
# digest and size its descriptor says, each layer's diff_id is the digest of
# its uncompressed tar, the tag is module/version.h's; building the archive
# again gives the same bytes. Then the layers unpacked into a root, as a
# runtime would, chrooted: every program and library finds its libraries,
# no link dangles, the tool runs, the loader takes the prebuilt module of
# every line of selftests/kernels.conf (vermagic = release), and for each
# LINE given (default: 6.1) builds one with the image's gcc-12 against that
# kernel's Debian headers laid out as linux-headers-RELEASE installs them
# (/usr/src, /lib/modules/RELEASE/build), the loader's own build path; the
# 7.x headers (gcc-14) are refused in one line. TAP lines; exit 0 = passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
build_lines=${*:-6.1}

failed=0
ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | head -n 20 | sed 's/^/#   /'
	failed=$((failed + 1))
}
finish() {
	echo "# image_test: $failed failed"
	[ "$failed" = 0 ]
	exit
}

version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)
archive=build/image/mntwatch-$version.tar
[ -f "$archive" ] || { not_ok "no $archive: make image"; finish; }
[ "$(id -u)" = 0 ] || { not_ok "image tests chroot: run as root"; finish; }
work=$top/build/check/image
rm -rf "$work"
mkdir -p "$work/root"
cleanup() {
	[ -z "$(ls -A "$work/mnt" 2>/dev/null)" ] || umount -R "$work/mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "# $archive: $(($(stat -c %s "$archive") / 1024)) KiB, $(cat "$archive.ref" 2>/dev/null)"
if python3 - "$archive" "$work/root" "localhost/mntwatch:$version" "$version" <<'PY'; then
import gzip, hashlib, io, json, sys, tarfile

path, root, ref, version = sys.argv[1:5]
errors = []
outer = tarfile.open(path)
files = {m.name: outer.extractfile(m).read() for m in outer.getmembers() if m.isfile()}
sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()

def blob(desc, what):
    name = "blobs/sha256/" + desc["digest"].split(":", 1)[1]
    data = files.get(name)
    if data is None:
        errors.append(f"{what}: {name} missing")
        return b""
    if sha(data) != desc["digest"] or len(data) != desc["size"]:
        errors.append(f"{what}: digest or size differ from its descriptor")
    return data

if json.loads(files["oci-layout"]) != {"imageLayoutVersion": "1.0.0"}:
    errors.append("oci-layout is not 1.0.0")
index = json.loads(files["index.json"])
mans = index.get("manifests", [])
if len(mans) != 1:
    sys.exit(f"index.json: want one manifest, got {len(mans)}")
ann = mans[0].get("annotations", {})
if ann.get("io.containerd.image.name") != ref or ann.get("org.opencontainers.image.ref.name") != version:
    errors.append(f"index.json names it {ann}, not {ref}")
manifest = json.loads(blob(mans[0], "manifest"))
config = json.loads(blob(manifest["config"], "config"))
if config.get("config", {}).get("Labels", {}).get("org.opencontainers.image.version") != version:
    errors.append("config: org.opencontainers.image.version is not " + version)
if config.get("architecture") != "amd64" or config.get("os") != "linux":
    errors.append("config: not linux/amd64")
diff_ids = config["rootfs"]["diff_ids"]
if len(diff_ids) != len(manifest["layers"]):
    errors.append("config: diff_ids and layers differ in number")
for i, layer in enumerate(manifest["layers"]):
    raw = gzip.decompress(blob(layer, f"layer {i}"))
    if layer["mediaType"] != "application/vnd.oci.image.layer.v1.tar+gzip":
        errors.append(f"layer {i}: media type {layer['mediaType']}")
    if i < len(diff_ids) and sha(raw) != diff_ids[i]:
        errors.append(f"layer {i}: diff_id is not the digest of its tar")
    # unpacked in order, as a runtime does (the layers hold no whiteouts)
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        for m in t.getmembers():
            if m.uid or m.gid or ".wh." in m.name:
                errors.append(f"layer {i}: {m.name} owned by {m.uid}:{m.gid} or a whiteout")
                break
        t.extractall(root, numeric_owner=True)
docker = json.loads(files["manifest.json"])
want = [{"Config": "blobs/sha256/" + manifest["config"]["digest"].split(":")[1], "RepoTags": [ref],
         "Layers": ["blobs/sha256/" + l["digest"].split(":")[1] for l in manifest["layers"]]}]
if docker != want:
    errors.append(f"manifest.json (docker load) differs from the OCI manifest: {docker}")
for e in errors:
    print("#   " + e)
sys.exit(1 if errors else 0)
PY
	ok "OCI layout, Docker manifest, every digest, size and diff_id; tagged localhost/mntwatch:$version"
else
	not_ok "OCI layout, Docker manifest, every digest, size and diff_id"
	finish
fi

if deploy/image/build.sh "$work/again.tar" >"$work/again.log" 2>&1 && cmp -s "$work/again.tar" "$archive"; then
	ok "the archive built again is the same bytes (reproducible)"
else
	not_ok "the archive built again is the same bytes" "$(tail -n 3 "$work/again.log")"
fi
# the rebuild left the sources unchanged; the again.tar's staging dir is the same as make image's
rm -f "$work/again.tar" "$work/again.tar.ref"

r=$work/root
in_root() { chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
missing=$(cd "$r" && find usr -type f \( -perm -u+x -o -name '*.so*' \) | while read -r f; do
	head -c 4 "$f" | grep -q ELF || continue
	# a static program (busybox, mntwatch) has none to find, and ld.so
	# --list on one segfaults
	case $f in *.so*) ;; *) readelf -l "$f" | grep -q 'program interpreter' || continue ;; esac
	in_root /lib64/ld-linux-x86-64.so.2 --list "/$f" 2>&1 | grep 'not found' | sed "s|^|/$f: |"
done)
[ -z "$missing" ] && ok "every program and library in the image finds its libraries" ||
	not_ok "every program and library in the image finds its libraries" "$missing"
dangling=$(in_root /bin/busybox sh -c 'find / -xdev -type l | while read -r l; do [ -e "$l" ] || echo "$l"; done')
[ -z "$dangling" ] && ok "no link in the image dangles" || not_ok "no link in the image dangles" "$dangling"
out=$(in_root mntwatch --version 2>&1)
[[ $out == "mntwatch $version "* ]] && ok "the image's mntwatch runs: $out" || not_ok "the image's mntwatch --version" "$out"

# A node as the loader sees it: the release, kretprobes, BTF
fake_node() { # DIR RELEASE
	mkdir -p "$1/proc/sys/kernel" "$1/sys/kernel/btf"
	echo "$2" >"$1/proc/sys/kernel/osrelease"
	echo 'ffffffffa0000100 T register_kretprobe' >"$1/proc/kallsyms"
	echo btf >"$1/sys/kernel/btf/vmlinux"
}
for line in $(awk '!/^#/ && NF { print $1 }' selftests/kernels.conf); do
	kdir=$(selftests/fetch-kernel.sh "$line" 2>/dev/null) || { not_ok "fetch the Debian $line kernel"; continue; }
	rel=$(cat "$kdir/release")
	fake_node "$r/node-$line" "$rel"
	out=$(in_root mntwatch-load --root "/node-$line" --dry-run 2>&1)
	ko=/usr/lib/mntwatch/modules/$rel/mntwatch.ko
	magic=$(tr '\000' '\n' <"$r$ko" 2>/dev/null | sed -n 's/^vermagic=//p')
	if [ "$out" = "mntwatch-load: would load $ko (prebuilt for $rel)" ] && [ "${magic%% *}" = "$rel" ] &&
		strip --strip-debug -o "$work/stripped.ko" "build/$line/mntwatch.ko" && cmp -s "$work/stripped.ko" "$r$ko"; then
		ok "the image's loader takes its prebuilt module for $rel"
	else
		not_ok "the image's loader takes its prebuilt module for $rel" "$out (vermagic $magic)"
	fi
done

# insmod that keeps what it was given instead of loading it
cat >"$r/fake-insmod" <<'EOF'
#!/bin/sh
cp "$1" "$FAKE_NODE/loaded.ko" && mkdir -p "$FAKE_NODE/sys/module/mntwatch" &&
	tr '\000' '\n' <"$1" | sed -n 's/^version=//p' >"$FAKE_NODE/sys/module/mntwatch/version"
EOF
chmod 755 "$r/fake-insmod"
mkdir -p "$work/mnt"
# In a chroot (../shared/fresh-debian.sh) "/" is no mount point, so unshare
# cannot make it private: the namespace then keeps the propagation it copies.
propagation=private
if ! unshare -m --propagation private true 2>/dev/null; then
	propagation=unchanged
	echo "# / is no mount point here (a chroot): the build's namespace keeps its propagation, the container root is made private"
fi
for line in $build_lines; do
	kdir=$(selftests/fetch-kernel.sh "$line" 2>/dev/null) || { not_ok "fetch the Debian $line kernel"; continue; }
	rel=$(cat "$kdir/release")
	# the headers as a node has them: the packages unpacked as they are
	node=$work/headers-$line
	mkdir -p "$node"
	hdeb=$(ls "$top/.cache/deb/linux-headers-${rel}_"*.deb 2>/dev/null | head -n1)
	debs=("$hdeb")
	for p in $(dpkg-deb -f "$hdeb" Depends | tr ',' '\n' | sed 's/^ *//; s/[ |].*//' |
		grep -E '^linux-(headers-.*-common$|kbuild-)'); do
		debs+=("$(ls "$top/.cache/deb/${p}_"*.deb 2>/dev/null | head -n1)")
	done
	for deb in "${debs[@]}"; do
		dpkg-deb -x "$deb" "$node" || not_ok "unpack $deb"
	done
	fake_node "$r/node-$line" "$rel"
	rm -f "$r/node-$line/loaded.ko"
	mkdir -p "$r/node-$line/lib/modules/$rel"
	ln -sfn "/usr/src/linux-headers-$rel" "$r/node-$line/lib/modules/$rel/build"
	start=$(date +%s)
	# the node's /usr/src and /usr/lib (Debian's kbuild tools) mounted as the DaemonSet mounts them
	out=$(unshare -m --propagation "$propagation" sh -c '
		r=$1 node=$2 line=$3
		# a container root is a mount point (the loader makes its build mounts
		# private); private itself before anything is mounted under it
		mount --bind "$r" "$r" && mount --make-rprivate "$r" || exit 1
		mkdir -p "$r/usr/src" "$r/host/usr/lib" && mount --bind "$node/usr/src" "$r/usr/src" &&
			mount --bind "$node/usr/lib" "$r/host/usr/lib" || exit 1
		mkdir -p "$r/tmp/work-$line"
		chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin FAKE_NODE=/node-$line \
			MNTWATCH_INSMOD=/fake-insmod mntwatch-load --root /node-$line --modules /nonexistent \
			--work /tmp/work-$line 2>&1
	' sh "$r" "$node" "$line")
	secs=$(($(date +%s) - start))
	# the one bind a shared parent may have copied back here
	[ "$propagation" = private ] || ! mountpoint -q "$r" || umount "$r"
	ko=$r/node-$line/loaded.ko
	magic=$(tr '\000' '\n' <"$ko" 2>/dev/null | sed -n 's/^vermagic=//p')
	if [ "${magic%% *}" = "$rel" ] && [[ $out == "mntwatch-load: loaded mntwatch $version on $rel (built against /lib/modules/$rel/build with gcc 12)"* ]] &&
		[ "$(tr '\000' '\n' <"$ko" | sed -n 's/^srcversion=//p')" = "$(tr '\000' '\n' <"build/$line/mntwatch.ko" | sed -n 's/^srcversion=//p')" ]; then
		ok "the image builds mntwatch.ko for $rel against its Debian headers with gcc-12 (${secs}s)"
	else
		not_ok "the image builds mntwatch.ko for $rel against its Debian headers" "$out
$(tail -n 15 "$r/tmp/work-$line/build.log" 2>/dev/null)"
	fi
done

# 7.x: Debian's headers ask gcc-14 (and their kbuild tools glibc 2.38)
if kdir=$(selftests/fetch-kernel.sh 7 2>/dev/null); then
	rel=$(cat "$kdir/release")
	mkdir -p "$r/node-7/lib/modules/$rel/build/include/config"
	cp "$kdir/build/include/config/auto.conf" "$r/node-7/lib/modules/$rel/build/include/config/"
	: >"$r/node-7/lib/modules/$rel/build/Makefile"
	out=$(in_root mntwatch-load --root /node-7 --modules /nonexistent 2>&1)
	rc=$?
	[ "$rc" = 1 ] && [[ $out == "mntwatch-load: the headers of $rel were built with gcc 14 and this loader has gcc 12: build on the node with gcc-14"* ]] &&
		ok "the image refuses to build for $rel (gcc-14 headers) in one line" ||
		not_ok "the image refuses to build for $rel" "exit $rc: $out"
else
	not_ok "fetch the Debian 7 kernel"
fi
finish
