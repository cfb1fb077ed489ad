#!/bin/bash
# Fetch a Debian cloud kernel (image + headers + kbuild) of a line named in
# selftests/kernels.conf, or the few linux-source-6.1 files we need, into
# .cache/ without installing anything (a private apt configuration, see
# selftests/debian.sh).
#
#   selftests/fetch-kernel.sh LINE     -> prints .cache/kernels/<release>
#   selftests/fetch-kernel.sh --resolve LINE   the same, a "newest" line resolved anew
#   selftests/fetch-kernel.sh lines    -> the lines of kernels.conf
#   selftests/fetch-kernel.sh source   -> prints .cache/linux-source-6.1
#   selftests/fetch-kernel.sh selftests LINE  -> prints the directory of the
#       line's own linux-source files the kernel's mount selftests build from
#       (selftests/kselftests.sh): its tools/testing/selftests, tools/include,
#       uapi headers and fs/namespace.c, extracted once into the kernel's dir
#   selftests/fetch-kernel.sh modules LINE  -> prints the line's module directory
#       (.../lib/modules/<release>), adding the linux-modules package that 7.x
#       splits off the image to the kernel's root/ once
#
# Kernel dir layout: vmlinuz, build (KDIR for make -C build M=...), release,
# version (the Debian package version), toolchain (host or trixie),
# btf (raw .BTF, same format as /sys/kernel/btf/vmlinux), root/ (dpkg -x tree).
# Idempotent: a .done stamp marks a finished directory, and a line already
# fetched needs no network. Logs go to stderr.
set -euo pipefail

die() { echo "fetch-kernel: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2; make deps does)"; }

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache
debdir=$cache/deb
conf=$top/selftests/kernels.conf
. "$top/selftests/debian.sh"

need apt-get apt
need dpkg-deb dpkg
need tar tar
need xz xz-utils

lines() { awk '!/^#/ && NF { print $1 }' "$conf"; }

# Download package $1 at version $2 into .cache/deb unless cached; print the .deb path.
fetch_deb() {
	local pkg=$1 ver=$2 f
	f=$(ls "$debdir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		papt_lists
		log "downloading $pkg $ver"
		mkdir -p "$debdir"
		(cd "$debdir" && papt apt-get download -q "$pkg=$ver" >&2) ||
			die "apt-get download $pkg=$ver failed (is the version still in Debian's archive?)"
		f=$(ls "$debdir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		[ -n "$f" ] || die "apt-get download $pkg=$ver produced no .deb in $debdir"
	fi
	echo "$f"
}

# The highest version of package $1 the lists know, or nothing.
newest_version() {
	papt apt-cache madison "$1" 2>/dev/null | awk '{ print $3 }' | sort -V | tail -n1
}

# Package names that .deb $1 depends on and that match the regex $2 (no versions).
deps_of() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' | sed 's/^ *//; s/[ |].*//' | grep -E "$2" || true
}

fetch_source() {
	local dest=$cache/linux-source-6.1 deb tmp ver
	local files=(tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
		scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
	if [ ! -e "$dest/.done" ]; then
		ver=$(awk '$1 == "6.1" { print $3 }' "$conf")
		deb=$(fetch_deb linux-source-6.1 "$ver")
		tmp=$(mktemp -d "$cache/linux-source-6.1.tmp.XXXXXX")
		log "extracting ${files[*]} from $(basename "$deb")"
		# Stream the inner tarball: never store the ~140 MB .tar.xz itself.
		dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.1.tar.xz |
			tar -xJ -C "$tmp" --strip-components=1 "${files[@]/#/linux-source-6.1/}" ||
			{ rm -rf "$tmp"; die "extracting linux-source-6.1 files failed"; }
		chmod 755 "$tmp"
		touch "$tmp/.done"
		rm -rf "$dest"
		mv "$tmp" "$dest"
	fi
	echo "$dest"
}

# Decompress the payload of an x86 bzImage ($1) into an ELF vmlinux ($2).
# The boot header says where the payload is: setup_sects (0x1f1) and payload_offset (0x248).
extract_vmlinux() {
	local img=$1 out=$2 setup off len magic cmd
	setup=$(od -An -t u1 -j $((0x1f1)) -N1 "$img" | tr -d ' ')
	off=$(od -An -t u4 -j $((0x248)) -N4 "$img" | tr -d ' ')
	len=$(od -An -t u4 -j $((0x24c)) -N4 "$img" | tr -d ' ')
	off=$(((setup + 1) * 512 + off))
	magic=$(od -An -t x1 -j "$off" -N4 "$img" | tr -d ' ')
	case $magic in
	1f8b*) need gzip gzip; cmd="gzip -dc" ;;
	fd377a58) need xz xz-utils; cmd="xz -dcq" ;;
	28b52ffd) need zstd zstd; cmd="zstd -dcq" ;;
	02214c18) need lz4 lz4; cmd="lz4 -dcq" ;;
	425a68*) need bzip2 bzip2; cmd="bzip2 -dcq" ;;
	5d0000*) need xz xz-utils; cmd="xz -dcq --format=lzma" ;;
	*) die "$img: unknown kernel compression (magic $magic at offset $off)" ;;
	esac
	# Decompressors complain about the 4-byte size trailer the kernel appends, so
	# their status is ignored; the ELF/BTF checks below catch real failures.
	tail -c +$((off + 1)) "$img" | head -c "$len" | $cmd >"$out" 2>/dev/null || true
	[ "$(head -c4 "$out" | od -An -t x1 | tr -d ' ')" = 7f454c46 ] || die "$img: could not decompress vmlinux ($cmd)"
}

