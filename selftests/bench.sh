#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: the module's cost on the mount path, inside one VM boot.
# Each round times the mount loops with nothing loaded, with the baseline
# kretprobe_floor.ko (the same kretprobes, empty handlers), with mntwatch and
# with the peer a user would run instead (bpftrace, when it is given and runs
# here), rotating which goes first; the medians of per-round ratios are what
# to read. A VM's mount cost drifts by a few percent from one loop to the
# next, more than mntwatch's own work: the two modules are therefore timed
# against themselves with their kprobes disarmed, in alternating blocks.
set -eu
dbg=/sys/kernel/debug/mntwatch
# make bench passes BENCH_ROUNDS on the kernel command line
rounds=$(sed -n 's/.*bench_rounds=\([0-9]*\).*/\1/p' /proc/cmdline)
rounds=${rounds:-${BENCH_ROUNDS:-7}}
ops=$(sed -n 's/.*bench_ops=\([0-9]*\).*/\1/p' /proc/cmdline)
ops=${ops:-${BENCH_OPS:-2000}}
out=/tmp/bench
mkdir -p $out

. vmlib.sh
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The peer: mntwatch's events as one bpftrace script would log them, on its
# own (bpftrace) and with a map of each namespace's mounts, the least of
# mntwatch's namespaces table (bpftrace_map). fexit (kretfunc) where the
# kernel has BPF trampolines, else a kprobe that keeps the namespace for its
# kretprobe. 6.8 renamed mounts to nr_mounts.
case $(uname -r) in
[1-5].* | 6.[0-7].*) nr_mounts=mounts ;;
*) nr_mounts=nr_mounts ;;
esac
# a kretprobe's retval is the whole of rax, of which count_mounts()' int is
# the low half
say='if ((int32)retval == -28) { printf("%d %s ns %u mounts %u pending %u max %u: ENOSPC\n", pid, comm,
	$ns->ns.inum, $ns->'$nr_mounts', $ns->pending_mounts, *(uint32 *)kaddr("sysctl_mount_max")); }'
keep='@mounts[$ns->ns.inum] = $ns->'$nr_mounts';'
fexit() { echo 'kretfunc:count_mounts { $ns = args->ns; '"$1"' }'; }
kretprobe() {
	echo 'kprobe:count_mounts { @ns[tid] = arg0; }
kretprobe:count_mounts /@ns[tid]/ { $ns = (struct mnt_namespace *)@ns[tid]; '"$1"' delete(@ns[tid]); }'
}
mkdir -p /sys/kernel/tracing
grep -q " /sys/kernel/tracing " /proc/mounts || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true

# peer_start SIDE: bpftrace running the side's script, proven by an ENOSPC
# it reported
peer_start() {
	case $1 in
	bpftrace) script=$($peer "$say") ;;
	bpftrace_map) script=$($peer "$keep $say") ;;
	esac
	bpftrace -e "$script" >$out/peer.log 2>&1 &
	peer_pid=$!
	mkdir -p /tmp/peer_mnt
	i=0
	while ! reported && [ $i -lt 600 ]; do
		kill -0 $peer_pid 2>/dev/null || return 1
		# one mount over a limit of 1 in a namespace of its own
		unshare -m sh -c 'echo 1 >/proc/sys/fs/mount-max; mount -t tmpfs peer /tmp/peer_mnt' 2>/dev/null || true
		echo "$max_default" >/proc/sys/fs/mount-max
		sleep 1
		i=$((i + 1))
	done
	reported
}
# a line the script printed, not bpftrace's echo of it in a warning
reported() { grep -q '^[0-9]* .* max [0-9]*: ENOSPC$' $out/peer.log; }
# a bpftrace that does not end on SIGINT within 30 s is killed: a bench
# never hangs on its peer
peer_stop() {
	kill -INT $peer_pid
	i=0
	while kill -0 $peer_pid 2>/dev/null && [ $i -lt 30 ]; do
		sleep 1
		i=$((i + 1))
	done
	kill -KILL $peer_pid 2>/dev/null || true
	wait $peer_pid || true
}

