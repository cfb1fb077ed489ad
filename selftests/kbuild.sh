#!/bin/bash
# Runs a command with the toolchain a kernel line's headers ask for
# (selftests/kernels.conf), with KDIR set to the cached kernel's directory.
#
#   selftests/kbuild.sh LINE make -C '$KDIR/build' M=... modules
#   selftests/kbuild.sh LINE dkms ...
#
# "host": this machine's gcc; a compiler the headers name but the host lacks
# (5.10 asks for gcc-10) is stood in for by gcc-12 through a shim directory on
# PATH, so plain make and dkms both find it. "trixie": the command runs in a
# cached Debian trixie root (debootstrap; gcc-14, glibc 2.38 for 7.x's
# kbuild tools; sparse from sid, as trixie's 0.6.4 cannot parse 7.x's
# __typeof_unqual__), chrooted in a private mount namespace that sees this
# checkout at the same path. Arguments are expanded once more, so '$KDIR'
# may be quoted by the caller.
set -euo pipefail

die() { echo "kbuild: $*" >&2; exit 1; }
log() { echo "kbuild: $*" >&2; }

top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || die "usage: $0 LINE COMMAND..."
line=$1
shift
KDIR=$("$top/selftests/fetch-kernel.sh" "$line") || die "fetch-kernel.sh $line failed"
export KDIR
toolchain=$(cat "$KDIR/toolchain")
args=()
for a in "$@"; do args+=("${a//\$KDIR/$KDIR}"); done

# The compiler a Debian headers package was built with (gcc-10 for 5.10),
# from the .kernelvariables its Makefile includes
headers_cc() {
	sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$KDIR/build/.kernelvariables" 2>/dev/null
}

case $toolchain in
host)
	cc=$(headers_cc)
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
		command -v gcc-12 >/dev/null || die "$cc is not installed and gcc-12 cannot stand in for it (make deps)"
		shim=$top/.cache/toolchains/shim-$line
		mkdir -p "$shim"
		ln -sfn "$(command -v gcc-12)" "$shim/$cc"
		export PATH=$shim:$PATH
	fi
	exec "${args[@]}"
	;;
trixie)
	root=$top/.cache/toolchains/trixie
	recipe="trixie: gcc-14 make libc6-dev pahole kmod dkms; sid: sparse"
	if [ "$(cat "$root/.done" 2>/dev/null)" != "$recipe" ]; then
		command -v debootstrap >/dev/null || die "missing tool 'debootstrap' (install Debian package debootstrap; make deps does)"
		. "$top/selftests/debian.sh"
		log "creating a Debian trixie root with gcc-14 in .cache/toolchains/trixie (debootstrap, once)"
		rm -rf "$root" "$root.tmp"
		mkdir -p "$root.tmp/debs"
		debootstrap --variant=minbase \
			--include=gcc-14,make,libc6-dev,libelf1t64,libssl3t64,zlib1g,pahole,kmod,dkms \
			trixie "$root.tmp" "$mirror" >"$top/.cache/toolchains/trixie.log" 2>&1 ||
			die "debootstrap trixie failed, see .cache/toolchains/trixie.log"
		papt_lists
		(cd "$root.tmp/debs" && papt apt-get download -q sparse/sid >&2) &&
			dpkg-deb -x "$root.tmp"/debs/sparse_*.deb "$root.tmp" ||
			die "could not add sid's sparse to the trixie root"
		rm -rf "$root.tmp/debs"
		mv "$root.tmp" "$root"
		echo "$recipe" >"$root/.done"
	fi
	command -v unshare >/dev/null || die "missing tool 'unshare' (install Debian package util-linux)"
	# The mounts live in a namespace of their own. Where / is no mount point
	# (a chroot, as on a fresh machine made with debootstrap) its propagation
	# cannot be made private: the namespace then keeps the parent's, and the
	# mounts are undone when the command ends.
	propagation=private
	unshare -m --propagation private true 2>/dev/null || propagation=unchanged
	exec unshare -m --propagation $propagation /bin/sh -c '
		root=$1 top=$2 cwd=$3
		shift 3
		undo=
		bind() { mkdir -p "$2" && mount --bind "$1" "$2" && undo="$2 $undo"; }
		bind "$top" "$root$top" || exit 1
		# a .cache that links elsewhere is seen at its real path too
		cache=$(readlink -f "$top/.cache")
		if [ "$cache" != "$top/.cache" ]; then
			bind "$cache" "$root$cache" || exit 1
		fi
		bind /dev "$root/dev" && mount -t proc proc "$root/proc" && undo="$root/proc $undo" || exit 1
		chroot "$root" /usr/bin/env -C "$cwd" PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
		rc=$?
		for m in $undo; do umount "$m"; done
		exit $rc
	' kbuild "$root" "$top" "$PWD" "${args[@]}"
	;;
*) die "unknown toolchain '$toolchain' in $KDIR/toolchain" ;;
esac