# "RELEASE VERSION" of the newest cloud kernel of line $1 that has headers,
# from the lists as they are now (sid drops old versions: resolved each fetch).
resolve_newest() {
	local line=$1 rels rel pkg ver best='' bestver=''
	local -A newest
	papt_refresh
	rels=$(papt apt-cache pkgnames linux-headers- 2>/dev/null |
		grep -E "^linux-headers-${line//./\\.}\.[0-9.]+\+deb[0-9]+-cloud-amd64\$" | sed 's/^linux-headers-//')
	# one apt-cache for every candidate's headers and image: each start reads
	# the four suites' lists, about 2 s
	while read -r pkg ver; do
		if [ -z "${newest[$pkg]:-}" ] || dpkg --compare-versions "$ver" gt "${newest[$pkg]}"; then
			newest[$pkg]=$ver
		fi
	done < <([ -z "$rels" ] || papt apt-cache madison $(sed 's/^/linux-headers-/; p; s/^linux-headers-/linux-image-/' <<<"$rels") 2>/dev/null |
		awk '{ print $1, $3 }')
	for rel in $rels; do
		ver=${newest[linux-headers-$rel]:-}
		[ -n "$ver" ] && [ "${newest[linux-image-$rel]:-}" = "$ver" ] || continue
		if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$bestver"; then
			best=$rel bestver=$ver
		fi
	done
	[ -n "$best" ] || die "no $line.x cloud kernel with headers in sid or trixie-backports"
	echo "$best $bestver"
}

