#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Load/unload storm, run inside the VM (selftests/vmtest.sh): 4 workers mount,
# bind and umount in their own mount namespaces (two of them in a shared
# subtree with a peer in a nested namespace, so every mount propagates), 2
# readers cat every debugfs file, while the module is loaded and unloaded
# CYCLES times. Then the kernel log must be clean and a final load must count
# right. Every result is one TAP line.
dbg=/sys/kernel/debug/mntwatch
cycles=30
w=/tmp/storm
stop=$w/stop
. vmlib.sh

rm -rf $w
mkdir -p $w
start=$(date +%s)

# worker ID: tmpfs and bind mounts in a private namespace
plain_worker() {
	d=$w/$1
	mkdir -p $d/a $d/b
	unshare -m sh -c '
		d='$d' stop='$stop' it=0 bad=0
		while [ ! -e $stop ]; do
			mount -t tmpfs storm $d/a || bad=$((bad + 1))
			mount --bind $d/a $d/b || bad=$((bad + 1))
			umount $d/b || bad=$((bad + 1))
			umount $d/a || bad=$((bad + 1))
			it=$((it + 1))
		done
		echo "$it $bad" >$d/result'
}

# worker ID: a shared tmpfs with a peer bind in this namespace and a peer
# copy in a nested namespace; each mount below it propagates to both. The nested
# one uses --propagation shared (a no-op for the already shared tmpfs), as
# busybox 1.35's "unchanged" fails with EINVAL.
shared_worker() {
	d=$w/$1
	mkdir -p $d/base $d/peer
	unshare -m sh -c '
		d='$d' stop='$stop' it=0 bad=0
		mount -t tmpfs base $d/base && mount --make-shared $d/base &&
			mkdir -p $d/base/sub $d/base/bind &&
			mount --bind $d/base $d/peer || { echo "0 setup" >$d/result; exit 1; }
		unshare -m --propagation shared sh -c "
			touch $d/nested
			while [ ! -e $stop ]; do sleep 0.2; done" &
		i=0
		while [ ! -e $d/nested ]; do
			i=$((i + 1))
			[ $i -le 200 ] || { echo "0 nested" >$d/result; exit 1; }
			sleep 0.05
		done
		while [ ! -e $stop ]; do
			mount -t tmpfs sub $d/base/sub || bad=$((bad + 1))
			mount --bind $d/base/sub $d/base/bind || bad=$((bad + 1))
			umount $d/peer/bind || bad=$((bad + 1))
			umount $d/base/sub || bad=$((bad + 1))
			it=$((it + 1))
		done
		wait
		echo "$it $bad" >$d/result'
}

# reader: every debugfs file, whole, over and over; they vanish while unloaded
reader() {
	it=0
	while [ ! -e $stop ]; do
		for f in namespaces events status growth; do
			cat $dbg/$f >/dev/null 2>&1 && it=$((it + 1))
		done
	done
	echo "$it" >$w/$1.result
}

plain_worker p1 &
pids=$!
plain_worker p2 &
pids="$pids $!"
shared_worker s1 &
pids="$pids $!"
shared_worker s2 &
pids="$pids $!"
reader r1 &
pids="$pids $!"
reader r2 &
pids="$pids $!"

# load/unload: rmmod fails (EBUSY/EAGAIN) while a reader holds a file open
load_fail=0 unload_fail=0 busy=0 missed=0 mismatch=0 hits_count=0 hits_attach=0 cycle=0
while [ $cycle -lt $cycles ]; do
	cycle=$((cycle + 1))
	if ! insmod "$MNTWATCH_KO" 2>/tmp/insmod.err; then
		load_fail=$((load_fail + 1))
		echo "# cycle $cycle: insmod failed: $(cat /tmp/insmod.err)"
		continue
	fi
	sleep 0.2
	# the accounting audit while the workers mount and unmount
	mntwatch ns --all -o NS,AUDIT >>/tmp/storm.audit 2>/dev/null
	stat_of count_nmissed >/tmp/st.n1
	stat_of attach_nmissed >/tmp/st.n2
	c=$(stat_of count_hits)
	a=$(stat_of attach_hits)
	hits_count=$((hits_count + ${c:-0}))
	hits_attach=$((hits_attach + ${a:-0}))
	missed=$((missed + $(cat /tmp/st.n1) + $(cat /tmp/st.n2)))
	mismatch=$((mismatch + $(stat_of verdict_mismatch)))
	tries=0
	until rmmod mntwatch 2>/tmp/rmmod.err; do
		tries=$((tries + 1))
		if [ $tries -ge 200 ]; then
			unload_fail=$((unload_fail + 1))
			echo "# cycle $cycle: rmmod failed 200 times: $(cat /tmp/rmmod.err)"
			break
		fi
		sleep 0.05
	done
	busy=$((busy + tries))
done
echo "# $cycles cycles in $(($(date +%s) - start))s; rmmod retries: $busy; probe hits while loaded: count $hits_count attach $hits_attach"

