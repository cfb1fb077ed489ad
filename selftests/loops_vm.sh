#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mntwatch loops and the namespace census on a real kernel, inside the VM:
# a live propagation loop is found long before any ENOSPC, in the right
# namespace at the right mountpoint; a container-like namespace with slave
# and private mounts is no loop; a namespace held only by a bind-mounted
# nsfs file is listed with its holder and the count the kernel checks; with
# the module loaded the host's namespace is listed before anything mounted
# there. Expected values come from stat and the kernel's own limit check,
# never from the tool. Called by run_vm.sh with the module unloaded.
TAP_PREFIX="loops_vm: "
. vmlib.sh

ns_of() { stat -L -c %i "/proc/$1/ns/mnt"; }

# kernel_count_file FILE M: like kernel_count, entering through an nsfs file
kernel_count_file() {
	old_max=$(cat /proc/sys/fs/mount-max)
	mkdir -p /tmp/probe_mnt
	echo "$2" >/proc/sys/fs/mount-max
	nsenter --mount="$1" mount -t tmpfs probe /tmp/probe_mnt 2>/tmp/probe.err
	fit=$?
	echo $(($2 + 1)) >/proc/sys/fs/mount-max
	nsenter --mount="$1" mount -t tmpfs probe /tmp/probe_mnt
	rc=$?
	echo "$old_max" >/proc/sys/fs/mount-max
	[ $fit -ne 0 ] && grep -q 'No space left' /tmp/probe.err && [ $rc -eq 0 ]
}

# a shared tree bind-mounted inside itself twice: a dozen mounts, a live loop
rm -f /tmp/loop-ready /tmp/ctr-ready
unshare -m sh -c '
	mkdir -p /lp; mount -t tmpfs lp /lp; mount --make-shared /lp
	mkdir -p /lp/a/sub; mount --rbind /lp/a /lp/a/sub; mount --rbind /lp/a /lp/a/sub
	touch /tmp/loop-ready; exec sleep 600' &
looper=$!
# a container: the host's shared volume as a slave, a private tmpfs on top
mkdir -p /tmp/vol; mount -t tmpfs vol /tmp/vol; mount --make-shared /tmp/vol
mkdir -p /tmp/vol/data
unshare -m --propagation slave sh -c '
	mkdir -p /tmp/ctr; mount -t tmpfs ctr /tmp/ctr; mount --make-private /tmp/ctr
	mkdir -p /tmp/ctr/vol /tmp/ctr/run; mount --rbind /tmp/vol /tmp/ctr/vol
	mount --bind /tmp/vol/data /tmp/vol/data; mount -t tmpfs run /tmp/ctr/run
	touch /tmp/ctr-ready; exec sleep 600' &
ctr=$!
wait_for /tmp/loop-ready $looper
wait_for /tmp/ctr-ready $ctr
loop_ns=$(ns_of $looper)
ctr_ns=$(ns_of $ctr)
echo "# loop namespace $loop_ns (pid $looper), container-like $ctr_ns (pid $ctr)"

mntwatch loops -J >/tmp/loops.json 2>/tmp/loops.err
check "loops: exit 0, valid JSON" jq -e .loops /tmp/loops.json
check "loops: the loop in namespace $loop_ns at /lp, /lp/a/sub inside it, with its pid" \
	jq -e --argjson ns "$loop_ns" --argjson pid "$looper" \
	'[.loops[] | select(.ns == $ns and .mountpoint == "/lp" and .inside == "/lp/a/sub" and .factor >= 2 and (.pids | index($pid)))] | length == 1' \
	/tmp/loops.json
check "loops: found long before any failure (fewer than 100 mounts there, no ENOSPC)" \
	jq -e --argjson ns "$loop_ns" '[.loops[] | select(.ns == $ns and .mounts < 100)] | length == 1' /tmp/loops.json
check "loops: no false loop in the container-like namespace (slave and private mounts)" \
	jq -e --argjson ns "$ctr_ns" '[.loops[] | select(.ns == $ns)] | length == 0' /tmp/loops.json
check "loops: no loop on the host" \
	jq -e --argjson ns "$(ns_of $$)" '[.loops[] | select(.ns == $ns)] | length == 0' /tmp/loops.json
mntwatch check --warn 80 --crit 90 --recent 0 >/tmp/check.out
rc=$?
cat /tmp/check.out | sed 's/^/# /'
check "check: WARNING at low use while the loop lives, naming its namespace" \
	sh -c "[ $rc -eq 1 ] && grep -q 'live propagation loop.*namespace $loop_ns .* at /lp propagates into /lp/a/sub' /tmp/check.out"
mntwatch metrics >/tmp/m.prom 2>/dev/null
check "metrics: propagation_loops 1 for the loop, 0 for the container" sh -c "
	grep -q '^mntwatch_namespace_propagation_loops{namespace=\"$loop_ns\"} 1\$' /tmp/m.prom &&
	grep -q '^mntwatch_namespace_propagation_loops{namespace=\"$ctr_ns\"} 0\$' /tmp/m.prom"
if command -v promtool >/dev/null; then
	check "metrics: promtool check metrics" sh -c 'promtool check metrics </tmp/m.prom'
fi
kill $looper $ctr 2>/dev/null
wait $looper $ctr 2>/dev/null
mntwatch loops >/tmp/loops.out 2>&1
check "loops: once the loop is gone, one line says so" \
	sh -c "[ \$(wc -l </tmp/loops.out) -eq 1 ] && grep -q '^No live propagation loop in ' /tmp/loops.out"

# a namespace no process lives in, held by a bind-mounted nsfs file
mkdir -p /run/ns
mount --bind /run/ns /run/ns && mount --make-private /run/ns && touch /run/ns/held
unshare --mount=/run/ns/held sh -c 'mount -t tmpfs a /mnt; mount -t tmpfs b /mnt'
held_ns=$(stat -c %i /run/ns/held)
echo "# held-only namespace $held_ns"
census() {	# census FILE: mntwatch -J into FILE, its row of the held namespace
	mntwatch -J >"$1" 2>/dev/null
	jq -c --argjson ns "$held_ns" '.namespaces[] | select(.ns == $ns)' "$1"
}
row=$(census /tmp/census.json)
echo "# $row"
held_mounts=$(echo "$row" | jq -e 'select(.pids == null and (.held_by | test("/run/ns/held"))) | .mounts')
check "census: the held-only namespace is listed with its holder /run/ns/held" [ -n "$held_mounts" ]
check "census: its count ($held_mounts) is what fs.mount-max is checked against" kernel_count_file /run/ns/held "$held_mounts"

insmod "$MNTWATCH_KO" || { echo "not ok - loops: insmod"; exit 1; }
self_ns=$(ns_of $$)
mntwatch -J >/tmp/mod.json 2>/dev/null
check "with the module: the host's namespace is listed, counted live before it mounted anything" \
	jq -e --argjson ns "$self_ns" '[.namespaces[] | select(.ns == $ns and .source == "live" and .mounts > 0)] | length == 1' /tmp/mod.json
check "with the module: the held-only namespace stays listed with its holder" \
	jq -e --argjson ns "$held_ns" '[.namespaces[] | select(.ns == $ns and (.held_by | test("/run/ns/held")))] | length == 1' /tmp/mod.json
check "with the module: one row per namespace" \
	jq -e '[.namespaces[] | select(.state == "live") | .ns] | (length == (unique | length))' /tmp/mod.json
rmmod mntwatch
umount /run/ns/held && umount /run/ns
umount /tmp/vol 2>/dev/null
echo "# loops_vm: $failed of $n checks failed"
[ $failed -eq 0 ]
