#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the module's cost on the mount path, inside one VM boot.
# Each round times the mount loops with nothing loaded, with the baseline
# kretprobe_floor.ko (the same kretprobes, empty handlers) and with mntwatch,
# rotating which goes first; the medians of per-round ratios are what to read.
set -eu
dbg=/sys/kernel/debug/mntwatch
rounds=${BENCH_ROUNDS:-7}
ops=${BENCH_OPS:-2000}
out=/tmp/bench
mkdir -p $out

. vmlib.sh
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

side() {	# SIDE ROUND
	case $1 in
	floor) insmod /opt/mntwatch/bin/kretprobe_floor.ko ;;
	with) insmod "$MNTWATCH_KO"; hits=$(stat_of count_hits) ;;
	esac
	mount_bench bind "$ops" >"$out/$1-bind-$2"
	mount_bench tmpfs "$ops" >"$out/$1-tmpfs-$2"
	case $1 in
	floor) rmmod kretprobe_floor ;;
	with) echo "$(($(stat_of count_hits) - hits))" >"$out/hits-$2"; rmmod mntwatch ;;
	esac
}

r=1
while [ $r -le "$rounds" ]; do
	case $((r % 3)) in
	1) side without $r; side floor $r; side with $r ;;
	2) side floor $r; side with $r; side without $r ;;
	0) side with $r; side without $r; side floor $r ;;
	esac
	r=$((r + 1))
done

# ratio A B KIND OP: median over rounds of A's time / B's time
ratio() {
	r=1
	while [ $r -le "$rounds" ]; do
		awk -v a="$(value "${4}_ns_per_op" "$out/$1-$3-$r")" \
		    -v b="$(value "${4}_ns_per_op" "$out/$2-$3-$r")" 'BEGIN { printf "%.4f\n", a / b }'
		r=$((r + 1))
	done | median
}

clock=wall
# make bench says so on the kernel command line
grep -qw 'bench_clock=icount' /proc/cmdline && clock=icount
echo "kernel $(uname -r), $rounds rounds of $ops mounts + umounts per loop; median ratios of one round's times"
echo "op            without(ns/op)  kretprobes/without  mntwatch/without  mntwatch/kretprobes"
for kind in bind tmpfs; do
	for op in mount umount; do
		without=$(for f in "$out"/without-$kind-*; do value ${op}_ns_per_op "$f"; done | median)
		printf '%-13s %14s  %18s  %16s  %19s\n' "$kind $op" "$without" \
			"$(ratio floor without $kind $op)" "$(ratio with without $kind $op)" \
			"$(ratio with floor $kind $op)"
	done
done
secs=$(for f in "$out"/with-bind-*; do awk -v o="$ops" '{ s += $2 } END { print s * o / 1e9 }' "$f"; done | median)
hits=$(cat "$out"/hits-* | median)
awk -v h="$hits" -v o="$ops" -v s="$secs" 'BEGIN { printf "count_mounts probe hits per round: %d (bind + tmpfs, %d mounts each); the bind loop ran %.0f hits/s\n", h, o, h / 2 / s }'

insmod "$MNTWATCH_KO" ns_max=16384
ns_churn 10 1 >/dev/null
echo "memory at $(stat_of table_rows) namespaces: table_bytes $(stat_of table_bytes) events_bytes $(stat_of events_bytes) (allocated at load for ns_max=$(stat_of table_max))"
ns_churn 9990 >"$out/spawn"
sleep 2 # the freeing of 9,990 namespaces runs on after ns_churn exits
echo "memory at $(stat_of table_rows) namespaces: table_bytes $(stat_of table_bytes) events_bytes $(stat_of events_bytes)"
for i in 1 2 3 4 5; do mount_bench read $dbg/namespaces | awk '$1 == "read_ns" { print $2 }'; done >"$out/cat"
echo "cat namespaces at $(stat_of table_rows) rows: median $(median <"$out/cat" | awk '{ printf "%.2f", $1 / 1e6 }') ms ($(mount_bench read $dbg/namespaces | awk '$1 == "read_bytes" { print $2 }') bytes)"
echo "probe misses: count $(stat_of count_nmissed), attach $(stat_of attach_nmissed), free $(stat_of free_nmissed)"
rmmod mntwatch
echo "clock: $clock$([ $clock = icount ] && echo ' (1 ns = 1 guest instruction: ns/op reads as instructions per op)')"