fetch_kernel() {
	local line=$1 rel ver toolchain kdir root tmp deb pkgs p vmlinuz inc
	read -r rel ver toolchain < <(awk -v l="$line" '$1 == l { print $2, $3, $4 }' "$conf")
	[ -n "$rel" ] || die "kernel line '$line' is not in selftests/kernels.conf (lines: $(lines | tr '\n' ' '))"
	if [ "$rel" = newest ]; then
		# resolved once (make check resolves anew), then reused offline
		if [ -z "$resolve" ] && [ -e "$cache/kernels/newest-$line/.done" ]; then
			rel=$(cat "$cache/kernels/newest-$line/release")
		elif ! read -r rel ver < <(resolve_newest "$line"); then
			[ -e "$cache/kernels/newest-$line/.done" ] || exit 1
			rel=$(cat "$cache/kernels/newest-$line/release")
			log "cannot resolve the newest $line.x now; using the cached $rel"
		else
			log "newest $line.x cloud kernel with headers: $rel ($ver)"
		fi
	fi
	kdir=$cache/kernels/$rel
	root=$kdir/root
	if [ ! -e "$kdir/.done" ]; then
		need objcopy binutils
		need od coreutils
		rm -rf "$kdir"
		mkdir -p "$kdir"
		tmp=$(mktemp -d "$kdir/root.tmp.XXXXXX")
		# 7.x splits the image (vmlinuz in linux-binary-*) and the headers
		pkgs=("linux-image-$rel" "linux-headers-$rel")
		for p in "${pkgs[@]}"; do
			deb=$(fetch_deb "$p" "$ver")
			pkgs+=($(deps_of "$deb" '^linux-(binary-[0-9]|headers-.*-common$|kbuild-)'))
		done
		for p in "${pkgs[@]}"; do
			case $p in
			linux-kbuild-*) deb=$(fetch_deb "$p" "$(newest_version "$p")") ;;
			*) deb=$(fetch_deb "$p" "$ver") ;;
			esac
			log "extracting $(basename "$deb")"
			dpkg-deb -x "$deb" "$tmp" || die "dpkg -x $deb failed"
		done
		chmod 755 "$tmp"
		mv "$tmp" "$root"
		vmlinuz=$(cd "$kdir" && ls "root/boot/vmlinuz-$rel" "root/usr/lib/modules/$rel/vmlinuz" 2>/dev/null | head -n1 || true)
		[ -n "$vmlinuz" ] || die "no vmlinuz for $rel in ${pkgs[*]}"
		ln -sfn "$vmlinuz" "$kdir/vmlinuz"
		ln -sfn "root/usr/src/linux-headers-$rel" "$kdir/build"
		echo "$rel" >"$kdir/release"
		echo "$ver" >"$kdir/version"
		echo "$toolchain" >"$kdir/toolchain"
		log "extracting BTF from $vmlinuz"
		extract_vmlinux "$kdir/$vmlinuz" "$kdir/vmlinux.tmp"
		objcopy -O binary --only-section=.BTF "$kdir/vmlinux.tmp" "$kdir/btf" || die "objcopy .BTF failed"
		rm -f "$kdir/vmlinux.tmp"
		# BTF magic 0xeb9f, little endian
		[ "$(head -c2 "$kdir/btf" | od -An -t x1 | tr -d ' ')" = 9feb ] || die "$kdir/btf is not BTF"
		touch "$kdir/.done"
	fi
	[ "$(awk -v l="$line" '$1 == l { print $2 }' "$conf")" = newest ] && ln -sfn "$rel" "$cache/kernels/newest-$line"
	# The wrapper Makefile names the common headers (and, from 7.x, its own
	# output directory) by absolute path; point them at our copy (re-checked
	# every run so a moved checkout keeps working).
	inc=$(ls -d "$root"/usr/src/linux-headers-*-common 2>/dev/null | head -n1)
	[ -n "$inc" ] || die "no linux-headers-*-common in $root"
	sed -i -e "s|^include .*/linux-headers-[^/]*-common/Makefile\$|include $inc/Makefile|" \
		-e "s|^\(export KBUILD_OUTPUT *:\?= *\)/.*|\1$root/usr/src/linux-headers-$rel|" \
		-e "s|^\(KBUILD_OUTPUT *:\?= *\)/.*|\1$root/usr/src/linux-headers-$rel|" "$kdir/build/Makefile"
	grep -q "^include $inc/Makefile\$\|$inc" "$kdir/build/Makefile" || die "could not fix include in $kdir/build/Makefile"
	# 7.x's headers leave out scripts/checker-valid.sh, which kbuild asks
	# before C=2 and without which it skips sparse in silence; ours says the
	# checker runs, and what sparse then prints is the test
	if grep -q checker-valid.sh "$inc/Makefile" && [ ! -e "$inc/scripts/checker-valid.sh" ]; then
		printf '#!/bin/sh\n# mntwatch: stands in for the script Debian does not ship\ncommand -v "$1" >/dev/null && echo 1 || echo 0\n' \
			>"$inc/scripts/checker-valid.sh"
		chmod 755 "$inc/scripts/checker-valid.sh"
	fi
	echo "$kdir"
}

