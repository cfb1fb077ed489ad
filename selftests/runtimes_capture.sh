#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs the real-runtime scenarios of selftests/runtimes_lib.sh once each on
# this kernel line with the module loaded, and keeps their evidence for
# fixtures and reports:
#
#   make vm-run KVER=LINE ROOT=runtimes OUT=DIR SCRIPT=selftests/runtimes_capture.sh
#
# DIR/<scenario>/ as runtimes_lib.sh describes; DIR/versions the kernel and
# runtime versions; DIR/summary one line per scenario. The module is loaded
# afresh before each scenario, so its tables hold that scenario alone.
# CAPTURE_LIMIT (default 3000), CAPTURE_STEPS (default 12) and
# CAPTURE_STARTS (default 10) size them.
. runtimes_lib.sh
out=${MNTWATCH_OUT:?"run with vmtest.sh -o DIR (make vm-run OUT=DIR)"}
limit=${CAPTURE_LIMIT:-3000}
steps=${CAPTURE_STEPS:-12}
starts=${CAPTURE_STARTS:-10}

fresh_module() {
	! grep -q '^mntwatch ' /proc/modules || rmmod mntwatch || return 1
	insmod "$MNTWATCH_KO"
}

{
	echo "kernel $(uname -r)"
	echo "docker $(docker version -f '{{.Server.Version}}')"
	echo "containerd $(ctr version | awk '/Version:/ { v = $2 } END { print v }')"
	echo "runc $(runc --version | awk 'NR == 1 { print $3 }')"
	echo "podman $(podman --version | awk '{ print $3 }')"
	echo "podman-runtime $(podman info -f '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}' | head -n1)"
	echo "busybox-image $(cat /usr/local/share/mntwatch/busybox-image.id)"
} >"$out/versions"
cat "$out/versions"

scenario() {
	name=$1
	shift
	fresh_module || { echo "$name: cannot load mntwatch.ko"; return 1; }
	t0=$(rt_now)
	"$@"
	rc=$?
	secs=$(echo "$(rt_now) $t0" | awk '{ printf "%.0f", $1 - $2 }')
	echo "$name: exit $rc, ${secs}s" | tee -a "$out/summary"
	for f in steps.tsv starts.tsv; do [ ! -f "$out/$name/$f" ] || sed 's/^/  /' "$out/$name/$f"; done
	for f in docker-error.txt runtime-error.txt; do [ ! -f "$out/$name/$f" ] || sed 's/^/  error: /' "$out/$name/$f"; done
	[ ! -f "$out/$name/last-event" ] || tr '\n' ' ' <"$out/$name/last-event" | sed 's/^/  last event: /; s/$/\n/'
}

scenario docker-cp rt_docker_cp "$limit" "$steps" "$out/docker-cp"
scenario docker-cp-rslave rt_docker_cp "$limit" "$steps" "$out/docker-cp-rslave" -v /var/run:/var/run:rslave
scenario podman-loop rt_restart_loop podman "$limit" "$starts" "$out/podman-loop"
scenario ctr-loop rt_restart_loop ctr "$limit" "$starts" "$out/ctr-loop"
[ ! -f "$out/podman-loop/starts.tsv" ] || echo "podman-loop: host after cleanup $(cat "$out/podman-loop/host-after-cleanup")"
