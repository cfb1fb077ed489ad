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

# One line for a program: NAME EXIT PASS FAIL SKIP FAILED, PASS FAIL SKIP
# from the harness's "# Totals:" line ("-" for a program that prints none),
# FAILED the names of its "not ok" subtests joined by commas ("-": none); it
# runs in a directory of its own, as root, at most 300 s.
run_one() {	# run_one LABEL BINARY
	name=${2##*/}
	rm -rf $ks/run
	mkdir -p $ks/run
	(cd $ks/run && timeout 300 "$2") >$ks/$1.$name.log 2>&1 </dev/null
	rc=$?
	awk -v name="$name" -v rc=$rc '
	/^# Totals:/ { for (i = 3; i <= NF; i++) { split($i, kv, ":"); t[kv[1]] = kv[2] }; seen = 1 }
	/^not ok [0-9]+ / { s = $0; sub(/^not ok [0-9]+ /, "", s); sub(/ #.*/, "", s); gsub(/[ ,]/, "_", s)
		failed = failed (failed == "" ? "" : ",") s }
	END { if (failed == "") failed = "-"
		if (seen) print name, rc, t["pass"], t["fail"], t["skip"], failed
		else print name, rc, "-", "-", "-", failed }' \
		$ks/$1.$name.log
}

run_all() {	# run_all LABEL
	for bin in $ks/bin/*; do
		run_one "$1" "$bin"
	done >$ks/$1.results
}

# A program whose result differs is run three times more in each state.
# Some of the kernel's tests fail now and then here, with the module and
# without it (7.3's clone3_empty_mntns_test: 16 or 17 of its 18 subtests
# passed in either state, one failing subtest or two), so a count compared
# once is a coin toss. What the module changes is a program that exits
# non-zero in every run with it and 0 in every run without, or a subtest
# that fails in every run with it and in none without.
same_results() {
	cmp -s $ks/without.results $ks/with.results && return 0
	# by name: busybox diff writes only the unified format, never "> "
	awk 'NR == FNR { r[$1] = $0; next } r[$1] != $0 { print $1 }' $ks/without.results $ks/with.results >$ks/differ
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
	awk 'NR == FNR { runs_wo[$1]++; ok_wo[$1] += $2 == 0
		n = split($6, f, ","); for (i = 1; i <= n; i++) if (f[i] != "-") fail_wo[$1, f[i]]++
		next }
	{ runs_w[$1]++; ok_w[$1] += $2 == 0
	  n = split($6, f, ","); for (i = 1; i <= n; i++) if (f[i] != "-") fail_w[$1, f[i]]++ }
	END {
		for (p in runs_w)
			if (ok_w[p] == 0 && ok_wo[p] == runs_wo[p] && runs_wo[p] > 0) {
				print "# " p ": exit non-zero in all " runs_w[p] " runs with the module, 0 in all " runs_wo[p] " without"
				bad = 1
			}
		for (k in fail_w) {
			split(k, pk, SUBSEP)
			if (fail_w[k] == runs_w[pk[1]] && !((pk[1], pk[2]) in fail_wo)) {
				print "# " pk[1] ": " pk[2] " failed in all " runs_w[pk[1]] " runs with the module, in none of " runs_wo[pk[1]] " without"
				bad = 1
			}
		}
		exit bad }' $ks/without.all $ks/with.all
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
check "no program and no subtest of them fails in every run with the module and in none without it ($(wc -l <$ks/with.results) programs)" same_results
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
