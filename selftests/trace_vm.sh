#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's tracepoints (module/mntwatch_trace.h) inside the VM: enabled
# in tracefs, an rbind that grows a namespace and two ENOSPCs, then every
# trace line against the module's own events and growth tables; then perf
# on the same events where the VM has it. Called by run_vm.sh with the
# module unloaded; leaves it unloaded.
dbg=/sys/kernel/debug/mntwatch
tr=/sys/kernel/tracing
TAP_PREFIX="trace: "
. vmlib.sh

mkdir -p $tr
grep -q " $tr " /proc/mounts || mount -t tracefs tracefs $tr

# An rbind of a tree of three mounts (growth 3), a tmpfs under
# fs.mount-max=1 (requested 1) and the rbind again under a limit two short
# (requested 3); the namespace's number to /tmp/tp.ns
provoke() {
	mkdir -p /tmp/tp/src /tmp/tp/dst /tmp/tp/one
	old_max=$(cat /proc/sys/fs/mount-max)
	unshare -m sh -c '
		stat -L -c %i /proc/self/ns/mnt >/tmp/tp.ns
		mount -t tmpfs src /tmp/tp/src && mkdir -p /tmp/tp/src/a /tmp/tp/src/b &&
			mount -t tmpfs a /tmp/tp/src/a && mount -t tmpfs b /tmp/tp/src/b &&
			mount --rbind /tmp/tp/src /tmp/tp/dst || exit 1
		echo 1 >/proc/sys/fs/mount-max
		mount -t tmpfs one /tmp/tp/one 2>/dev/null && exit 1
		echo $(($(wc -l </proc/self/mountinfo) + $1 + 2)) >/proc/sys/fs/mount-max
		mount --rbind /tmp/tp/src /tmp/tp/one 2>/dev/null && exit 1
		exit 0' - "$(hidden_ancestors)"
	rc=$?
	echo "$old_max" >/proc/sys/fs/mount-max
	return $rc
}

# "key=value ..." of each EVENT line of a trace, the fields in KEYS, sorted
trace_fields() {	# trace_fields FILE EVENT KEYS
	awk -v ev="$2:" -v keys="$3" '
	{ for (i = 1; i <= NF; i++) if ($i == ev) break
	  if (i > NF) next
	  delete kv
	  for (j = i + 1; j <= NF; j++) { split($j, p, "="); kv[p[1]] = p[2] }
	  n = split(keys, k, " "); line = ""
	  for (j = 1; j <= n; j++) line = line (j > 1 ? " " : "") k[j] "=" kv[k[j]]
	  print line }' "$1" | sort
}

# the same fields from a debugfs table, its columns renamed as the trace names them
table_fields() {	# table_fields FILE "TRACE_KEY=COLUMN ..."
	awk -v map="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(map, m, " "); next }
	{ line = ""
	  for (j = 1; j <= n; j++) { split(m[j], p, "="); line = line (j > 1 ? " " : "") p[1] "=" $col[p[2]] }
	  print line }' "$1" | sort
}

enospc_keys="seq caller_ns failing_ns mounts pending max requested pid comm"
enospc_map="seq=seq caller_ns=caller_ns failing_ns=failing_ns mounts=mounts pending=pending max=max requested=requested pid=pid comm=comm"
growth_keys="ns before after caller_ns"
growth_map="ns=ns before=mounts_before after=mounts_after caller_ns=caller_ns"

# the trace's lines of EVENT are the table's rows, and there are WANT of them
same_as_table() {	# same_as_table TRACE EVENT KEYS TABLE MAP WANT
	trace_fields "$1" "$2" "$3" >/tmp/tp.trace
	table_fields "$4" "$5" >/tmp/tp.table
	echo "trace:"; cat /tmp/tp.trace
	echo "table:"; cat /tmp/tp.table
	[ "$(wc -l </tmp/tp.trace)" -eq "$6" ] && cmp -s /tmp/tp.trace /tmp/tp.table
}

# perf record runs this script for the workload
if [ "${1:-}" = provoke ]; then
	provoke
	exit
fi

