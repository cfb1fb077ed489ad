#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Namespace churn, run inside the VM (selftests/vmtest.sh -b build/bin/ns_churn):
# with ns_max=1024, create and destroy CHURN_COUNT (default 10,000: the table
# taken over about ten times) mount namespaces, one tmpfs mount each, and
# check that the table stays bounded, its memory fixed, that dead namespaces'
# rows turn gone and that a new namespace whose nsfs id is reused gets a
# fresh row. Every result is one TAP line.
dbg=/sys/kernel/debug/mntwatch
total=${CHURN_COUNT:-10000}
batch=1000
workers=2
ns_max=1024
. vmlib.sh

# one sample line: table_rows table_max memory_bytes
sample() { awk '$1 == "table_rows" { r = $2 } $1 == "table_max" { m = $2 } $1 == "memory_bytes" { b = $2 }
	END { print r, m, b }' $dbg/status; }
# rows of the namespaces table as "ns state checks mounts peak enospc", columns found by name
rows() { awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{ print $c["ns"], $c["state"], $c["checks"], $c["mounts"], $c["peak"], $c["enospc"] }' $dbg/namespaces; }

check "insmod ns_max=$ns_max" insmod "$MNTWATCH_KO" ns_max=$ns_max
if ! [ -d $dbg ]; then
	echo "Bail out! module not loaded"
	exit 1
fi
mem0=$(stat_of memory_bytes)
echo "# at load: table_max $(stat_of table_max) memory_bytes $mem0 symbol_free $(stat_of symbol_free)"
check "table_max is $ns_max" [ "$(stat_of table_max)" = $ns_max ]

# an elder: checked once before the churn, alive throughout. Rows of dead
# namespaces are reused first, so its row must outlive the 10,000 newer ones.
mkdir -p /tmp/elder
unshare -m sh -c 'mount -t tmpfs elder /tmp/elder || exit 1
	stat -L -c %i /proc/self/ns/mnt >/tmp/elder.tmp && mv /tmp/elder.tmp /tmp/elder.id
	exec sleep 1000' &
elder=$!
wait_for /tmp/elder.id $elder
elder_id=$(cat /tmp/elder.id)

rm -f /tmp/churn.stop /tmp/churn.samples
# a background sampler while namespaces come and go, plus one sample per batch
(while [ ! -e /tmp/churn.stop ]; do
	sample
	sleep 0.2
done) >>/tmp/churn.samples &
sampler=$!

start=$(date +%s)
done_ns=0
churn_ok=0
while [ $done_ns -lt $total ]; do
	step=$batch
	[ $((total - done_ns)) -lt $step ] && step=$((total - done_ns))
	if ! ns_churn $step $workers >/tmp/churn.out 2>&1; then
		churn_ok=1
		sed 's/^/# /' /tmp/churn.out
	fi
	done_ns=$((done_ns + step))
	sample >>/tmp/churn.samples
	mntwatch ns --all -o NS,AUDIT >>/tmp/churn.audit 2>/dev/null
done
secs=$(($(date +%s) - start))
touch /tmp/churn.stop
wait $sampler
echo "# $total namespaces in ${secs}s ($(grep ns_per_namespace /tmp/churn.out), last batch)"
check "$total namespaces created and destroyed" [ $churn_ok -eq 0 ]
echo "# the audit under the churn: $(awk '$2 ~ /^[a-z]/ { sub(/:.*/, "", $2); n[$2]++ } END { for (v in n) printf "%s %d ", v, n[v] }' /tmp/churn.audit)"
check "the accounting audit finds no drift under the churn, and compared some" \
	sh -c "! grep -E ' (drift|wrapped|leak)' /tmp/churn.audit && grep -qE ' (ok|churn)\$' /tmp/churn.audit"
echo "# $(wc -l </tmp/churn.samples) status samples; last: $(tail -n 1 /tmp/churn.samples)"
check "at least $((total / batch)) status samples" [ "$(wc -l </tmp/churn.samples)" -ge $((total / batch)) ]
check "table_rows never exceeds table_max" \
	awk '$1 > $2 || $2 != '$ns_max' { print "bad sample: " $0; bad = 1 } END { exit bad }' /tmp/churn.samples
check "memory_bytes stays at its load value ($mem0)" \
	awk -v m="$mem0" '$3 != m { print "bad sample: " $0; bad = 1 } END { exit bad }' /tmp/churn.samples
echo "# table_rows $(stat_of table_rows) table_evicted $(stat_of table_evicted) free_hits $(stat_of free_hits) count_hits $(stat_of count_hits)"
check "table is full" [ "$(stat_of table_rows)" = $ns_max ]
check "table_evicted > 0" [ "$(stat_of table_evicted)" -gt 0 ]
check "probes missed nothing" \
	sh -c "grep -qx 'count_nmissed 0' $dbg/status && grep -qx 'attach_nmissed 0' $dbg/status"

# the namespaces that exist now; every other row must be gone, and no id may
# have two live rows
for p in /proc/[0-9]*; do stat -L -c %i "$p/ns/mnt" 2>/dev/null; done | sort -u >/tmp/live.ids
rows >/tmp/rows.txt
echo "# rows: $(awk '$2 == "gone"' /tmp/rows.txt | wc -l) gone, $(awk '$2 == "live"' /tmp/rows.txt | wc -l) live; distinct ids: $(cut -d' ' -f1 /tmp/rows.txt | sort -u | wc -l); live namespaces: $(wc -l </tmp/live.ids)"
check "rows of dead namespaces are gone" \
	awk 'NR == FNR { alive[$1] = 1; next }
	$2 == "live" && !alive[$1] { print "row of dead namespace " $1 " is live"; bad = 1 }
	$2 == "live" && seen[$1]++ { print "two live rows for " $1; bad = 1 }
	$2 != "live" && $2 != "gone" { print "bad state: " $0; bad = 1 }
	END { exit bad }' /tmp/live.ids /tmp/rows.txt
check "churn rows record one check and no ENOSPC each" \
	awk '$3 != 1 || $6 != 0 { print "row: " $0; bad = 1 } END { exit bad }' /tmp/rows.txt
awk '$2 == "gone" { print $1 }' /tmp/rows.txt | sort -u >/tmp/gone.ids
check "the elder namespace ($elder_id) kept its live row: dead rows are reused first" \
	grep -qx "$elder_id live 1 .*" /tmp/rows.txt

# a new live namespace, three mounts, held open while we look at its row
rm -f /tmp/fresh.id
mkdir -p /tmp/fresh
unshare -m sh -c '
	for i in 1 2 3; do
		mkdir -p /tmp/fresh/m$i && mount -t tmpfs fresh$i /tmp/fresh/m$i || exit 1
	done
	echo "$(stat -L -c %i /proc/self/ns/mnt) $(wc -l </proc/self/mountinfo)" >/tmp/fresh.tmp
	mv /tmp/fresh.tmp /tmp/fresh.id
	exec sleep 1000' &
holder=$!
wait_for /tmp/fresh.id $holder
read -r fresh_id fresh_mounts </tmp/fresh.id
rows >/tmp/rows2.txt
echo "# new namespace $fresh_id, $fresh_mounts mounts; its rows: $(awk -v id="$fresh_id" '$1 == id' /tmp/rows2.txt | sort | uniq -c | tr '\n' ';')"
check "new namespace reuses a dead namespace's id" grep -qx "$fresh_id" /tmp/gone.ids
check "new namespace has exactly one live row" \
	[ "$(awk -v id="$fresh_id" '$1 == id && $2 == "live"' /tmp/rows2.txt | wc -l)" -eq 1 ]
check "its checks equal the 3 mounts it made" \
	awk -v id="$fresh_id" '$1 == id && $2 == "live" { print; found = 1; if ($3 != 3) bad = 1 }
	END { exit bad || !found }' /tmp/rows2.txt
fresh_row_mounts=$(awk -v id="$fresh_id" '$1 == id && $2 == "live" { print $4 }' /tmp/rows2.txt)
hidden=$(hidden_ancestors)
check "its mounts ($fresh_row_mounts) are its mountinfo lines ($fresh_mounts) + $hidden hidden ancestors" \
	[ -n "$fresh_row_mounts" -a "$fresh_row_mounts" = $((fresh_mounts + hidden)) ]
check "its mounts are the kernel's count (ENOSPC at mount-max=$fresh_row_mounts, fits at +1)" \
	kernel_count $holder "$fresh_row_mounts"
check "its peak equals its mounts, no ENOSPC before the probe" \
	awk -v id="$fresh_id" -v m="$fresh_row_mounts" '$1 == id && $2 == "live" { print; found = 1; if ($5 != m || $6 != 0) bad = 1 }
	END { exit bad || !found }' /tmp/rows2.txt
kill $holder $elder
wait $holder $elder 2>/dev/null
check "memory_bytes still $mem0" [ "$(stat_of memory_bytes)" = "$mem0" ]

check "rmmod" rmmod mntwatch

# Every parameter at its maximum: the memory is taken at load, and every
# file reads whole with every table full: the namespaces table by 70,000
# namespaces made in a row (ns_churn ... unshare), the ring by 16,400
# failing mounts, the growth history by a propagation loop.
max_params() {
	dmesg -c >/dev/null
	insmod "$MNTWATCH_KO" ns_max=65536 growth_history=64 events_max=16384 ||
		{ dmesg | tail -n 3; return 1; }
	echo "# at the maximums: $(grep -E '^(table|events|memory)_bytes ' $dbg/status | tr '\n' ' ')"
	ns_churn 70000 unshare >/tmp/max.churn || return 1
	sed 's/^/# /' /tmp/max.churn
	mkdir -p /tmp/maxloop
	old_max=$(cat /proc/sys/fs/mount-max)
	# held until the files are read: a dead namespace's row is the first reused
	unshare -m sh -c 'mount -t tmpfs loop /tmp/maxloop && mount --make-shared /tmp/maxloop &&
		mkdir /tmp/maxloop/sub || exit 1
		echo $(($(wc -l </proc/self/mountinfo) + 200)) >/proc/sys/fs/mount-max
		i=0
		while [ $i -lt 20 ] && mount --rbind /tmp/maxloop /tmp/maxloop/sub 2>/dev/null; do i=$((i + 1)); done
		touch /tmp/maxloop.done
		exec sleep 1000' &
	looper=$!
	wait_for /tmp/maxloop.done $looper
	echo 1 >/proc/sys/fs/mount-max
	ns_churn 16400 fail | sed 's/^/# /'
	echo "$old_max" >/proc/sys/fs/mount-max
	status=0
	for f in namespaces events status growth; do
		cat $dbg/$f >/tmp/max.$f || { echo "cat $f failed"; status=1; }
		echo "# $f: $(wc -l </tmp/max.$f) lines, $(wc -c </tmp/max.$f) bytes"
	done
	kill $looper
	wait $looper 2>/dev/null
	rows=$(stat_of table_rows)
	rmmod mntwatch
	[ $status -eq 0 ] && [ "$rows" = 65536 ] && [ "$(tail -n +2 /tmp/max.namespaces | wc -l)" -ge 65000 ] &&
		[ "$(tail -n +2 /tmp/max.events | wc -l)" = 16384 ] && [ "$(tail -n +2 /tmp/max.growth | wc -l)" -ge 3 ] &&
		! dmesg | grep -q 'mntwatch:.*cannot'
}
check "ns_max=65536 growth_history=64 events_max=16384 load, and every file reads whole" max_params

check "kernel log has no oops, BUG or WARNING" \
	sh -c "! dmesg | grep -E 'Oops|BUG|WARNING|refcount|sleeping function called from invalid context|Call Trace'"
echo "1..$n"
echo "# churn: $failed of $n checks failed; $total namespaces in ${secs}s"
[ $failed -eq 0 ]