touch $stop
i=0
while [ $i -lt 100 ]; do
	alive=0
	for p in $pids; do kill -0 "$p" 2>/dev/null && alive=1; done
	[ $alive -eq 0 ] && break
	sleep 0.1
	i=$((i + 1))
done
check "$cycles insmod succeeded" [ $load_fail -eq 0 ]
check "$cycles rmmod succeeded (retried while busy)" [ $unload_fail -eq 0 ]
check "module is unloaded and its directory gone" sh -c "! grep -q '^mntwatch ' /proc/modules && ! test -e $dbg"
check "probes fired during the storm" [ $hits_count -gt 0 -a $hits_attach -gt 0 ]
# one check per attach target, one more per propagated copy
check "propagation seen: limit checks ($hits_count) outnumber attaches ($hits_attach)" [ $hits_count -gt $hits_attach ]
check "probes missed nothing during the storm" [ $missed -eq 0 ]
check "no declined check was followed by ENOSPC during the storm (verdict_mismatch 0)" [ $mismatch -eq 0 ]
check "workers and readers stopped" [ $alive -eq 0 ]
# counters that move while they are counted are churn, never a kernel bug
echo "# the audit under the storm: $(awk '$2 ~ /^[a-z]/ { sub(/:.*/, "", $2); n[$2]++ } END { for (v in n) printf "%s %d ", v, n[v] }' /tmp/storm.audit)"
check "the accounting audit finds no drift under the storm, and compared some" \
	sh -c "! grep -E ' (drift|wrapped|leak)' /tmp/storm.audit && grep -qE ' (ok|churn)\$' /tmp/storm.audit"
for p in $pids; do kill -9 "$p" 2>/dev/null; done
wait
for r in p1 p2 s1 s2; do echo "# worker $r: iterations and failures: $(cat $w/$r/result 2>/dev/null)"; done
echo "# readers: whole reads $(cat $w/r1.result 2>/dev/null) and $(cat $w/r2.result 2>/dev/null)"
check "workers mounted without a failure" sh -c "
	for r in p1 p2 s1 s2; do
		read -r it bad <$w/\$r/result || exit 1
		[ \"\$it\" -gt 0 ] && [ \"\$bad\" = 0 ] || { echo \"\$r: \$it \$bad\"; exit 1; }
	done"
check "readers read while loaded" sh -c "[ \$(cat $w/r1.result) -gt 0 ] && [ \$(cat $w/r2.result) -gt 0 ]"

check "kernel log has no oops, BUG or WARNING" \
	sh -c "! dmesg | grep -E 'Oops|BUG|WARNING|refcount|sleeping function called from invalid context|Call Trace'"
check "kernel is alive" sh -c "unshare -m sh -c 'mount -t tmpfs alive /mnt && umount /mnt' && cat /proc/uptime"

# a final load counts a fresh namespace right
check "final insmod" insmod "$MNTWATCH_KO"
mkdir -p $w/fresh/a $w/fresh/b $w/fresh/c
# a fresh namespace makes 3 mounts and is held open while we look at its row
unshare -m sh -c '
	d='$w'/fresh
	mount -t tmpfs f1 $d/a && mount -t tmpfs f2 $d/b && mount --bind $d/a $d/c || exit 1
	echo "$(stat -L -c %i /proc/self/ns/mnt) $(wc -l </proc/self/mountinfo)" >$d/id.tmp
	mv $d/id.tmp $d/id
	exec sleep 1000' &
holder=$!
wait_for $w/fresh/id $holder
read -r fid flines <$w/fresh/id
set -- $(awk -v id="$fid" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$c["ns"] == id && $c["state"] == "live" { print $c["mounts"], $c["checks"] }' $dbg/namespaces)
fmounts=$1 fchecks=$2
echo "# fresh namespace $fid: mountinfo $flines lines, row mounts ${fmounts:--} checks ${fchecks:--}"
hidden=$(hidden_ancestors)
check "fresh namespace: mounts column is its mountinfo lines + $hidden hidden ancestors" \
	[ -n "$fmounts" -a "$fmounts" = $((flines + hidden)) ]
check "fresh namespace: mounts column is the kernel's count (ENOSPC at mount-max=$fmounts, fits at +1)" \
	kernel_count $holder "$fmounts"
check "fresh namespace: 3 checks" [ "$fchecks" = 3 ]
kill $holder
wait $holder 2>/dev/null
check "count_nmissed is 0" grep -qx 'count_nmissed 0' $dbg/status
check "attach_nmissed is 0" grep -qx 'attach_nmissed 0' $dbg/status
check "verdict_mismatch is 0" grep -qx 'verdict_mismatch 0' $dbg/status
check "final rmmod" rmmod mntwatch
check "kernel log still clean" \
	sh -c "! dmesg | grep -E 'Oops|BUG|WARNING|refcount|sleeping function called from invalid context|Call Trace'"
echo "1..$n"
echo "# storm: $failed of $n checks failed in $(($(date +%s) - start))s"
[ $failed -eq 0 ]
