#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copies the modules a kernel line needs in the VM, with every module they
# depend on, from the line's own Debian packages into an initramfs tree.
#
#   selftests/kmods.sh LINE TREE MODULE...
#
# Writes TREE/lib/modules/<release>/kernel/<path>.ko (uncompressed: busybox's
# insmod reads plain ELF only; the signature Debian appends stays inside),
# modules.dep and modules.builtin there for the guest's modprobe, and
# TREE/lib/modules/load-order: the files to insmod, dependencies first. A
# module the kernel has built in is left out; one it has neither built in nor
# as a file is an error.
set -euo pipefail

die() { echo "kmods: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (install Debian package $2; make deps does)"; }

[ $# -ge 3 ] || die "usage: $0 LINE TREE MODULE..."
line=$1 tree=$2
shift 2
need modinfo kmod
need depmod kmod
top=$(cd "$(dirname "$0")/.." && pwd)
src=$("$top/selftests/fetch-kernel.sh" modules "$line") || die "fetch-kernel.sh modules $line failed"
rel=$(basename "$src")
dst=$tree/lib/modules/$rel
mkdir -p "$dst"
cp "$src/modules.builtin" "$src/modules.order" "$dst/"
[ ! -e "$src/modules.builtin.modinfo" ] || cp "$src/modules.builtin.modinfo" "$dst/"
: >"$tree/lib/modules/load-order"

# module names treat - and _ alike (grep reads to the end: with -q it could
# leave sed a closed pipe, which pipefail reports)
builtin() { sed 's/-/_/g' "$src/modules.builtin" | grep "/${1//-/_}\.ko\$" >/dev/null; }

add() {
	local name=${1//-/_} file rel_path out dep
	grep -qx "$name" "$tree/lib/modules/.seen" 2>/dev/null && return
	echo "$name" >>"$tree/lib/modules/.seen"
	file=$(find "$src/kernel" -name "$(sed 's/_/[-_]/g' <<<"$name").ko*" | head -n1)
	if [ -z "$file" ]; then
		builtin "$name" && return
		die "$rel has no module $name (neither a file under $src/kernel nor built in)"
	fi
	rel_path=${file#"$src/"}
	out=$dst/${rel_path%.ko*}.ko
	mkdir -p "$(dirname "$out")"
	case $file in
	*.ko) cp "$file" "$out" ;;
	*.ko.xz) need xz xz-utils; xz -dc "$file" >"$out" ;;
	*.ko.zst) need zstd zstd; zstd -dcq "$file" >"$out" ;;
	*.ko.gz) gzip -dc "$file" >"$out" ;;
	*) die "unknown module compression: $file" ;;
	esac
	for dep in $(modinfo -F depends "$out" | tr ',' ' '); do add "$dep"; done
	echo "${out#"$tree"}" >>"$tree/lib/modules/load-order"
}

for m in "$@"; do add "$m"; done
rm -f "$tree/lib/modules/.seen"
depmod -b "$tree" "$rel" || die "depmod for $rel failed"