# The directory of the line's own modules. Up to 6.12 they come with the
# image package; 7.x moved them to linux-modules-<release> and their lists
# (modules.builtin, modules.order) to linux-base-<release>, both extracted
# into the same root/ on first use.
fetch_modules() {
	local kdir rel deb p moddir
	kdir=$(fetch_kernel "$1")
	rel=$(cat "$kdir/release")
	for moddir in "$kdir/root/lib/modules/$rel" "$kdir/root/usr/lib/modules/$rel" ''; do
		[ -z "$moddir" ] || [ ! -d "$moddir/kernel" ] || [ ! -e "$moddir/modules.builtin" ] || break
	done
	if [ -z "$moddir" ]; then
		deb=$(fetch_deb "linux-image-$rel" "$(cat "$kdir/version")")
		for p in $(deps_of "$deb" "^linux-(modules|base)-$(sed 's/[.+]/\\&/g' <<<"$rel")\$"); do
			deb=$(fetch_deb "$p" "$(cat "$kdir/version")")
			log "extracting $(basename "$deb")"
			dpkg-deb -x "$deb" "$kdir/root" || die "dpkg -x $deb failed"
		done
		moddir=$kdir/root/usr/lib/modules/$rel
		[ -d "$moddir/kernel" ] && [ -e "$moddir/modules.builtin" ] || die "no modules for $rel in $kdir/root"
	fi
	echo "$moddir"
}

# The linux-source package of the line's kernel (same version: Debian builds
# both from one source), the files kselftests.sh needs, once.
fetch_selftests() {
	local kdir ver series dest deb tmp paths
	kdir=$(fetch_kernel "$1")
	ver=$(cat "$kdir/version")
	series=$(sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p' <<<"$ver")
	dest=$kdir/selftests
	# the stamp holds the list, so a longer one extracts again
	paths="tools/testing/selftests/kselftest* tools/testing/selftests/mount* tools/testing/selftests/move_mount*
		tools/testing/selftests/filesystems/* tools/testing/selftests/pidfd/* tools/testing/selftests/clone3/*
		tools/include/* include/uapi/* arch/x86/include/uapi/* fs/namespace.c"
	if [ "$(cat "$dest/.done" 2>/dev/null)" != "$paths" ]; then
		deb=$(fetch_deb "linux-source-$series" "$ver")
		tmp=$(mktemp -d "$kdir/selftests.tmp.XXXXXX")
		log "extracting the selftests, tools/include and uapi headers from $(basename "$deb")"
		# tar reports the patterns a line has no file for (move_mount_set_group before 5.15)
		set -f	# the patterns are tar's, not this shell's
		# shellcheck disable=SC2086
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/linux-source-$series.tar.xz" |
			xz -dc | tar -x -C "$tmp" --strip-components=1 --wildcards \
			$(printf "linux-source-$series/%s " $paths) 2>"$tmp.log" ||
			grep -v -e 'Not found in archive' -e 'Exiting with failure status' "$tmp.log" >&2 || true
		set +f
		rm -f "$tmp.log"
		[ -e "$tmp/fs/namespace.c" ] && [ -e "$tmp/tools/testing/selftests/kselftest_harness.h" ] ||
			{ rm -rf "$tmp"; die "extracting the selftests from $(basename "$deb") failed"; }
		chmod 755 "$tmp"
		echo "$paths" >"$tmp/.done"
		rm -rf "$dest"
		mv "$tmp" "$dest"
	fi
	echo "$dest"
}

resolve=''
[ "${1:-}" != --resolve ] || { resolve=1; shift; }
[ "${1:-}" != modules ] || [ $# -ne 2 ] || { fetch_modules "$2"; exit; }
[ "${1:-}" != selftests ] || [ $# -ne 2 ] || { fetch_selftests "$2"; exit; }
[ $# -eq 1 ] || die "usage: $0 [--resolve] LINE|lines|source, or modules|selftests LINE (lines: $(lines | tr '\n' ' '))"
case $1 in
lines) lines ;;
source) fetch_source ;;
*) fetch_kernel "$1" ;;
esac
