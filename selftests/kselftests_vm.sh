#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's own mount selftests of this line (selftests/kselftests.sh,
# given as kselftests.tar) and generic/632's pattern (detached_mounts),
# inside the VM: first without the module, then with it. Each program's
# exit status and harness totals must be the same both times, the kernel
# log must stay free of warnings, and after generic/632's pattern the
# kernel's own limit check must count exactly the mounts mountinfo shows
# (and, with the module, its table must show nothing left pending).
# Called by run_vm.sh with the module unloaded; leaves it unloaded.
dbg=/sys/kernel/debug/mntwatch
TAP_PREFIX="kselftests: "
. vmlib.sh

ks=/tmp/ks
rm -rf $ks
mkdir -p $ks/bin
tar -xf "$(command -v kselftests.tar)" -C $ks/bin || { echo "not ok - kselftests: unpack kselftests.tar"; exit 1; }

# One line for a program: NAME EXIT PASS FAIL SKIP, the last three from the
# harness's "# Totals:" line ("-" for a program that prints none); it runs
# in a directory of its own, as root, at most 300 s.
run_one() {	# run_one LABEL BINARY
	name=${2##*/}
	rm -rf $ks/run
	mkdir -p $ks/run
	(cd $ks/run && timeout 300 "$2") >$ks/$1.$name.log 2>&1 </dev/null
	rc=$?
	awk -v name="$name" -v rc=$rc '
	/^# Totals:/ { for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] = kv[2] }; seen = 1 }
	END { if (seen) print name, rc, t["pass"], t["fail"], t["skip"]; else print name, rc, "-", "-", "-" }' \
		$ks/$1.$name.log
}

run_all() {	# run_all LABEL
	for bin in $ks/bin/*; do
		run_one "$1" "$bin"
	done >$ks/$1.results
}

# A program whose result differs is run three times more in each state: a
# test that fails now and then without the module (7.3's
# clone3_empty_mntns setns_into_child_mntns) is flaky, not changed. Every
# result seen with the module must have been seen without it, or be no worse
# than one seen without it: the same exit status (or 0) and no more failed
# subtests (a flaky one that happened to pass with the module).
same_results() {
	cmp -s $ks/without.results $ks/with.results && return 0
	diff $ks/without.results $ks/with.results | sed -n 's/^> \([^ ]*\) .*/\1/p' >$ks/differ
	cp $ks/without.results $ks/without.all
	cp $ks/with.results $ks/with.all
	for name in $(cat $ks/differ); do
		for i in 1 2 3; do run_one with $ks/bin/$name; done >>$ks/with.all
	done
	rmmod mntwatch || return 1
	for name in $(cat $ks/differ); do
		for i in 1 2 3; do run_one without $ks/bin/$name; done >>$ks/without.all
	done
	insmod "$MNTWATCH_KO" || return 1
	for name in $(cat $ks/differ); do
		echo "# $name: without $(grep "^$name " $ks/without.all | cut -d' ' -f2- | sort | uniq -c | tr -s ' \n' ' ')," \
			"with $(grep "^$name " $ks/with.all | cut -d' ' -f2- | sort | uniq -c | tr -s ' \n' ' ')"
	done
	awk 'NR == FNR { n = ++seen[$1]; rc[$1, n] = $2; fail[$1, n] = $4; next }
	{ ok = 0
	  for (i = 1; i <= seen[$1]; i++)
		if (($2 == rc[$1, i] || $2 == 0) && ($4 == fail[$1, i] || ($4 != "-" && fail[$1, i] != "-" && $4 + 0 <= fail[$1, i] + 0)))
			ok = 1
	  if (!ok) { print "# with the module only: " $0; bad = 1 } }
	END { exit bad }' $ks/without.all $ks/with.all
}

# "programs P: passed N, skipped N, failed N; subtests ..." of a results file
# (exit 0 passed, 4 skipped: kselftest's KSFT_SKIP)
summary() {
	awk '{ n++; if ($2 == 0) p++; else if ($2 == 4) s++; else f++
		if ($3 != "-") { sp += $3; sf += $4; ss += $5 } }
	END { printf "programs %d: passed %d, skipped %d, failed %d; subtests passed %d, skipped %d, failed %d\n",
		n, p, s, f, sp, ss, sf }' "$1"
}

