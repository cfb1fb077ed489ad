#!/bin/bash
# Fetch a Debian bookworm cloud kernel (image + headers + kbuild) or the few
# linux-source-6.1 files we need into .cache/, without installing anything.
#
#   selftests/fetch-kernel.sh 6.1|6.12   -> prints .cache/kernels/<release>
#   selftests/fetch-kernel.sh source     -> prints .cache/linux-source-6.1
#
# Kernel dir layout: vmlinuz, build (KDIR for make -C build M=...), release,
# btf (raw .BTF, same format as /sys/kernel/btf/vmlinux), root/ (dpkg -x tree).
# Idempotent: a .done stamp marks a finished directory. Logs go to stderr.
set -euo pipefail

die() { echo "fetch-kernel: $*" >&2; exit 1; }
log() { echo "fetch-kernel: $*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2)"; }

top=$(cd "$(dirname "$0")/.." && pwd)
cache=$top/.cache
debdir=$cache/deb

need apt-cache apt
need apt-get apt
need dpkg-deb dpkg
need tar tar
need xz xz-utils

# Candidate version of a package, from the local apt lists.
candidate() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}

# Download package $1 (candidate version) into .cache/deb unless cached; print the .deb path.
fetch_deb() {
	local pkg=$1 ver f
	ver=$(candidate "$pkg")
	[ -n "$ver" ] || die "apt does not know package $pkg (run apt-get update?)"
	f=$(ls "$debdir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
	if [ -z "$f" ]; then
		log "downloading $pkg $ver"
		mkdir -p "$debdir"
		(cd "$debdir" && apt-get download -q "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
		f=$(ls "$debdir/${pkg}_${ver//:/%3a}_"*.deb 2>/dev/null | head -n1 || true)
		[ -n "$f" ] || die "apt-get download $pkg=$ver produced no .deb in $debdir"
	fi
	echo "$f"
}

# First "Depends:" of package $1 whose name matches the regex $2.
dep_of() {
	apt-cache depends "$1" 2>/dev/null | awk -v re="$2" '$1 == "Depends:" && $2 ~ re { print $2; exit }'
}

fetch_source() {
	local dest=$cache/linux-source-6.1 deb tmp
	local files=(tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
		scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch)
	if [ ! -e "$dest/.done" ]; then
		deb=$(fetch_deb linux-source-6.1)
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

fetch_kernel() {
	local series=$1 meta img rel hdr common kbuild kdir root tmp deb inc
	case $series in
	6.1) meta=linux-image-cloud-amd64 ;;
	6.12) meta=linux-image-6.12-cloud-amd64 ;;
	esac
	img=$(dep_of "$meta" '^linux-image-')
	[ -n "$img" ] || die "cannot resolve $meta with apt-cache depends (run apt-get update?)"
	rel=${img#linux-image-}
	kdir=$cache/kernels/$rel
	root=$kdir/root
	if [ ! -e "$kdir/.done" ]; then
		need objcopy binutils
		need od coreutils
		hdr=linux-headers-$rel
		common=$(dep_of "$hdr" '^linux-headers-.*-common$')
		kbuild=$(dep_of "$hdr" '^linux-kbuild-')
		[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve common/kbuild dependencies of $hdr"
		rm -rf "$kdir"
		mkdir -p "$kdir"
		tmp=$(mktemp -d "$kdir/root.tmp.XXXXXX")
		for p in "$img" "$hdr" "$common" "$kbuild"; do
			deb=$(fetch_deb "$p")
			log "extracting $(basename "$deb")"
			dpkg-deb -x "$deb" "$tmp" || die "dpkg -x $deb failed"
		done
		chmod 755 "$tmp"
		mv "$tmp" "$root"
		[ -f "$root/boot/vmlinuz-$rel" ] || die "no boot/vmlinuz-$rel in $img"
		ln -sfn "root/boot/vmlinuz-$rel" "$kdir/vmlinuz"
		ln -sfn "root/usr/src/linux-headers-$rel" "$kdir/build"
		echo "$rel" >"$kdir/release"
		log "extracting BTF from vmlinuz-$rel"
		extract_vmlinux "$root/boot/vmlinuz-$rel" "$kdir/vmlinux.tmp"
		objcopy -O binary --only-section=.BTF "$kdir/vmlinux.tmp" "$kdir/btf" || die "objcopy .BTF failed"
		rm -f "$kdir/vmlinux.tmp"
		# BTF magic 0xeb9f, little endian
		[ "$(head -c2 "$kdir/btf" | od -An -t x1 | tr -d ' ')" = 9feb ] || die "$kdir/btf is not BTF"
		touch "$kdir/.done"
	fi
	# The wrapper Makefile includes the common headers by absolute path; point it
	# at our copy (re-checked every run so a moved checkout keeps working).
	inc=$(ls -d "$root"/usr/src/linux-headers-*-common 2>/dev/null | head -n1)
	[ -n "$inc" ] || die "no linux-headers-*-common in $root"
	sed -i "s|^include .*/linux-headers-[^/]*-common/Makefile\$|include $inc/Makefile|" "$kdir/build/Makefile"
	grep -qx "include $inc/Makefile" "$kdir/build/Makefile" || die "could not fix include in $kdir/build/Makefile"
	echo "$kdir"
}

[ $# -eq 1 ] || die "usage: $0 6.1|6.12|source"
case $1 in
6.1 | 6.12) fetch_kernel "$1" ;;
source) fetch_source ;;
*) die "usage: $0 6.1|6.12|source (got '$1')" ;;
esac
