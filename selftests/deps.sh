#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/deps.sh [build|vm|bench|check|all]     (default: all)
#
# The one list of the Debian packages mntwatch's targets need. Each make
# target runs it for what it needs before it starts: packages already there
# cost one dpkg-query; missing ones are installed as root with apt-get
# (update once, --no-install-recommends), said in one line; without root or
# apt-get it stops with the exact apt-get command to run.
set -euo pipefail

# make tool, make KVER=..: the module for a cached Debian kernel and the tool
build=(make gcc gcc-12 libc6-dev binutils dwarves libelf-dev kmod
	apt dpkg tar xz-utils zstd lz4 gzip ca-certificates debootstrap util-linux)
# make demo, make vm-run: the above plus the VM (e2fsprogs: the runtimes root's image)
vm=("${build[@]}" qemu-system-x86 busybox-static cpio e2fsprogs)
# make bench: the VM plus the peer it is measured against
bench=("${vm[@]}" bpftrace)
# make check: the VM plus the static checks and the test tools (linux-perf: the
# tracepoints read through perf in the VM; strace: the mountinfo reads cli.sh counts;
# libcap-dev: the static libcap the kernel's statmount selftests link)
check=("${vm[@]}" perl sparse bpftool jq groff-base prometheus prometheus-node-exporter curl dkms openssl python3-yaml linux-perf strace libcap-dev)

group=${1:-all}
case $group in
build) want=("${build[@]}") ;;
vm) want=("${vm[@]}") ;;
bench) want=("${bench[@]}") ;;
check) want=("${check[@]}") ;;
all) want=("${check[@]}" bpftrace) ;;
*) echo "deps: unknown group '$group' (build, vm, bench, check or all)" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps: missing Debian packages; as root run: apt-get update && $cmd" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/mntwatch-deps.log 2>&1 || {
	tail -n 20 /tmp/mntwatch-deps.log >&2
	echo "deps: '$cmd' failed (log: /tmp/mntwatch-deps.log)" >&2
	exit 1
}
