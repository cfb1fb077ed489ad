#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: host unit tests, static checks, then the whole suite inside
# qemu on every kernel line named on the command line (selftests/kernels.conf),
# two VMs at a time. Ends with one line "N passed, N failed"; a kernel that
# cannot be fetched, built or booted is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
logs=$top/build/check
mkdir -p "$logs"
passed=0
failed=0

result() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1"
		passed=$((passed + 1))
	else
		echo "not ok - $1"
		failed=$((failed + 1))
	fi
}

# Counts the TAP results a VM run printed (each test line once).
count_tap() {
	local ok bad
	ok=$(grep -c '^ok ' "$1")
	bad=$(grep -c '^not ok ' "$1")
	passed=$((passed + ok))
	failed=$((failed + bad))
}

# The resolver must agree with bpftool on every field, and pick the member
# name this kernel really has.
btf_test() {
	local label=$1 btf=$2 expect_mounts=$3 out field offset where oracle status=0
	declare -A oracles
	out=$(build/bin/btf_resolve "$btf") || status=1
	while read -r where oracle; do oracles[$where]=$oracle; done < <(bpftool btf dump file "$btf" format raw |
		awk -v queries="$(awk '$1 != "count_mounts" { print $3 }' <<<"$out")" -f selftests/btf_oracle.awk)
	while read -r field offset where; do
		[ "$field" = count_mounts ] && continue
		oracle=${oracles[$where]:--}
		if [ "$offset" != "$oracle" ]; then
			echo "# $label: $field at $offset ($where), bpftool says $oracle"
			status=1
		fi
	done <<<"$out"
	if [ -n "$expect_mounts" ] && ! grep -qx "ns_mounts [0-9]* mnt_namespace.$expect_mounts" <<<"$out"; then
		echo "# $label: ns_mounts should resolve through '$expect_mounts':"
		grep '^ns_mounts' <<<"$out" | sed 's/^/# /'
		status=1
	fi
	grep -qx 'count_mounts int(struct mnt_namespace \*, struct mount \*)' <<<"$out" || {
		echo "# $label: count_mounts prototype not verified"; status=1; }
	result "btf resolver matches bpftool on $label" $status
}

echo "# host tests"
for need in bpftool:bpftool jq:jq promtool:prometheus qemu-system-x86_64:qemu-system-x86 pahole:dwarves; do
	command -v "${need%%:*}" >/dev/null ||
		result "${need%%:*} present (apt-get install ${need#*:})" 1
done
make -s build/bin/btf_resolve || result "build btf_resolve" 1
if [ -r /sys/kernel/btf/vmlinux ]; then
	btf_test "host $(uname -r)" /sys/kernel/btf/vmlinux ""
else
	echo "# host kernel has no BTF: host-kernel case not run"
fi
# a file whose ns.inum is an array of itself: refused at once, not looped on
selftests/selfref_btf.sh >"$logs/selfref.btf"
timeout 20 build/bin/btf_resolve "$logs/selfref.btf" >"$logs/selfref.out" 2>&1
status=$?
sed 's/^/# /' "$logs/selfref.out" | head -n 1
[ $status -eq 1 ] && grep -qx 'ns_inum - Invalid argument' "$logs/selfref.out"
result "btf resolver refuses a BTF with an array of itself (exit $status)" $?
head -c 4096 /sys/kernel/btf/vmlinux >"$logs/truncated.btf" 2>/dev/null ||
	printf 'not btf' >"$logs/truncated.btf"
! build/bin/btf_resolve "$logs/truncated.btf" >/dev/null 2>&1
result "btf resolver refuses a truncated BTF file" $?

# the namespace's mount count became nr_mounts when its mounts became an rbtree (6.8)
declare -A expect=([5.10]=mounts [6.1]=mounts [6.12]=nr_mounts [7]=nr_mounts)
lines=()
for kver in "$@"; do
	# "newest" lines are resolved anew here, once; the suite reuses the result
	if ! kdir=$(selftests/fetch-kernel.sh --resolve "$kver" 2>"$logs/fetch-$kver.log"); then
		cat "$logs/fetch-$kver.log"
		result "fetch the Debian $kver kernel" 1
		continue
	fi
	result "fetch the Debian $kver kernel: $(cat "$kdir/release") ($(cat "$kdir/version"))" 0
	lines+=("$kver")
	btf_test "Debian $(cat "$kdir/release")" "$kdir/btf" "${expect[$kver]:-}"
