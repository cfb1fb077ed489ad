#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tools/mntwatch against the real module, inside the VM: with the module
# absent, then after a propagation loop hit ENOSPC in a namespace held by a
# known process. Expected values come from the raw debugfs tables, never
# from the tool itself. Called by run_vm.sh with the module unloaded.
dbg=/sys/kernel/debug/mntwatch
TAP_PREFIX="tool: "
. vmlib.sh


# field NAME of the row of FILE whose column KEY equals VALUE (or the last row)
field() {	# field FILE COLUMN [KEY VALUE]
	awk -v col="$2" -v key="${3:-}" -v val="${4:-}" '
		NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; next }
		key == "" || $idx[key] == val { found = $idx[col] }
		END { print found }' "$1"
}

self_ns=$(stat -L -c %i /proc/self/ns/mnt)

mntwatch >/tmp/nomod.out 2>/tmp/nomod.err
rc=$?
check "without the module: exit 0 and says so in one line" \
	sh -c "[ $rc -eq 0 ] && [ \$(wc -l </tmp/nomod.err) -eq 1 ] && grep -q 'not loaded' /tmp/nomod.err"
# the kernel's own ENOSPC verdict says whether the count is the one it checks
live=$(mntwatch -J | jq -e ".namespaces[] | select(.ns == $self_ns and .pending == null) | .mounts")
check "without the module: live count ($live) is what fs.mount-max is checked against" kernel_count $$ "$live"
mntwatch events >/dev/null 2>/tmp/ev.err
rc=$?
check "without the module: events exits 3 with one line" sh -c "[ $rc -eq 3 ] && [ \$(wc -l </tmp/ev.err) -eq 1 ]"

insmod "$MNTWATCH_KO" || { echo "not ok - tool: insmod"; exit 1; }
old_max=$(cat /proc/sys/fs/mount-max)
echo 1000 >/proc/sys/fs/mount-max
unshare -m sh -c '
	mkdir -p /ctr; mount -t tmpfs ctr /ctr; mount --make-shared /ctr; mkdir -p /ctr/copy
	while mount --rbind /ctr /ctr/copy 2>/dev/null; do :; done
	touch /tmp/tool-full; exec sleep 600' &
holder=$!
while [ ! -e /tmp/tool-full ]; do sleep 0.2; done
ns=$(stat -L -c %i /proc/$holder/ns/mnt)
cp $dbg/namespaces /tmp/raw-ns
cp $dbg/events /tmp/raw-ev
mounts=$(field /tmp/raw-ns mounts ns "$ns")
pending=$(field /tmp/raw-ev pending)
requested=$(field /tmp/raw-ev requested)
checks=$(field /tmp/raw-ev checks)

check "raw event names the holder's namespace" [ "$(field /tmp/raw-ev failing_ns)" = "$ns" ]
check "ns table: holder's namespace first, with its mounts, pid and command" \
	sh -c "mntwatch -n -o ns,mounts,max,pids,comm | head -n 1 | grep -Eq '^ *$ns +$mounts +1000 +$holder +sleep *\$'"
check "ns --json: valid, numbers equal the raw table" \
	sh -c "mntwatch -J | jq -e '.source == \"module\" and (.namespaces[] | select(.ns == $ns) | .mounts == $mounts and .max == 1000 and .enospc == 1 and (.pids | index($holder)) != null)'"
check "events --json: the failure with its numbers" \
	sh -c "mntwatch events -J | jq -e '.events[-1] | .failing_ns == $ns and .mounts == $mounts and .pending == $pending and .requested == $requested and .result == -28'"
check "explain gives the sum that broke the limit" \
	sh -c "mntwatch explain | grep -F '$mounts mounted + $pending pending + $requested requested = $((mounts + pending + requested)) > 1000'"
check "explain says the pending copies made the difference" \
	sh -c "mntwatch explain | grep -F 'The $pending pending copies made the difference: $mounts + $requested = $((mounts + requested)) alone fits'"