max_default=$(cat /proc/sys/fs/mount-max)
sides='without floor with'
peer=none
if ! command -v bpftrace >/dev/null; then
	peer_why='bpftrace was not given to the VM (make bench passes it when the host has it)'
else
	# bpftrace 0.17 (Debian 12) looks for kernel BTF among the BTF objects
	# that 5.11 began to list, so on 5.10 it finds none and can neither
	# read struct mnt_namespace nor use fexit (fixed in bpftrace 0.18):
	# vmlinux's BTF given by path gets it the types
	if bpftrace --info 2>&1 | grep -q 'btf: no' && [ -r /sys/kernel/btf/vmlinux ]; then
		export BPFTRACE_BTF=/sys/kernel/btf/vmlinux
	fi
	peer=kretprobe
	bpftrace -l 'kretfunc:count_mounts' 2>/dev/null | grep -q count_mounts && peer=fexit
	for sd in bpftrace bpftrace_map; do
		if peer_start $sd; then
			peer_stop
			sides="$sides $sd"
		else
			peer_why="bpftrace ($peer) did not report an ENOSPC here: $(grep -v '^Attaching' $out/peer.log | head -n 1)"
			kill $peer_pid 2>/dev/null || true
			peer=none
			break
		fi
	done
fi

switch=/sys/kernel/debug/kprobes/enabled
side() {	# SIDE ROUND
	case $1 in
	floor) insmod /opt/mntwatch/bin/kretprobe_floor.ko ;;
	with) insmod "$MNTWATCH_KO"; hits=$(stat_of count_hits) ;;
	bpftrace*) peer_start "$1" ;;
	esac
	# rbind: 16 mounts a bind, the walk of the tree up to the headroom
	for kind in bind tmpfs rbind; do
		n=$ops
		[ $kind = rbind ] && n=$((ops / 4))
		mount_bench $kind $n >"$out/$1-$kind-$2"
		# the module against itself with its kprobes disarmed, in
		# alternating blocks: the exact cost of its probes
		case $1 in
		floor | with) mount_bench $kind $n $switch >"$out/$1_switched-$kind-$2" ;;
		esac
	done
	case $1 in
	floor) rmmod kretprobe_floor ;;
	with)
		echo "$(($(stat_of count_hits) - hits))" >"$out/hits-$2"
		cp $dbg/status "$out/status-$2"
		rmmod mntwatch
		;;
	bpftrace*) peer_stop ;;
	esac
}

r=1
while [ $r -le "$rounds" ]; do
	# each side goes first in turn
	order=$sides
	i=0
	while [ $i -lt $((r % $(echo $sides | wc -w))) ]; do
		order="${order#* } ${order%% *}"
		i=$((i + 1))
	done
	for sd in $order; do side "$sd" $r; done
	r=$((r + 1))
done

# per_round AWK_EXPR KIND OP SIDE...: median over rounds of AWK_EXPR, where
# a1 a2 .. are the sides' times armed (or plain), d1 d2 .. disarmed: each
# loop's mean per operation, or with stat=ns_median its median operation
stat=ns_per_op
per_round() {
	expr=$1 kind=$2 op=$3
	shift 3
	r=1
	while [ $r -le "$rounds" ]; do
		vars= n=1
		for sd in "$@"; do
			vars="$vars -v a$n=$(value "${op}_$stat" "$out/$sd-$kind-$r")"
			vars="$vars -v d$n=$(value "${op}_${stat}_disarmed" "$out/$sd-$kind-$r")"
			n=$((n + 1))
		done
		awk $vars "BEGIN { printf \"%.4f\\n\", $expr }"
		r=$((r + 1))
	done | median
}
int() { awk '{ printf "%d", $1 }'; }

