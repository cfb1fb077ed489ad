# SPDX-License-Identifier: GPL-2.0
# make bench-tool: what the tool costs against what it is compared with, in
# the runtimes root (vmtest.sh -r runtimes, the module loaded, runtimes_lib.sh
# on PATH). Prints ratios from one run; it asserts nothing about time, since
# a TCG guest's wall clock swings with the host's load:
# - mntwatch against `lsns -t mnt` with 10 and with 80 busybox containers
#   of Debian's docker;
# - at the seed's docker cp loop grown to fs.mount-max=$BENCH_TOOL_LIMIT,
#   each command (ns, explain, loops, check, metrics) against one
#   `wc -l` of the full container's mountinfo, and how many times each
#   opened a mountinfo file (a kprobe event on do_filp_open).
# Each figure is the median of $BENCH_TOOL_RUNS runs.

. runtimes_lib.sh

runs=${BENCH_TOOL_RUNS:-5}
limit=${BENCH_TOOL_LIMIT:-30000}
tracing=/sys/kernel/debug/tracing

# ms CMD...: milliseconds CMD takes, the median of $runs runs (output dropped)
ms() {
	local i t0 t1
	for i in $(seq "$runs"); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000000))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# ratio A B: A / B with two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }

# opens CMD...: mountinfo files CMD (and its children) opened in one run,
# from a kprobe event on do_filp_open's file name; "-" when the kernel has
# no kprobe events
opens() {
	local n
	if ! echo 'p:mwbench_open do_filp_open name=+0(+0(%si)):string' >"$tracing/kprobe_events" 2>/dev/null; then
		echo -
		return
	fi
	echo >"$tracing/trace"
	echo 1 >"$tracing/events/kprobes/mwbench_open/enable"
	"$@" >/dev/null 2>&1
	echo 0 >"$tracing/events/kprobes/mwbench_open/enable"
	n=$(grep -c 'name="[^"]*mountinfo"' "$tracing/trace")
	echo '-:mwbench_open' >>"$tracing/kprobe_events"
	echo "$n"
}

# containers N: busybox containers bench-1..N running
containers() {
	local i have
	have=$(docker ps -q --filter name=bench- | wc -l)
	for i in $(seq $((have + 1)) "$1"); do
		docker run -d --name "bench-$i" busybox sleep 1d >/dev/null || return 1
	done
}

lsns_vs() {
	local mw ls
	containers "$1" || { echo "# bench-tool: docker run failed at $(docker ps -q | wc -l) containers"; return 1; }
	mw=$(ms mntwatch)
	ls=$(ms lsns -t mnt)
	echo "# bench-tool: $1 containers, $(lsns -n -t mnt | wc -l) mount namespaces: mntwatch $mw ms, lsns -t mnt $ls ms: $(ratio "$mw" "$ls")x (mountinfo opens: mntwatch $(opens mntwatch), lsns $(opens lsns -t mnt))"
}

cp_loop() {
	local dir=/tmp/bench-cp cpid lines wc c t
	t=$(rt_now)
	RT_KEEP=1 rt_docker_cp "$limit" 14 "$dir" || { echo "# bench-tool: no docker cp failed at fs.mount-max=$limit"; rt_docker_cp_end; return 1; }
	cpid=$(cat "$dir/container-pid")
	lines=$(wc -l <"/proc/$cpid/mountinfo")
	echo "# bench-tool: docker cp loop at fs.mount-max=$limit: $(rt_since "$t") s; container mountinfo per step: $(awk 'NR > 1 { printf "%s%s", s, $3; s = " " }' "$dir/steps.tsv"); failed at step $(cat "$dir/failed-step"), $lines lines now"
	wc=$(ms wc -l "/proc/$cpid/mountinfo")
	echo "# bench-tool: wc -l of the container's mountinfo: $wc ms (lsns -t mnt $(ms lsns -t mnt) ms)"
	for c in ns explain loops check metrics; do
		t=$(ms mntwatch $c)
		echo "# bench-tool: mntwatch $c: $t ms, $(ratio "$t" "$wc")x one wc -l (goal 1.5), mountinfo opens $(opens mntwatch $c)"
	done
	rt_docker_cp_end
}

echo "# bench-tool: kernel $(uname -r), $(docker version -f 'docker {{.Server.Version}}' 2>/dev/null), $(lsns --version), $runs runs a figure"
cp_loop
lsns_vs 10
lsns_vs 80
docker rm -f $(docker ps -aq --filter name=bench-) >/dev/null 2>&1