check "explain names the holder and the check count" \
	sh -c "mntwatch explain | grep -F '(pid $holder sleep)' && mntwatch explain | grep -F 'in $checks limit checks'"
mntwatch check --warn 80 --crit 90 >/tmp/check.out
rc=$?
check "check: CRITICAL (2) after a recent ENOSPC, one line" \
	sh -c "[ $rc -eq 2 ] && [ \$(wc -l </tmp/check.out) -eq 1 ] && grep -q '^MNTWATCH CRITICAL' /tmp/check.out"
mntwatch check --warn 40 --crit 90 --recent 0 >/dev/null
rc=$?
check "check: WARNING (1) at 49% over --warn 40" [ $rc -eq 1 ]
mntwatch check --warn 80 --crit 90 --recent 0 >/tmp/check.out
rc=$?
check "check: WARNING (1) under --warn 80 while the loop lives, naming it" \
	sh -c "[ $rc -eq 1 ] && grep -q 'live propagation loop: namespace $ns ' /tmp/check.out"
check "metrics pass promtool" sh -c "mntwatch metrics | promtool check metrics"
check "metrics carry the namespace's mounts" \
	sh -c "mntwatch metrics | grep -qx 'mntwatch_namespace_mounts{namespace=\"$ns\"} $mounts'"
check "metrics --output writes the file" \
	sh -c "mntwatch metrics --output /tmp/mntwatch.prom && grep -q '^mntwatch_module_loaded 1\$' /tmp/mntwatch.prom"
check "no output of the tool shows a kernel pointer" \
	sh -c "! { mntwatch; mntwatch events; mntwatch explain; mntwatch metrics; mntwatch -J; } 2>&1 | grep -Eiq 'ffff[0-9a-f]{12}'"

kill "$holder"
wait "$holder" 2>/dev/null
mntwatch check --warn 80 --crit 90 --recent 0 >/dev/null
rc=$?
check "check: OK (0) under --warn 80 once the loop is gone" [ $rc -eq 0 ]

# events --follow: two new ENOSPC arrive once each, and the follower ends
# by itself when the module goes
lines() {	# lines FILE N: until FILE has N lines or 10 s passed
	i=0
	while [ "$(wc -l <"$1")" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
total0=$(stat_of events_total)
: >/tmp/follow.out
mntwatch events --follow -i 0.2 -J -o seq,failing_ns,result >/tmp/follow.out 2>/tmp/follow.err &
follower=$!
lines /tmp/follow.out "$total0"
# fs.mount-max 1: any mount here fails; the two fall in separate reads
echo 1 >/proc/sys/fs/mount-max
mount -t tmpfs follow1 /mnt 2>/dev/null
lines /tmp/follow.out $((total0 + 1))
mount -t tmpfs follow2 /mnt 2>/dev/null
echo "$old_max" >/proc/sys/fs/mount-max
lines /tmp/follow.out $((total0 + 2))
sleep 0.5
sed 's/^/# /' /tmp/follow.out
total=$(stat_of events_total)
check "events --follow: the ring so far, then the two new ENOSPC once each" sh -c "
	[ $total -eq $((total0 + 2)) ] && jq -se 'map(.seq) == [range(1; $((total0 + 3)))] and
		(.[-2:] | all(.failing_ns == $self_ns and .result == -28))' /tmp/follow.out"
# the follower holds a file open for a moment each read: rmmod may meet it
rmmod mntwatch 2>/dev/null || { sleep 0.3; rmmod mntwatch; }
i=0
while kill -0 $follower 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill $follower 2>/dev/null
wait $follower
rc=$?
echo "# the follower exited $rc:"
sed 's/^/# /' /tmp/follow.err
check "events --follow: ends with one line and exit 3 when the module is unloaded" \
	sh -c "[ $rc -eq 3 ] && [ \$(wc -l </tmp/follow.err) -eq 1 ] && grep -q 'module unloaded' /tmp/follow.err"
[ $failed -eq 0 ]