done

src=$(selftests/fetch-kernel.sh source 2>"$logs/source.log") || cat "$logs/source.log"
# an out-of-tree module must name kernel versions: compat.h is where it does
perl "$src/scripts/checkpatch.pl" --no-tree --strict --quiet --ignore LINUX_VERSION_CODE \
	-f module/*.c module/*.h selftests/kretprobe_floor.c >"$logs/checkpatch.log" 2>&1
status=$?
sed 's/^/# /' "$logs/checkpatch.log"
result "checkpatch --strict clean on module/ and the bench baseline module" $status

make -s tool build/bin/mntwatch_test build/bin/mntwatch build/bin/ns_churn build/bin/hold_open build/bin/detached_mounts \
	>"$logs/build-tests.log" 2>&1
status=$?
sed 's/^/# /' "$logs/build-tests.log"
result "build the tool and the static VM binaries" $status

# the host tests of tools/mntwatch beside make image, the image the
# DaemonSet runs (it also builds every line's module, so the suites' builds
# find them done)
make -s -C tools test >"$logs/tools.log" 2>&1 &
tools_pid=$!
image=failed
make -s image >"$logs/image.log" 2>&1 && image=ok
wait $tools_pid
status=$?
echo "# tools/mntwatch host tests"
grep -v ' passed, ' "$logs/tools.log"
count_tap "$logs/tools.log"
result "tools/mntwatch host test run completed" $status
echo "# make image, deploy/mntwatch-load, the image's build path"
grep -e '^image: ' -e 'rror' "$logs/image.log" | sed 's/^/# /'
result "make image: the OCI archive with the tool, the loader and a module for every line" "$([ $image = ok ] && echo 0 || echo 1)"

# The runtimes root first (the runtimes boots wait for it), then the loader
# on fake nodes, (as root) the image's own gcc-12 building for the lines the
# VMs' build path does not, make install, the YAML and node_exporter: one
# host thread beside the first VMs. Its output goes to prepare.log, printed
# and counted after the VMs with the tests' own logs; "prepared" tells the
# runtimes boots the root's state.
prepare() {
	local status
	echo "# the Debian bookworm root with docker, podman and containerd (selftests/runtimes-root.sh)"
	status=1
	selftests/runtimes-root.sh >"$logs/runtimes-root.log" 2>&1 && status=0
	sed 's/^/# /' "$logs/runtimes-root.log" | tail -n 20
	tap "the runtimes root is built" $status
	echo "$([ $status -eq 0 ] && echo ok || echo failed)" >"$logs/prepared"
	# the rest at the lowest priority: it takes the CPU the VMs leave idle
	# (a guest waiting on a timer halts) instead of slowing the first two
	renice -n 19 -p $BASHPID >/dev/null
	selftests/loader_test.sh >"$logs/loader.log" 2>&1
	status=$?
	grep -v '^ok ' "$logs/loader.log" | sed 's/^not ok/# not ok/'
	tap "mntwatch-load tests completed" $status
	if [ $image = ok ]; then
		selftests/image_test.sh 5.10 6.12 >"$logs/image-test.log" 2>&1
		status=$?
		grep -v '^ok ' "$logs/image-test.log" | sed 's/^not ok/# not ok/'
		tap "image tests completed" $status
	fi
	# installing and deploying, printed with the results at the end
	for t in install deploy exporter; do
		selftests/${t}_test.sh >"$logs/$t.log" 2>&1
		echo $? >"$logs/$t.status"
	done
}

# One kernel line's suite: module build, sparse, the bench baseline, then
# run_vm (kselftests, life cycle, tool), storm and churn, and dkms in qemu.
# Its output is one log whose ok/not ok lines are counted once it is done.
suite() {
	local kver=$1 kdir rel status laps='' lap_t=$SECONDS
	# lap NAME: the seconds since the last lap, for the suite's time line
	lap() { laps="$laps${laps:+, }$1 $((SECONDS - lap_t)) s"; lap_t=$SECONDS; }
	kdir=$(selftests/fetch-kernel.sh "$kver") || { echo "not ok - fetch the Debian $kver kernel"; return; }
	rel=$(cat "$kdir/release")
	echo "# Debian $kver kernel in qemu: $rel"
	if ! make -s module KVER="$kver" >"$logs/module-$kver.log" 2>&1; then
		sed 's/^/# /' "$logs/module-$kver.log"
		echo "not ok - build mntwatch.ko for $rel"
		return
	fi
	echo "ok - build mntwatch.ko for $rel"
	selftests/kbuild.sh "$kver" make -s -C '$KDIR/build' M="$top/build/$kver/src" C=2 modules \
		>"$logs/sparse-$kver.log" 2>&1
	status=$?
	grep -v '^Skipping BTF' "$logs/sparse-$kver.log" | sed 's/^/# /' | tee "$logs/sparse-$kver.out"
	[ -s "$logs/sparse-$kver.out" ] && status=1
	tap "sparse (C=2) clean on module/ for $rel" $status
	make -s floor KVER="$kver" >"$logs/floor-$kver.log" 2>&1
	status=$?
	grep -v '^Skipping BTF' "$logs/floor-$kver.log" | sed 's/^/# /'
	tap "build the bench baseline kretprobe_floor.ko for $rel" $status
	# the kernel's own mount selftests of this line, from its linux-source
	selftests/kselftests.sh "$kver" >"$logs/kselftests-$kver.log" 2>&1
	status=$?
	echo "# kernel selftests built for $rel: $(grep -c '^built ' "$logs/kselftests-$kver.log")"
	grep -v '^built ' "$logs/kselftests-$kver.log" | sed 's/^/# /'
	tap "build the kernel's mount selftests of $rel (selftests/kselftests.sh)" $status
	lap builds
	# -cpu max: SMAP on, as on the hardware nodes run, where a kernel load
	# from a user address oopses even in a no-fault section
	VMTEST_QEMU_ARGS="-cpu max" selftests/vmtest.sh -k "$kver" -m "build/$kver/mntwatch.ko" -t 900 \
		-b build/bin/mntwatch_test -b build/bin/mntwatch -b selftests/tool_vm.sh -b selftests/loops_vm.sh \
		-b selftests/restart_vm.sh -b selftests/vmlib.sh -b "$(command -v jq)" -b "$(command -v promtool)" \
		-b selftests/trace_vm.sh -b "$(command -v perf)" \
		-b selftests/kselftests_vm.sh -b "build/kselftests/$kver/kselftests.tar" -b build/bin/detached_mounts \
		-b build/bin/hold_open -b selftests/selfref_btf.sh -b "$kdir/btf" -s selftests/run_vm.sh 2>&1 | tr -d '\r'
	tap "Debian $rel VM run completed" "${PIPESTATUS[0]}"
	lap "run_vm boot"
	# robustness: load/unload under mount and read storms, then 10,000
	# namespaces of churn, in one boot
	selftests/vmtest.sh -k "$kver" -m "build/$kver/mntwatch.ko" -b build/bin/ns_churn -b selftests/vmlib.sh \
		-b build/bin/mntwatch -b selftests/storm.sh -b selftests/churn.sh -t 900 -s selftests/stress_vm.sh 2>&1 | tr -d '\r'
	tap "Debian $rel storm and churn run completed" "${PIPESTATUS[0]}"
	lap "storm and churn boot"
	selftests/dkms_test.sh "$kver" >"$logs/dkms-$kver.log" 2>&1
	status=$?
	sed 's/^# //; s/^/# /' "$logs/dkms-$kver.log"
	tap "dkms builds mntwatch.ko for $rel, seed case passes with it in the VM" $status
	lap dkms
	echo "# $rel suite: $laps"
	# the same build either way on every line: one line shows the difference
	[ "$kver" = "${lines[0]}" ] || return 0
	selftests/werror_test.sh "$kver" >"$logs/werror-$kver.log" 2>&1
	status=$?
	sed 's/^# //; s/^/# /' "$logs/werror-$kver.log"
	tap "a warning fails the make check build for $rel, not the DKMS one" $status
}

# One kernel line's boot of the runtimes root: docker, podman and containerd
# run busybox with the module loaded (selftests/runtimes_vm.sh), pods named
# as podman inspect names them (pods_vm.sh); then, in the same boot, the
# docker cp incident and the podman and ctr restart loops
# (incident_docker_vm.sh, incident_restart_vm.sh), pods through containerd's
# CRI (cri_vm.sh, crictl.py), then the DaemonSet's containers from the image
# (selftests/deploy_e2e.sh, deploy_vm.sh; the build path on 6.1). It needs
# the line's module and the image (make image) and the root (prepare).
runtimes() {
	local kver=$1 rel start=$SECONDS root
	rel=$(cat "$(selftests/fetch-kernel.sh "$kver")/release") || { echo "not ok - fetch the Debian $kver kernel"; return; }
	while [ ! -s "$logs/prepared" ] && kill -0 "$prepare_pid" 2>/dev/null; do sleep 5; done
	root=$(cat "$logs/prepared" 2>/dev/null || echo failed)
	if [ "$root" = ok ] && [ "$image" = ok ]; then
		E2E_BEFORE=selftests/runtimes_vm.sh selftests/deploy_e2e.sh "$kver" -m "build/$kver/mntwatch.ko" \
			-b build/bin/mntwatch -b selftests/runtimes_lib.sh -b selftests/incident_docker_vm.sh \
			-b selftests/incident_restart_vm.sh -b selftests/fix_vm.sh -b selftests/cri_vm.sh -b selftests/crictl.py \
			-b selftests/pods_vm.sh -b "$(command -v jq)"
	else
		tap "Debian $rel runtimes VM run (runtimes root: $root, image: $image)" 1
	fi
	echo "# $rel runtimes boot: $((SECONDS - start)) s"
}

tap() { if [ "$2" -eq 0 ]; then echo "ok - $1"; else echo "not ok - $1"; fi; }

# Two VMs at a time, each one host thread (tcg,thread=single): the runtimes
# boots first, longest first (the lines of the build path, then the newest
# kernels), then the suites. A slot that frees before the root is ready
# takes a suite.
echo "# host tests and make image: $SECONDS s"
rm -f "$logs/prepared" "$logs"/*.status
prepare >"$logs/prepare.log" 2>&1 &
prepare_pid=$!
# a root already built is there at once: the first runtimes boots wait for it
for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$logs/prepared" ] && break; sleep 0.5; done
jobs_max=${CHECK_JOBS:-2}
rt_todo=() suite_todo=()
for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
	suite_todo+=("${lines[i]}")
	if [[ " ${E2E_BUILD_LINES:-6.1} " == *" ${lines[i]} "* ]]; then
		rt_todo=("${lines[i]}" ${rt_todo[@]+"${rt_todo[@]}"})
	else
		rt_todo+=("${lines[i]}")
	fi
done
while [ ${#rt_todo[@]} -gt 0 ] || [ ${#suite_todo[@]} -gt 0 ]; do
	if [ "$(jobs -rp | grep -vcx "$prepare_pid")" -ge "$jobs_max" ]; then
		wait -n || true
	elif [ ${#rt_todo[@]} -gt 0 ] && { [ -s "$logs/prepared" ] || ! kill -0 "$prepare_pid" 2>/dev/null; }; then
		runtimes "${rt_todo[0]}" >"$logs/runtimes-${rt_todo[0]}.log" 2>&1 &
		rt_todo=(${rt_todo[@]:1})
	elif [ ${#suite_todo[@]} -gt 0 ]; then
		suite "${suite_todo[0]}" >"$logs/suite-${suite_todo[0]}.log" 2>&1 &
		suite_todo=(${suite_todo[@]:1})
	else
		sleep 5
	fi
done
wait
cat "$logs/prepare.log"
count_tap "$logs/prepare.log"
count_tap "$logs/loader.log"
[ $image = ok ] && count_tap "$logs/image-test.log"
[ -s "$logs/prepared" ] || result "prepare() ended before it told the suites" 1
for kver in ${lines[@]+"${lines[@]}"}; do
	for job in suite runtimes; do
		cat "$logs/$job-$kver.log"
		count_tap "$logs/$job-$kver.log"
	done
done

echo "# installing and deploying (dkms, make install, deploy/kubernetes)"
sed 's/^/# /' "$logs/install.log"
result "make install/uninstall into a DESTDIR (Debian 6.1 headers)" "$(cat "$logs/install.status" 2>/dev/null || echo 1)"
sed 's/^# //; s/^/# /' "$logs/deploy.log"
result "deploy/kubernetes YAML parses, alerts use only metrics the tool emits" "$(cat "$logs/deploy.status" 2>/dev/null || echo 1)"
sed 's/^# //; s/^/# /' "$logs/exporter.log"
result "prometheus-node-exporter serves the mntwatch series that metrics --output wrote" \
	"$(cat "$logs/exporter.status" 2>/dev/null || echo 1)"

echo "# make check's suite took $((SECONDS / 60)) min $((SECONDS % 60)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