no_warning() {
	! dmesg | grep -E 'Oops|BUG|WARNING|refcount|Call Trace'
}

# generic/632's pattern, 400 rounds: no ENOSPC, and no drift after it
detached() {	# detached LABEL
	rm -f /tmp/dm.stop /tmp/dm.out
	detached_mounts 400 /tmp/dm /tmp/dm.stop >/tmp/dm.out 2>&1 &
	pid=$!
	i=0
	while ! grep -q '^ready' /tmp/dm.out && kill -0 $pid 2>/dev/null && [ $i -lt 600 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	cat /tmp/dm.out
	shown=$(awk '$1 == "ready" { print $2 }' /tmp/dm.out)
	[ -n "$shown" ] || { wait $pid; return 1; }
	want=$((shown + $(hidden_ancestors)))
	ns=$(stat -L -c %i /proc/$pid/ns/mnt)
	status=0
	# the table first: kernel_count leaves its probe mount behind
	if [ "$1" = with ]; then
		row=$(awk -v ns="$ns" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["ns"] == ns && $c["state"] == "live" { print $c["now_mounts"], $c["now_pending"] }' $dbg/namespaces)
		echo "# namespace $ns: the table's counters now '$row', mountinfo and the kernel's limit check $want"
		[ "$row" = "$want 0" ] || status=1
		audited "$ns" || status=1
	fi
	kernel_count $pid $want || status=1
	touch /tmp/dm.stop
	wait $pid || status=1
	return $status
}

# the audit (mntwatch ns -o AUDIT) of every namespace it can audit: none a
# kernel accounting bug, at least one compared; with NS: that one ok
audited() {	# audited [NS]
	# a mount in this namespace gives it a row the audit can read
	mkdir -p /tmp/audit && mount -t tmpfs audit /tmp/audit && umount /tmp/audit || return 1
	mntwatch ns --all -o NS,MOUNTS,AUDIT >/tmp/audit.out || return 1
	sed 's/^/# /' /tmp/audit.out
	! grep -qE ' (drift|wrapped|leak)' /tmp/audit.out || return 1
	if [ -n "${1:-}" ]; then
		grep -qE "^ *$1 .* ok\$" /tmp/audit.out
	else
		grep -qE ' ok$' /tmp/audit.out
	fi
}

dmesg -c >/dev/null
run_all without
echo "# without the module: $(summary $ks/without.results)"
check "no kernel warning after the kernel's mount selftests without the module" no_warning
check "generic/632's pattern without the module: no ENOSPC, the kernel's count is mountinfo's" detached without

insmod "$MNTWATCH_KO" || { echo "not ok - kselftests: insmod"; exit 1; }
dmesg -c >/dev/null
run_all with
echo "# with the module: $(summary $ks/with.results)"
check "no kernel warning after the kernel's mount selftests with the module" no_warning
check "every program's result with the module is one seen without it, or better ($(wc -l <$ks/with.results) programs)" same_results
check "the audit finds no kernel accounting bug after them" audited
check "at least one program passed" sh -c "awk '\$2 == 0 { ok = 1 } END { exit !ok }' $ks/with.results"
check "generic/632's pattern with the module: no ENOSPC, the kernel's count is mountinfo's, none pending" detached with
check "the probes missed nothing" sh -c "grep -qx 'count_nmissed 0' $dbg/status && grep -qx 'attach_nmissed 0' $dbg/status"
# what did not pass, for the record: the kernel's tests in this VM, not mntwatch's
awk '$2 != 0 && $2 != 4 { print $1, $2 }' $ks/with.results | while read -r name rc; do
	echo "# failed both times: $name (exit $rc): $(grep -E '^(not ok|#  RUN|# .*(Expected|FAIL))' $ks/without.$name.log |
		grep -B1 -A0 '' | grep -E 'not ok|Expected' | head -n 4 | tr '\n' ' ')"
done
rmmod mntwatch
[ $failed -eq 0 ]