clock=wall
# make bench says so on the kernel command line
grep -qw 'bench_clock=icount' /proc/cmdline && clock=icount
echo "kernel $(uname -r), $rounds rounds of $ops mounts + umounts per loop ($((ops / 4)) for rbind); medians over rounds of one round's ratios"
case $peer in
none) echo "bpftrace: not measured: $peer_why" ;;
*)
	echo "bpftrace: $(bpftrace --version), $peer on count_mounts${BPFTRACE_BTF:+ (BPFTRACE_BTF=$BPFTRACE_BTF: this bpftrace finds no BTF here by itself, and no fexit)}:"
	echo "  bpftrace:     $($peer "$say" | tr -s '\n\t' '  ')"
	echo "  bpftrace_map: $($peer "$keep $say" | tr -s '\n\t' '  ')"
	;;
esac
# against_itself: the table of each module against itself, in $stat
against_itself() {
	echo "op            without(ns/op)  kretprobes/without  mntwatch/without  mntwatch/kretprobes  mntwatch-without(ns/op)  mntwatch-kretprobes(ns/op)"
	for kind in bind tmpfs rbind; do
		for op in mount umount; do
			printf '%-13s %14s  %18s  %16s  %19s  %23s  %26s\n' "$kind $op" \
				"$(per_round a1 $kind $op without | int)" \
				"$(per_round 'a1 / d1' $kind $op floor_switched)" \
				"$(per_round 'a1 / d1' $kind $op with_switched)" \
				"$(per_round '(a1 / d1) / (a2 / d2)' $kind $op with_switched floor_switched)" \
				"$(per_round 'a1 - d1' $kind $op with_switched | int)" \
				"$(per_round '(a1 - d1) - (a2 - d2)' $kind $op with_switched floor_switched | int)"
		done
	done
}
echo "Each module against itself with its kprobes disarmed, in 20 alternating blocks each way:"
against_itself
# the same, each loop's median operation instead of its mean: what a probe
# adds to the path every call takes, without the rare calls that also paid
# for a slab refill or RCU callbacks, whose drift is larger than that
stat=ns_median
echo "The same with each loop's median operation (its common path) instead of its mean:"
against_itself
stat=ns_per_op
echo "Each side's loops against those with nothing loaded (the way bpftrace, which cannot be disarmed, is timed):"
echo "op            kretprobes/without  mntwatch/without  bpftrace/without  bpftrace+map/without"
for kind in bind tmpfs rbind; do
	for op in mount umount; do
		printf '%-13s %18s  %16s  %16s  %20s\n' "$kind $op" \
			"$(per_round 'a1 / a2' $kind $op floor without)" \
			"$(per_round 'a1 / a2' $kind $op with without)" \
			"$([ $peer = none ] && echo - || per_round 'a1 / a2' $kind $op bpftrace without)" \
			"$([ $peer = none ] && echo - || per_round 'a1 / a2' $kind $op bpftrace_map without)"
	done
done
# the armed half of the bind loop: its mounts and umounts
secs=$(for f in "$out"/with-bind-*; do awk -v o="$ops" '$1 == "mount_ns_per_op" || $1 == "umount_ns_per_op" { s += $2 } END { print s * o / 1e9 }' "$f"; done | median)
hits=$(cat "$out"/hits-* | median)
awk -v h="$hits" -v o="$ops" -v s="$secs" 'BEGIN { printf "count_mounts probe hits per round: %d (twice %d bind, %d tmpfs, %d rbind); the bind loop ran %.0f hits/s\n", h, o, o, o / 4, o / s }'
sum_of() { for f in "$out"/status-*; do value "$1" "$f"; done | awk '{ s += $1 } END { print s + 0 }'; }
echo "mntwatch over all rounds: count_hits $(sum_of count_hits), count_declined $(sum_of count_declined), verdict_mismatch $(sum_of verdict_mismatch), count_nmissed $(sum_of count_nmissed), attach_nmissed $(sum_of attach_nmissed)"

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