insmod "$MNTWATCH_KO" || { echo "not ok - trace: insmod"; exit 1; }
check "mntwatch:enospc and mntwatch:growth are in tracefs" \
	test -d $tr/events/mntwatch/enospc -a -d $tr/events/mntwatch/growth
has_fields() {	# has_fields EVENT FIELD...
	format=$tr/events/mntwatch/$1/format
	shift
	for f in "$@"; do
		grep -Eq "field:[^;]* $f(\[[0-9]+\])?;" "$format" || { cat "$format"; echo "no field $f"; return 1; }
	done
}
check "enospc's format has the failure's fields" has_fields enospc $enospc_keys why
check "growth's format has the growth step's fields" has_fields growth $growth_keys

echo 0 >$tr/tracing_on
echo >$tr/trace
echo 1 >$tr/events/mntwatch/enable
echo 1 >$tr/tracing_on
check "an rbind, a tmpfs over fs.mount-max=1 and an rbind two short" provoke
echo 0 >$tr/tracing_on
cp $tr/trace /tmp/tp.ftrace
ns=$(cat /tmp/tp.ns)
check "enospc lines equal the events table, one per event (2)" \
	same_as_table /tmp/tp.ftrace enospc "$enospc_keys" $dbg/events "$enospc_map" 2
check "growth lines equal the growth table (1: the rbind)" \
	same_as_table /tmp/tp.ftrace growth "$growth_keys" $dbg/growth "$growth_map" 1
# failing_ns, requested and why of each enospc line of a trace
failures() {
	awk '/ enospc: / { for (i = 1; i <= NF; i++) if ($i ~ /^(failing_ns|requested|why)=/) printf "%s ", $i; print "" }' "$1"
}
same "both failures name namespace $ns, requested 1 and 3, why=limit" \
	"$(failures /tmp/tp.ftrace | tr '\n' '|')" "failing_ns=$ns requested=1 why=limit |failing_ns=$ns requested=3 why=limit |"
check "the growth step is namespace $ns's, by 3 mounts" \
	sh -c "grep -q ' growth: ns=$ns before=\([0-9]*\) after=' /tmp/tp.ftrace &&
		awk '/ growth: / { split(\$(NF-2), b, \"=\"); split(\$(NF-1), a, \"=\"); exit !(a[2] - b[2] == 3) }' /tmp/tp.ftrace"

# disabled, the events still reach the tables and nothing reaches the trace
echo 0 >$tr/events/mntwatch/enable
echo >$tr/trace
echo 1 >$tr/tracing_on
provoke
echo 0 >$tr/tracing_on
total=$(stat_of events_total)
check "disabled: no trace line, the events table still grew (events_total $total, want 4)" sh -c "
	! grep -q 'enospc:\|growth:' $tr/trace && [ '$total' = 4 ]"

# perf, where the VM has it: the same events through perf_event_open()
if command -v perf >/dev/null; then
	rmmod mntwatch && insmod "$MNTWATCH_KO"
	perf_run() {
		perf record -q -e 'mntwatch:*' -a -o /tmp/perf.data -- sh "$(command -v trace_vm.sh)" provoke \
			>/tmp/perf.out 2>&1 || { cat /tmp/perf.out; return 1; }
		perf script -i /tmp/perf.data >/tmp/perf.script 2>/tmp/perf.err || { cat /tmp/perf.err; return 1; }
		echo "# $(perf --version): $(grep -c 'mntwatch:' /tmp/perf.script) samples"
		sed 's/mntwatch:\(enospc\|growth\):/\1:/' /tmp/perf.script >/tmp/perf.trace
		same_as_table /tmp/perf.trace enospc "$enospc_keys" $dbg/events "$enospc_map" 2 &&
			same_as_table /tmp/perf.trace growth "$growth_keys" $dbg/growth "$growth_map" 1
	}
	check "perf record -e 'mntwatch:*': its samples equal the events and growth tables" perf_run
else
	echo "# perf: not in this VM (run_vm.sh is given it by check.sh): not tested"
fi
command -v bpftrace >/dev/null ||
	echo "# bpftrace: not in this VM (its 200 MB of libraries are carried only by make bench): not tested here"
rmmod mntwatch
[ $failed -eq 0 ]
