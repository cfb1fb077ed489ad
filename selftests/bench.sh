#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the module's cost on the mount path, inside one VM boot.
# Rounds alternate which side runs first; medians of per-round ratios are
# what to read, since TCG timings are emulated.
set -eu
dbg=/sys/kernel/debug/mntwatch
rounds=${BENCH_ROUNDS:-7}
ops=${BENCH_OPS:-2000}
out=/tmp/bench
mkdir -p $out

stat_of() { awk -v k="$1" '$1 == k { print $2 }' $dbg/status; }
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

run() {	# run SIDE KIND ROUND
	mount_bench "$2" "$ops" >"$out/$1-$2-$3"
}

with_module() {	# ROUND
	insmod "$MNTWATCH_KO"
	hits=$(stat_of count_hits)
	run with bind "$1"
	run with tmpfs "$1"
	echo "$(($(stat_of count_hits) - hits))" >"$out/hits-$1"
	rmmod mntwatch
}

r=1
while [ $r -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		run without bind $r; run without tmpfs $r; with_module $r
	else
		with_module $r; run without bind $r; run without tmpfs $r
	fi
	r=$((r + 1))
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "kernel $(uname -r), $rounds rounds of $ops mounts + umounts each (TCG: emulated time; read the ratios)"
for kind in bind tmpfs; do
	for op in mount umount; do
		r=1
		while [ $r -le "$rounds" ]; do
			a=$(value ${op}_ns_per_op "$out/with-$kind-$r")
			b=$(value ${op}_ns_per_op "$out/without-$kind-$r")
			awk -v a="$a" -v b="$b" 'BEGIN { printf "%.4f\n", a / b }'
			r=$((r + 1))
		done >"$out/ratio-$kind-$op"
		without=$(for f in "$out"/without-$kind-*; do value ${op}_ns_per_op "$f"; done | median)
		echo "$kind $op: median ratio with/without $(median <"$out/ratio-$kind-$op") (without: $without ns/op)"
	done
done
secs=$(for f in "$out"/with-bind-*; do awk -v o="$ops" '{ s += $2 } END { print s * o / 1e9 }' "$f"; done | median)
hits=$(cat "$out"/hits-* | median)
awk -v h="$hits" -v o="$ops" -v s="$secs" 'BEGIN { printf "count_mounts probe hits per round: %d (bind + tmpfs, %d mounts each); the bind loop ran %.0f hits/s\n", h, o, h / 2 / s }'

insmod "$MNTWATCH_KO" ns_max=16384
ns_churn 10 1 >/dev/null
echo "memory at $(stat_of table_rows) namespaces: table_bytes $(stat_of table_bytes) events_bytes $(stat_of events_bytes) (allocated at load for ns_max=$(stat_of table_max))"
ns_churn 9990 >"$out/spawn"
echo "memory at $(stat_of table_rows) namespaces: table_bytes $(stat_of table_bytes) events_bytes $(stat_of events_bytes)"
for i in 1 2 3 4 5; do mount_bench read $dbg/namespaces | awk '$1 == "read_ns" { print $2 }'; done >"$out/cat"
echo "cat namespaces at $(stat_of table_rows) rows: median $(median <"$out/cat" | awk '{ printf "%.2f", $1 / 1e6 }') ms ($(mount_bench read $dbg/namespaces | awk '$1 == "read_bytes" { print $2 }') bytes)"
echo "probe misses: count $(stat_of count_nmissed), attach $(stat_of attach_nmissed), free $(stat_of free_nmissed)"
rmmod mntwatch
