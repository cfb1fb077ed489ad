#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The mntwatch binary against fixture trees: exact tables, JSON through jq,
# metrics through promtool, exit codes and one-line errors. TAP lines are
# numbered from $TAP_START; exits 1 if any test failed.
set -u
cd "$(dirname "$0")/.."
bin=./mntwatch
fx=tests/fixtures
exp=tests/expected
n=$((${TAP_START:-1} - 1))
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TZ=UTC MNTWATCH_NOW=1795743000 LC_ALL=C
loop=(--debugfs $fx/loop/debugfs --proc $fx/proc)
nomod=(--debugfs $fx/no-such-dir/mntwatch --proc $fx/proc)

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift; for l in "$@"; do echo "#   $l"; done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# run NAME WANT_RC CMD...: stdout in $tmp/out, stderr in $tmp/err
run() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		not_ok "$name" "exit $rc, want $want" "stderr: $(head -c 300 "$tmp/err")"
		return 1
	fi
	return 0
}

# golden NAME FILE CMD...: exit 0 and stdout equal to tests/expected/FILE
golden() {
	local name=$1 file=$2
	shift 2
	run "$name" 0 "$@" || return
	if [ -n "${UPDATE_EXPECTED:-}" ]; then cp "$tmp/out" "$exp/$file"; fi
	if diff -u "$exp/$file" "$tmp/out" >"$tmp/diff"; then
		ok "$name"
	else
		not_ok "$name" "$(head -20 "$tmp/diff")"
	fi
}

# one_line_error NAME RC PATTERN CMD...: exit RC, empty stdout, one stderr line
one_line_error() {
	local name=$1 want=$2 pat=$3
	shift 3
	run "$name" "$want" "$@" || return
	if [ -s "$tmp/out" ]; then
		not_ok "$name" "stdout not empty: $(head -c 200 "$tmp/out")"
	elif [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q -- "$pat" "$tmp/err"; then
		not_ok "$name" "stderr: $(cat "$tmp/err")" "want one line matching: $pat"
	else
		ok "$name"
	fi
}

# jq_is NAME FILTER WANT: JSON in $tmp/out, FILTER's output must equal WANT
jq_is() {
	local got
	got=$(jq -c "$2" <"$tmp/out" 2>&1)
	if [ "$got" = "$3" ]; then ok "$1"; else not_ok "$1" "jq '$2' gave $got, want $3"; fi
}

golden "ns: table from the module, who from /proc" ns.txt $bin "${loop[@]}"
golden "ns -o: chosen columns in the chosen order" ns-cols.txt $bin ns -o NS,USE%,nr_pids,RUNTIME,UNIT "${loop[@]}"
golden "ns -o +LIST: defaults plus more, no headings" ns-plus.txt $bin -n -o +RUNTIME "${loop[@]}"
golden "events: ENOSPC log with caller and failing namespace named" events.txt $bin events "${loop[@]}"
golden "explain: the propagation loop" explain.txt $bin explain "${loop[@]}"

if run "ns --json: valid JSON" 0 $bin --json "${loop[@]}"; then
	if jq -e . "$tmp/out" >/dev/null 2>&1; then ok "ns --json: valid JSON"; else not_ok "ns --json: valid JSON" "jq rejects it"; fi
	jq_is "ns --json: first row" '.namespaces[0] | [.ns, .mounts, .use_pct, .state, .pids, .comm, .runtime, .pod]' \
		'[4026532200,700,70,"live",[250,251],"nginx","crio","1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]'
	jq_is "ns --json: full container id, epoch time" '.namespaces[1] | [.container, .last_fail, .last_requested]' \
		'["3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",1795742956.843098,2]'
	jq_is "ns --json: gone row names nobody" '.namespaces[4] | [.state, .pids, .container]' '["gone",null,null]'
	jq_is "ns --json: the namespace the module has not seen, counted live" '.namespaces[3] | [.ns, .mounts, .pids, .held_by, .source]' \
		'[4026532400,31,[300],"300","live"]'
	jq_is "ns --json: every column, source" '[.source, (.namespaces[0] | keys | length)]' '["module",35]'
fi
if run "events --json" 0 $bin events -J "${loop[@]}"; then
	jq_is "events --json: caller vs failing" '.events[1] | [.caller_ns, .failing_ns, .caller_who, .failing_who, .pending, .result]' \
		'[4026531841,4026532200,"host","crio:7e6d5c4b3a29",250,-28]'
fi
if run "ns -J -o: only the chosen members" 0 $bin -J -o ns,mounts "${loop[@]}"; then
	jq_is "ns -J -o: only the chosen members" '.namespaces[0]' '{"ns":4026532200,"mounts":700}'
fi

# --list-columns comes from the same table as the headers
if run "--list-columns" 0 $bin --list-columns; then
	if [ "$(wc -l <"$tmp/out")" = 35 ] && grep -q '^USE%  *use_pct  *\* ' "$tmp/out" &&
	   grep -q '^UNIT  *unit   ' "$tmp/out"; then ok "--list-columns: 35 ns columns, defaults starred"
	else not_ok "--list-columns" "$(cat "$tmp/out")"; fi
fi
if run "events --list-columns --json" 0 $bin events --list-columns --json; then
	jq_is "events --list-columns --json" '[(.columns | length), .columns[0].name, .columns[0].json, .columns[34].json]' '[35,"TIME","time","fallback"]'
fi

# without the module: counted from mountinfo, pending and history unknown
if run "no module: live table from /proc" 0 $bin "${nomod[@]}"; then
	if grep -q 'module not loaded' "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		ok "no module: one line on stderr"
	else not_ok "no module: one line on stderr" "$(cat "$tmp/err")"; fi
	[ -n "${UPDATE_EXPECTED:-}" ] && cp "$tmp/out" "$exp/nomod.txt"
	if diff -u "$exp/nomod.txt" "$tmp/out" >"$tmp/diff"; then ok "no module: counts from mountinfo, '-' for pending/history"
	else not_ok "no module: table" "$(head -20 "$tmp/diff")"; fi
fi
if run "no module --json" 0 $bin -J "${nomod[@]}"; then
	jq_is "no module --json: null where unknown" '[.source, (.namespaces | length), (.namespaces[0] | [.ns, .mounts, .max, .use_pct, .pending, .peak, .enospc, .last_fail])]' \
		'["proc",4,[4026532200,701,1000,70.1,null,null,null,null]]'
fi
one_line_error "no module: events is an error" 3 'module not loaded' $bin events "${nomod[@]}"
one_line_error "no module: explain is an error" 3 'module not loaded' $bin explain "${nomod[@]}"

# loops: live from mountinfo, with or without the module
loops=(--debugfs $fx/no-such-dir/mntwatch --proc $fx/loops/proc)
golden "loops: the self-binding namespaces, biggest factor first, repeated mountpoints" loops.txt $bin loops "${loops[@]}"
if run "loops --json" 0 $bin loops -J "${loops[@]}"; then
	jq_is "loops --json: the loop, its namespace, mountpoints and container" \
		'[.source, (.loops | length), (.loops[0] | [.ns, .group, .factor, .nested, .mountpoint, .inside, .pids, .pod])]' \
		'["mountinfo",2,[4026532600,1,54,53,"/mnt","/mnt/a/sub",[600],"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"]]'
	jq_is "loops --json: repeated mountpoints, no loop for the host's bind or the container's slaves" \
		'[[.repeated[] | [.ns, .count, .mountpoint]], [.loops[].ns | select(. == 4026531841 or . == 4026532800)]]' \
		'[[[4026532600,20,"/mnt/a/sub"],[4026532600,18,"/mnt/a/sub/sub"],[4026532600,7,"/mnt/a"]],[]]'
fi
# every namespace: held by an nsfs bind mount or an open file, no process
if run "ns: held-only namespaces listed with their holders" 0 $bin -J "${loops[@]}"; then
	jq_is "ns: held-only namespaces listed with their holders" \
		'[.namespaces[] | select(.pids == null) | [.ns, .held_by, .mounts, .source]]' \
		'[[4026532900,"/run/ns/held",null,null],[4026532950,"fd-of-700",null,null]]'
fi
if run "loops: none" 0 $bin loops "${nomod[@]}"; then
	if [ "$(cat "$tmp/out")" = "No live propagation loop in 4 mount namespaces; no mountpoint is mounted 4 times or more." ] &&
	   [ ! -s "$tmp/err" ]; then ok "loops: an empty answer is one line"
	else not_ok "loops: an empty answer is one line" "$(cat "$tmp/out" "$tmp/err")"; fi
fi
if run "loops --list-columns" 0 $bin loops --list-columns; then
	if grep -q '^FACTOR  *factor  *\* ' "$tmp/out" && grep -q '^INSIDE ' "$tmp/out"; then ok "loops --list-columns"
	else not_ok "loops --list-columns" "$(cat "$tmp/out")"; fi
fi

# container runtimes: names from their state on disk, the docker cp incident
rt=(--debugfs $fx/runtimes/debugfs --proc $fx/runtimes/proc)
golden "ns: containers named by their runtimes (not by a process in a container calling itself dockerd), gone helpers hidden" rt-ns.txt $bin "${rt[@]}"
golden "ns --all: the gone helpers too" rt-ns-all.txt $bin --all -o NS,STATE,ENOSPC,PIDS,NAME,RUNTIME,IMAGE,POD-NS,POD-NAME "${rt[@]}"
golden "events: the failing mount, its containers, runc's fallbacks told apart" rt-events.txt $bin events \
	-o +SEQ,SYSCALL,FLAGS,SOURCE,TARGET-NAME,FAILING-NAME,FALLBACK "${rt[@]}"
golden "explain: the docker cp incident" rt-explain.txt $bin explain "${rt[@]}"
golden "loops: a loop fed from the host's namespace" rt-loops.txt $bin loops "${rt[@]}"
if run "ns --json on the runtimes" 0 $bin -J "${rt[@]}"; then
	jq_is "ns --json: name, runtime, image, pod as each runtime recorded them" \
		'[.namespaces[] | select(.pids != null and .container != null) | [.ns, .container, .runtime, .name, .image, .pod_namespace, .pod_name]]' \
		'[[4026532301,"4d0c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5","docker","my-mount-max","busybox",null,null],[4026532310,"t1","containerd",null,null,null,null],[4026532320,"5a5b5c5d5e5f60616263646566676869707172737475767778797a7b7c7d7e7f","podman","web","docker.io/library/nginx:latest",null,null],[4026532330,"6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b","crio","app","quay.io/shop/app:2.1","shop","shop-web-6b7c8d9f4-abcde"],[4026532340,"7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c","containerd","cache","docker.io/library/redis:7","payments","cache-7c9f8d6b5-x2kq4"],[4026532350,"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","docker",null,null,null,null]]'
	jq_is "ns --json: gone helpers left out, the live row of a reused number kept" \
		'[.namespaces[] | select(.ns == 4026532301) | .state]' '["live"]'
fi
if run "ns --json --all" 0 $bin -J --all "${rt[@]}"; then
	jq_is "ns --json --all: every row" '[(.namespaces | length), ([.namespaces[] | select(.state == "gone")] | length)]' '[11,4]'
fi
# a namespace the module never saw being made has no birth to show, not 1970
if run "ns --json: namespaces seen only live" 0 $bin -J -o NS,SOURCE,BORN-MOUNTS,BORN,PARENT "${rt[@]}"; then
	jq_is "ns --json: a namespace seen only live was born with null mounts at null, not 0" \
		'[.namespaces[] | select(.source == "live") | [.born_mounts, .born, .parent]]' \
		'[[null,null,null],[null,null,null],[null,null,null],[null,null,null],[null,null,null]]'
fi
if run "ns: namespaces seen only live" 0 $bin -o SOURCE,BORN-MOUNTS,BORN "${rt[@]}"; then
	got=$(awk '$1 == "live" { print $2, $3 }' "$tmp/out" | sort | uniq -c | sed 's/^ *//')
	if [ "$got" = "5 - -" ]; then ok "ns: a namespace seen only live shows BORN-MOUNTS and BORN as -"
	else not_ok "ns: a namespace seen only live shows BORN-MOUNTS and BORN as -" "$(cat "$tmp/out")"; fi
fi
if run "events --json on the runtimes" 0 $bin events -J "${rt[@]}"; then
	jq_is "events --json: the failing call and the containers it names" \
		'.events[1] | [.seq, .syscall, .flags, .source, .target, .cgroup, .target_container, .target_runtime, .target_name, .failing_container, .failing_name, .caller_who, .fallback]' \
		'[2,"mount","0x5000","/","/srv/docker/overlay2/9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a/merged/rootfs","/","4d0c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5","docker","my-mount-max","4d0c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5","my-mount-max","host",null]'
	jq_is "events --json: runc's fallback binds marked" '[.events[] | .fallback]' '["runc-exe-bind",null,"runc-exe-bind","runc-exe-bind"]'
fi
if run "events --json, an older module" 0 $bin events -J "${loop[@]}"; then
	jq_is "events --json: without the module's new columns they are null" \
		'.events[2] | [.syscall, .flags, .source, .target, .cgroup, .caller_container, .target_container, .fallback]' \
		'[null,null,null,null,null,null,null,null]'
fi
if run "loops --json on the runtimes" 0 $bin loops -J "${rt[@]}"; then
	jq_is "loops --json: the container's loop, no member there, fed by the host's namespace" \
		'[.loops[] | select(.group == 11) | [.ns, .members, .fed_by, .mountpoint, .name]]' \
		'[[4026532301,0,4026531841,"/","my-mount-max"]]'
fi
check_rc() {
	local name=$1 want=$2 pat=$3
	shift 3
	run "$name" "$want" $bin check "$@" || return
	if [ "$(wc -l <"$tmp/out")" = 1 ] && grep -q -- "$pat" "$tmp/out"; then ok "$name"
	else not_ok "$name" "$(cat "$tmp/out")" "want: $pat"; fi
}
check_rc "check: CRITICAL for the docker incident, its loop named" 2 \
	'^MNTWATCH CRITICAL - fullest namespace 4026532301 (docker container my-mount-max (4d0c1e2f3a4b, image busybox)) at 74.0%.* live propagation loops: namespace 4026532301 (docker container my-mount-max .*) peer group 11 at / propagates into /rootfs/srv/docker/overlay2/.*/merged beneath it, x8 per mount' "${rt[@]}"
check_rc "check: WARNING on a mountpoint repeated 17 times, no loop" 1 \
	'^MNTWATCH WARNING - .*, /mnt/x mounted 17 times in namespace 4026531841 (host) .* loops=0 repeats=17;16$' \
	--debugfs $fx/no-such-dir/mntwatch --proc $fx/repeats/proc
one_line_error "--all outside ns: exit 2" 2 "is an option of 'ns' and 'watch'" $bin events --all "${rt[@]}"

# real runtimes: what Debian 12's docker.io 20.10.24, podman 4.3.1 (crun) and
# containerd 1.6.20 (runc 1.1.5) left on the 6.12 kernel with the module
# (tests/fixtures/real/README); mntwatch's answers against the runtimes' own
real=$fx/real
# real_run NAME FIXTURE CMD...: with "now" 30 s after the fixture's first event
real_run() {
	local name=$1 f=$2 now
	shift 2
	now=$(awk 'NR == 2 { print int($1) + 30 }' "$real/$f/debugfs/events")
	MNTWATCH_NOW=$now run "$name" 0 $bin "$@" --debugfs "$real/$f/debugfs" --proc "$real/$f/proc"
}
for f in docker docker-rbind podman ctr; do
	if real_run "explain on the real $f incident" $f explain; then
		[ -n "${UPDATE_EXPECTED:-}" ] && cp "$tmp/out" "$exp/real-$f-explain.txt"
		if diff -u "$exp/real-$f-explain.txt" "$tmp/out" >"$tmp/diff"; then ok "explain on the real $f incident"
		else not_ok "explain on the real $f incident" "$(head -20 "$tmp/diff")"; fi
	fi
done
# docker: the container as docker inspect names it, the call as docker's error prints it
for f in docker docker-rbind; do
	inspect=$real/$f/docker-inspect.json
	want=$(jq -c '.[0] | [.Id, (.Name | ltrimstr("/")), .Config.Image, "docker"]' "$inspect")
	pid=$(jq '.[0].State.Pid' "$inspect")
	if real_run "ns -J on the real $f incident" $f -J; then
		jq_is "ns -J: the container as docker inspect names it ($f)" \
			"[.namespaces[] | select(.pids | index($pid)) | [.container, .name, .image, .runtime]] | first" "$want"
	fi
	err=$(grep -h 'no space left' "$real/$f"/docker-cp-*.txt)
	if real_run "events -J on the real $f incident" $f events -J; then
		got=$(jq -r '[.events[] | select(.fallback == null)] | last | "mount \(.source):\(.target), flags: \(.flags): no space left on device"' "$tmp/out")
		case "$err" in
		*"$got"*) ok "events -J: source, target and flags as docker's error prints them ($f)" ;;
		*) not_ok "events -J: source, target and flags as docker's error prints them ($f)" "docker: $err" "mntwatch: $got" ;;
		esac
		jq_is "events -J: the target's container and the failing one are docker inspect's ($f)" \
			'[.events[] | select(.fallback == null)] | last | [.target_container, .target_name, .failing_container, .failing_name, .comm, .caller_who]' \
			"$(jq -c '.[0] | [.Id, (.Name | ltrimstr("/")), .Id, (.Name | ltrimstr("/")), "dockerd", "host"]' "$inspect")"
	fi
done
if real_run "events -J: runc's fallback on the real docker incident" docker events -J; then
	jq_is "events -J: runc init's bind of its binary is a fallback, dockerd's is not" \
		'[.events[] | [.comm, .source, .fallback]]' '[["dockerd","/var/lib/docker/containers/d9dd9c52ab367266db674856106aba33f31b3e6e51af3b7be0f3aab2a55d1d04/resolv.conf",null],["exe","/proc/self/exe","runc-exe-bind"]]'
	if grep -qx 'exec 0' "$real/docker/steps" && grep -qx 'run 0' "$real/docker/steps"; then
		ok "the docker exec and docker run whose runc bind failed succeeded: a silent fallback indeed"
	else not_ok "runc's fallback: docker exec and run succeeded" "$(cat "$real/docker/steps")"; fi
fi
if real_run "loops -J on the real docker incident" docker loops -J; then
	jq_is "loops -J: the container's root and its nested copies, fed by the host's namespace" \
		'[.loops[] | select(.group == 11) | [.ns, .members, .fed_by, .mountpoint, .name]]' \
		'[[4026532179,0,4026531841,"/","my-mount-max"]]'
fi
# containerd's CRI (cri-pod): the pod's sandbox and container named as
# crictl inspectp and inspect name them, from the task bundles it wrote
f=$real/cri-pod
if run "ns -J on the real CRI pod" 0 $bin -J --debugfs "$f/debugfs" --proc "$f/proc"; then
	jq_is "ns -J: the CRI's sandbox and container as crictl inspectp and inspect name them (cri-pod)" \
		'[.namespaces[] | select(.container_type != null) | [.pod_namespace, .pod_name, .pod_uid, .container, .container_name, .container_type]] | sort' \
		"$(jq -sc '.[0].status as $p | .[1].status as $c | [[$p.metadata.namespace, $p.metadata.name, $p.metadata.uid, $c.id, $c.metadata.name, "container"],
			[$p.metadata.namespace, $p.metadata.name, $p.metadata.uid, $p.id, null, "sandbox"]] | sort' "$f/crictl-inspectp.json" "$f/crictl-inspect.json")"
fi
# the CRI restart loop (cri-loop): the failed start's bundle is deleted at
# once; its pod, living on, is named by its sandbox as crictl inspectp names it
f=$real/cri-loop
if run "events -J on the real CRI restart loop" 0 $bin events -J --debugfs "$f/debugfs" --proc "$f/proc"; then
	jq_is "events -J: the failed container's pod by its sandbox, as crictl inspectp names it (cri-loop)" \
		'.events[-1] | [.caller_runtime, .caller_pod]' \
		"$(jq -c '.status.metadata | ["containerd", "\(.namespace)/\(.name)"]' "$f/crictl-inspectp.json")"
fi
# containerd keeps the CRI's attempt only in its metadata store (meta.db)
f=$real/cri-pod
if run "ns -J on the real CRI pod: attempts" 0 $bin -J --debugfs "$f/debugfs" --proc "$f/proc"; then
	jq_is "ns -J: the container's and the sandbox's attempts from meta.db, as crictl inspect and inspectp report them (cri-pod)" \
		'[.namespaces[] | select(.container_type != null) | [.container_type, .attempt]] | sort' \
		"$(jq -sc '[["container", .[1].status.metadata.attempt], ["sandbox", .[0].status.metadata.attempt]]' "$f/crictl-inspectp.json" "$f/crictl-inspect.json")"
fi
f=$real/cri-loop
if run "events -J on the real CRI restart loop: the failed container" 0 $bin events -J --debugfs "$f/debugfs" --proc "$f/proc"; then
	jq_is "events -J: the failed container's name and attempt from meta.db, as crictl inspect reports them (cri-loop)" \
		'.events[-1] | [.caller_container, .caller_name, .caller_attempt]' \
		"$(jq -c '.status | [.id, .metadata.name, .metadata.attempt]' "$f/crictl-inspect.json")"
fi
if run "explain on the real CRI restart loop" 0 $bin explain --debugfs "$f/debugfs" --proc "$f/proc"; then
	want=$(jq -rs '"The caller ran in containerd container \(.[1].status.metadata.name) (\(.[1].status.id[:12]), pod \(.[0].status.metadata.namespace)/\(.[0].status.metadata.name), restart attempt \(.[1].status.metadata.attempt)) then"' \
		"$f/crictl-inspectp.json" "$f/crictl-inspect.json")
	if grep -qF "$want" "$tmp/out"; then ok "explain: the failed container, its pod and attempt as crictl names them (cri-loop)"
	else not_ok "explain: the failed container, its pod and attempt as crictl names them (cri-loop)" "want: $want" "$(grep 'caller ran' "$tmp/out")"; fi
fi
# a damaged meta.db: the names from the bundles stand, the attempt is unknown
cp -r "$real/cri-pod" "$tmp/cri-pod"
chmod -R u+w "$tmp/cri-pod"
for bad in zero torn; do
	db=$(find "$tmp/cri-pod/proc" -name meta.db)
	case $bad in
	zero) head -c 262144 /dev/zero >"$db" ;;
	torn) head -c 4096 "$real/cri-pod/proc/${db#"$tmp/cri-pod/proc/"}" >"$db" ;;
	esac
	if run "ns -J with a $bad meta.db" 0 $bin -J --debugfs "$tmp/cri-pod/debugfs" --proc "$tmp/cri-pod/proc"; then
		jq_is "ns -J: a $bad meta.db: names from the bundles, attempt unknown" \
			'[.namespaces[] | select(.container_type != null) | [.container_type, .pod_name, .attempt]] | sort' \
			'[["container","web-0",null],["sandbox","web-0",null]]'
	fi
done
now=$(awk 'NR == 2 { print int($1) + 30 }' "$real/docker/debugfs/events")
MNTWATCH_NOW=$now $bin check --debugfs "$real/docker/debugfs" --proc "$real/docker/proc" >"$tmp/out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q '^MNTWATCH CRITICAL - fullest namespace 4026532179 (docker container my-mount-max (d9dd9c52ab36, image busybox)) at 98.3%.* peer group 11 at / propagates into' "$tmp/out"; then
	ok "check: CRITICAL on the real docker incident, the container and its loop named"
else not_ok "check on the real docker incident" "rc $rc" "$(cat "$tmp/out")"; fi
# the growth of the real docker cp at 3000: 1064/536 and 2120/1064 both
# print as x1.99, which is one figure, not a range "x1.99 to x1.99"
if real_run "explain on the real docker cp at 3000" docker-3000 explain; then
	if grep -qx '  it grew x1.99 per step.' "$tmp/out" && ! grep -q 'x1.99 to x1.99' "$tmp/out"; then
		ok "explain: factors that print alike are one figure (x1.99 per step at 3000)"
	else not_ok "explain: factors that print alike are one figure" "$(grep -A1 'multiplied it' "$tmp/out")"; fi
fi
# a restart loop fails in the new container's namespace, gone at once: its
# ENOSPC still makes check CRITICAL (the real runs said WARNING before)
for f in podman ctr; do
	now=$(awk 'NR == 2 { print int($1) + 30 }' "$real/$f/debugfs/events")
	MNTWATCH_NOW=$now $bin check --debugfs "$real/$f/debugfs" --proc "$real/$f/proc" >"$tmp/out" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -q '^MNTWATCH CRITICAL - fullest namespace 4026531841 (host) .* 1 live namespace, 1 with ENOSPC in the last 3600s (latest 29s ago), 1 live propagation loop: .* at /srv/loop-'$f' propagates into /srv/loop-'$f'/inner beneath it' "$tmp/out"; then
		ok "check: CRITICAL after the real $f restart loop failed in a namespace gone since"
	else not_ok "check after the real $f restart loop" "rc $rc" "$(cat "$tmp/out")"; fi
done
# podman 4.3.1's pods as selftests/pods_vm.sh left them (fixtures/real/pods):
# each container's pod, uid, Kubernetes name and restart attempt as
# podman inspect and podman pod inspect give them
pods=$real/pods
pods_args=(--debugfs "$pods/debugfs" --proc "$pods/proc")
if run "ns -J on the real podman pods" 0 $bin -J "${pods_args[@]}"; then
	cp "$tmp/out" "$tmp/pods.json"
	# the CRI's annotations, a pod of podman pod create, one of kube play with
	# its infra container
	for ins in "$pods"/inspect-*.json; do
		c=$(jq -r '.[0].Name' "$ins")
		ns=$(readlink "$pods/proc/$(jq '.[0].State.Pid' "$ins")/ns/mnt" | tr -dc 0-9)
		want=$(jq -c --argjson ns "${ns:-0}" --slurpfile pod "$pods/pod-inspect.json" \
			--slurpfile kube "$pods/kube-pod-inspect.json" '.[0] | .Config.Annotations as $a | .Pod as $p |
			[$ns, .Id, $a["io.kubernetes.cri.sandbox-namespace"],
			 ($a["io.kubernetes.cri.sandbox-name"] // ([$pod[0], $kube[0]] | map(select(.Id == $p)) | first | .Name?)),
			 $a["io.kubernetes.cri.sandbox-uid"], $a["io.kubernetes.cri.container-name"],
			 ($a["io.kubernetes.container.restartCount"] | if . then tonumber else null end),
			 ($a["io.kubernetes.cri.container-name"] // .Name)]' "$ins")
		got=$(jq -c --argjson ns "${ns:-0}" '.namespaces[] | select(.ns == $ns) |
			[.ns, .container, .pod_namespace, .pod_name, .pod_uid, .container_name, .attempt, .name]' "$tmp/pods.json")
		[ -n "$ns" ] && [ "$got" = "$want" ] &&
			ok "ns -J: $c's pod, uid, name and attempt as podman inspect gives them ($(jq -c '.[3]' <<<"$got"))" ||
			not_ok "ns -J: $c as podman inspect names it" "mntwatch: $got" "podman:   $want"
	done
fi
member=$(readlink "$pods/proc/$(jq '.[0].State.Pid' "$pods/inspect-pods-member.json")/ns/mnt" | tr -dc 0-9)
if run "ns on the real podman pods" 0 $bin -o NS,POD,POD-NS,POD-NAME,NAME "${pods_args[@]}"; then
	if awk -v ns="$member" -v pod="$(jq -r .Name "$pods/pod-inspect.json")" '$1 == ns && $2 == pod && $3 == "-" && $4 == pod { found = 1 } END { exit !found }' "$tmp/out" &&
	   ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
		ok "ns: podman's own pod by name in POD and POD-NAME, no namespace; no control byte of the hostile annotations"
	else not_ok "ns: podman's pods" "$(cat -v "$tmp/out")"; fi
fi
# libpod's state database torn or foreign: no pod name, nothing else lost
torn=$tmp/pods-torn
cp -r "$pods" "$torn"
db=$(find "$torn/proc" -name bolt_state.db)
for how in truncate garbage; do
	case $how in
	truncate) head -c 6000 "$pods/${db#"$torn/"}" >"$db" ;;
	garbage) head -c 131072 /dev/urandom >"$db" ;;
	esac
	if run "ns -J with libpod's database $how" 0 $bin -J --debugfs "$torn/debugfs" --proc "$torn/proc"; then
		jq_is "ns -J: libpod's database $how: the member's pod unnamed, its own name kept" \
			".namespaces[] | select(.ns == $member) | [.pod_name, .name]" '[null,"pods-member"]'
	fi
done
# podman and ctr restart loops: the caller's container from its cgroup then
if real_run "events -J on the real podman loop" podman events -J; then
	jq_is "events -J: the caller as podman inspect names it, from its cgroup at the failure" \
		'.events[-1] | [.caller_container, .caller_name, .caller_runtime, .source, .flags]' \
		"$(jq -c '.[0] | [.Id, .Name, "podman", "/srv/loop-podman", "0x5000"]' "$real/podman/podman-inspect.json")"
	grep -q "crun: mount \`$(jq -r '.events[-1].source' "$tmp/out")\` to" "$real/podman/start-6.txt" &&
		ok "events -J: the source crun's error names (podman)" ||
		not_ok "events -J: the source crun's error names (podman)" "$(cat "$real/podman/start-6.txt")"
fi
if real_run "events -J on the real ctr loop" ctr events -J; then
	jq_is "events -J: the caller as ctr names it, its task gone" \
		'.events[-1] | [.caller_container, .caller_runtime, .caller_name]' \
		"$(jq -c '[.ID, "containerd", null]' "$real/ctr/ctr-info.json")"
	got=$(jq -r '.events[-1] | "mount \(.source):/srv/loop-ctr/inner (via \(.target)), flags: \(.flags)"' "$tmp/out")
	grep -qF "$got" "$real/ctr/start-6.txt" && ok "events -J: source, target and flags as runc's error prints them (ctr)" ||
		not_ok "events -J: source, target and flags as runc's error prints them (ctr)" "runc: $(cat "$real/ctr/start-6.txt")" "mntwatch: $got"
fi

# the seed's first symptom: fs.mount-max lowered to 10 under a host of 11
# mounts, dockerd's overlay mount for docker run fails (tests/fixtures/lowered:
# the real docker fixture's host processes and mountinfo, one event, and the
# sysctl files that set the low value at boot)
lowered=(--debugfs $fx/lowered/debugfs --proc $fx/lowered/proc)
golden "explain: a lowered limit under an ordinary host" lowered-explain.txt $bin explain "${lowered[@]}"
if run "explain: the lowered limit told, the host not restarted" 0 $bin explain "${lowered[@]}"; then
	if grep -qx '  The limit was lowered: 10 is far below the kernel.s default of 100000, and 11 mounts are' "$tmp/out" &&
	   grep -qx '  an ordinary number for a host: nothing multiplied them, no loop is there. The namespace' "$tmp/out" &&
	   grep -qx '  /etc/sysctl.d/90-mount-max.conf line 2 sets fs.mount-max = 10 at every boot.' "$tmp/out" &&
	   ! grep -q 'Restart what holds namespace 4026531841' "$tmp/out"; then
		ok "explain: the limit was lowered, 11 mounts are an ordinary host, the boot file named, no restart of the host"
	else not_ok "explain: the lowered limit" "$(cat "$tmp/out")"; fi
fi

# fix: the lowered limit's plan, the same commands explain gives
golden "fix: the lowered limit's plan, commands after their reasons" lowered-fix.txt $bin fix "${lowered[@]}"
if run "fix: explain's What to do is fix's plan" 0 $bin explain "${lowered[@]}"; then
	sed -n 's/^    //p' "$tmp/out" >"$tmp/explain-plan"
	$bin fix "${lowered[@]}" | grep -v '^# mntwatch fix: ' >"$tmp/fix-plan"
	if [ -s "$tmp/fix-plan" ] && cmp -s "$tmp/explain-plan" "$tmp/fix-plan"; then ok "fix: explain's What to do is fix's plan, line for line"
	else not_ok "fix: explain's What to do is fix's plan" "$(diff "$tmp/explain-plan" "$tmp/fix-plan")"; fi
fi
if run "fix -J: the lowered limit's plan as data" 0 $bin fix -J "${lowered[@]}"; then
	jq_is "fix -J: story, namespace, each step's kind, command, value, file and line" \
		'[.story, .namespace, .known, [.steps[] | [.kind, .command, .value, .file, .line]]]' \
		'["lowered-limit",4026531841,true,[["sysctl","sysctl -w fs.mount-max=100000",100000,null,null],["conf","sed -i '"'"'2s/^/# /'"'"' /etc/sysctl.d/90-mount-max.conf",null,"/etc/sysctl.d/90-mount-max.conf",2]]]'
fi
# run it verbatim, with the node's own sysctl and sed, in a mount namespace
# where /etc/sysctl.d, /usr/lib/sysctl.d, /etc/sysctl.conf and
# /proc/sys/fs/mount-max are a copy of the fixture's
w=$tmp/lowered && cp -r $fx/lowered "$w"
# in_node CMD: CMD with the copy bound over the node's paths; RO=1: /etc/sysctl.d read-only
in_node() {
	unshare -rm sh -c 'set -e; w=$1; ro=$2; shift 2
		mount --bind "$w/etc/sysctl.d" /etc/sysctl.d
		[ -z "$ro" ] || mount -o remount,bind,ro /etc/sysctl.d
		mount --bind "$w/usr/lib/sysctl.d" /usr/lib/sysctl.d
		mount --bind "$w/etc/sysctl.conf" /etc/sysctl.conf
		mount --bind "$w/proc/sys/fs/mount-max" /proc/sys/fs/mount-max
		exec "$@"' - "$w" "${RO:-}" "$@"
}
$bin fix --debugfs "$w/debugfs" --proc "$w/proc" >"$tmp/plan"
if in_node sh -e "$tmp/plan" >"$tmp/out" 2>&1 && [ "$(cat "$w/proc/sys/fs/mount-max")" = 100000 ] &&
   [ "$(sed -n 2p "$w/etc/sysctl.d/90-mount-max.conf")" = "# fs.mount-max = 10" ] &&
   [ "$(sed -n 2p "$w/usr/lib/sysctl.d/90-mount-max.conf")" = "fs.mount-max = 5000" ]; then
	ok "fix | sh -e: the lowered limit restored to 100000, its boot line commented out, the hidden file untouched"
else not_ok "fix | sh -e on the lowered limit" "$(cat "$tmp/out")" "mount-max $(cat "$w/proc/sys/fs/mount-max")" "$(cat "$w/etc/sysctl.d/90-mount-max.conf")"; fi
run "fix after the plan ran: nothing left" 1 $bin fix --debugfs "$w/debugfs" --proc "$w/proc" &&
	{ [ "$(tail -n1 "$tmp/out")" = "# nothing left to do: fs.mount-max is 100000 or more now, and no file read at boot lowers it" ] &&
		ok "fix after the plan ran: exit 1, nothing left to do" || not_ok "fix after the plan ran" "$(cat "$tmp/out")"; }
lowered_now=$(awk 'NR == 2 { print int($1) + 30 }' "$w/debugfs/events")
MNTWATCH_NOW=$lowered_now check_rc "check after the plan ran: no fix left for the failure, given back since" 2 \
	', a fix is known for 0 of the 1 (mntwatch fix), 1 given back since |' --debugfs "$w/debugfs" --proc "$w/proc"
if MNTWATCH_NOW=$lowered_now run "metrics after the plan ran" 0 $bin metrics --debugfs "$w/debugfs" --proc "$w/proc"; then
	if grep -qx 'mntwatch_namespace_fix_known{namespace="4026531841"} 0' "$tmp/out"; then
		ok "metrics after the plan ran: mntwatch_namespace_fix_known 0 for the host given back"
	else not_ok "metrics after the plan ran" "$(grep fix_known "$tmp/out")"; fi
fi
# --apply: the same steps, each checked, run and re-read; a step that fails stops it
rm -r "$w" && cp -r $fx/lowered "$w"
if in_node $bin fix --apply --debugfs "$w/debugfs" >"$tmp/out" 2>"$tmp/err" &&
   [ "$(cat "$w/proc/sys/fs/mount-max")" = 100000 ] && grep -q '^# fs.mount-max = 10$' "$w/etc/sysctl.d/90-mount-max.conf" &&
   grep -qx '# step 2 of 2:' "$tmp/out" && [ "$(tail -n1 "$tmp/out")" = "# done: fs.mount-max is 100000 or more now, and no file read at boot lowers it" ]; then
	ok "fix --apply: both steps run, checked and re-read, done"
else not_ok "fix --apply on the lowered limit" "$(cat "$tmp/out" "$tmp/err")"; fi
rm -r "$w" && cp -r $fx/lowered "$w"
RO=1 in_node $bin fix --apply --debugfs "$w/debugfs" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc = 2 ] && [ "$(cat "$w/proc/sys/fs/mount-max")" = 100000 ] && grep -q '^fs.mount-max = 10$' "$w/etc/sysctl.d/90-mount-max.conf" &&
   grep -q '^mntwatch: fix --apply: step 2 of 2 failed (exit [0-9]*): sed -i ' "$tmp/err"; then
	ok "fix --apply: stops at the step that fails, exit 2, the first one's change kept"
else not_ok "fix --apply: a failing step" "rc $rc" "$(cat "$tmp/out" "$tmp/err")"; fi
one_line_error "fix --apply on another --proc: refused, exit 2" 2 'fix --apply acts on this node: it reads /proc, not' \
	$bin fix --apply "${lowered[@]}"
one_line_error "fix without the module: exit 2" 2 'module not loaded' $bin fix "${nomod[@]}"
one_line_error "fix: a namespace that is no number, exit 2" 2 "fix wants a namespace's number" $bin fix 12ab "${lowered[@]}"
one_line_error "--apply outside fix, exit 2" 2 "is an option of 'fix'" $bin explain --apply "${lowered[@]}"
run "fix NS: a namespace that never failed, exit 1" 1 $bin fix 4026532999 "${lowered[@]}" &&
	{ [ "$(cat "$tmp/out")" = "# nothing to fix: no ENOSPC recorded in namespace 4026532999" ] && ok "fix NS: a namespace that never failed, exit 1" ||
		not_ok "fix NS: never failed" "$(cat "$tmp/out")"; }
# a story without a proven plan prints no command: a loop inside a container's own namespace
if run "fix: a loop in place has no proven plan" 1 $bin fix "${loop[@]}"; then
	if ! grep -v '^#' "$tmp/out" | grep -q . && grep -q '^# no command that gives namespace 4026532114 back in place has been proven' "$tmp/out"; then
		ok "fix: no command printed for a story without a proven plan (a loop in a container's namespace), exit 1"
	else not_ok "fix: a loop in place without a proven plan" "$(cat "$tmp/out")"; fi
fi
# the docker cp loop: the container's / private, the copies stacked on the
# volume of the host's / taken off, through the container's own pid, as
# docker inspect names it (FIXPLANS.md 2, verified on docker.io 20.10.24)
for f in docker docker-rbind; do
	inspect=$real/$f/docker-inspect.json
	pid=$(jq '.[0].State.Pid' "$inspect")
	vol=$(jq -r '.[0].Mounts[] | select(.Source == "/") | .Destination' "$inspect")
	stacked=$(awk -v v="$vol" '$5 == v' "$real/$f/proc/$pid/mountinfo" | wc -l)
	if real_run "fix on the real $f incident" $f fix; then
		want=$(printf '%s\n' "mount -N /proc/$pid/ns/mnt --make-rprivate /" \
			"while [ \"\$(awk '\$5 == \"$vol\"' /proc/$pid/mountinfo | wc -l)\" -gt 1 ]; do nsenter -t $pid -p -- umount -N /proc/$pid/ns/mnt -l $vol; done")
		if [ "$(grep -v '^#' "$tmp/out")" = "$want" ] &&
		   grep -q "^# frees the $((stacked - 1)) mounts stacked at $vol above the bottom one" "$tmp/out" &&
		   grep -q "(my-mount-max, pid $pid)" "$tmp/out"; then
			ok "fix: docker cp ($f): docker inspect's pid $pid and volume $vol, its / private, the $((stacked - 1)) copies above the bottom one off"
		else not_ok "fix on the real $f incident" "$(cat "$tmp/out")" "want:" "$want"; fi
	fi
done
# the restart loops: the host's copies under the loop's directory collapsed, then private
for f in podman ctr; do
	dir=/srv/loop-$f
	if real_run "fix on the real $f restart loop" $f fix -J; then
		jq_is "fix -J: the $f loop's directory in the host's namespace, collapsed then private" \
			'[.story, .namespace, [.steps[] | [.kind, .path, .ns, .command]]]' \
			"$(jq -cn --arg d $dir '["restart-loop",4026531841,[["mount",$d,4026531841,"while [ \"$(awk -v p=\($d) '"'"'$5 == p || index($5, p \"/\") == 1'"'"' /proc/self/mountinfo | wc -l)\" -gt 1 ]; do umount -l \($d)/inner 2>/dev/null || umount -l \($d); done"],["mount",$d,4026531841,"mount --make-rprivate \($d)"]]]')"
	fi
done
# a namespace full on its own at a limit that is not lowered: raise it with headroom
if run "fix NS: a namespace full on its own" 0 $bin fix 4026532300 "${loop[@]}"; then
	if [ "$(grep -v '^#' "$tmp/out")" = "sysctl -w fs.mount-max=2000" ] && grep -q '^# raises fs.mount-max from 1000 to 2000: namespace 4026532300 needed 1001 mounts,$' "$tmp/out"; then
		ok "fix NS: the big namespace's limit raised with half again its 1001 mounts, rounded to 2000"
	else not_ok "fix NS: big namespace" "$(cat "$tmp/out")"; fi
fi

# user.max_mnt_namespaces: the initial user namespace's limit raised, now and at boot
ns=$tmp/nscount && cp -r $fx/lowered "$ns" && mkdir -p "$ns/proc/sys/user" && echo 5 >"$ns/proc/sys/user/max_mnt_namespaces"
{ head -n1 $fx/lowered/debugfs/events
  echo "1795856183.202256 177 unshare 4026531841 0 - - 5 1 -28 - - mnt-namespaces 4026531837 5 1 - - - - -"; } >"$ns/debugfs/events"
if run "fix: user.max_mnt_namespaces" 0 $bin fix --debugfs "$ns/debugfs" --proc "$ns/proc"; then
	if [ "$(grep -v '^#' "$tmp/out")" = "$(printf '%s\n' 'sysctl -w user.max_mnt_namespaces=1000' "echo 'user.max_mnt_namespaces = 1000' > /etc/sysctl.d/90-mntwatch.conf")" ] &&
	   grep -q '^# raises user.max_mnt_namespaces from 5 to 1000: the user had 5 mount namespaces,$' "$tmp/out" &&
	   $bin explain --debugfs "$ns/debugfs" --proc "$ns/proc" | grep -qx '    sysctl -w user.max_mnt_namespaces=1000'; then
		ok "fix: user.max_mnt_namespaces raised from 5 to 1000, kept at boot in a file of ours, explain prints the same"
	else not_ok "fix: user.max_mnt_namespaces" "$(cat "$tmp/out")"; fi
fi
# set below the kernel's default (threads-max / 2): restored to it, the boot line commented out
mkdir -p "$ns/proc/sys/kernel" && echo 19717 >"$ns/proc/sys/kernel/threads-max"
echo 'user.max_mnt_namespaces = 5' >"$ns/etc/sysctl.d/80-hardening.conf"
if run "fix: user.max_mnt_namespaces below its default" 0 $bin fix --debugfs "$ns/debugfs" --proc "$ns/proc"; then
	if [ "$(grep -v '^#' "$tmp/out")" = "$(printf '%s
' 'sysctl -w user.max_mnt_namespaces=9858' "sed -i '1s/^/# /' /etc/sysctl.d/80-hardening.conf")" ]; then
		ok "fix: user.max_mnt_namespaces restored to threads-max / 2 = 9858, the hardening line commented out"
	else not_ok "fix: user.max_mnt_namespaces restored" "$(cat "$tmp/out")"; fi
fi
sed -i 's/ 4026531837 / 4026532500 /' "$ns/debugfs/events"
run "fix: user.max_mnt_namespaces of another user namespace: no plan" 1 $bin fix --debugfs "$ns/debugfs" --proc "$ns/proc" &&
	{ ! grep -v '^#' "$tmp/out" | grep -q . && ok "fix: no command for another user namespace's limit (sysctl -w sets the caller's own)" ||
		not_ok "fix: another user namespace" "$(cat "$tmp/out")"; }

# two loops in the host: the plan is for the directory the failing start bound
two=$tmp/two-loops && cp -r $real/podman "$two"
awk 'index($5, "/srv/loop-podman") == 1 { ids[$1] = 1; dup[++n] = $0 } { print }
	END { for (i = 1; i <= n; i++) { $0 = dup[i]; p = $2; $1 += 100000; if (p in ids) $2 = p + 100000
		sub("/srv/loop-podman", "/srv/loop-other", $5); sub(/shared:11/, "shared:99"); print } }' \
	$real/podman/proc/1/mountinfo >"$two/proc/1/mountinfo"
for src in /srv/loop-podman /srv/loop-other; do
	awk -v s=$src 'NR > 1 { $(NF - 2) = s } { print }' $real/podman/debugfs/events >"$two/debugfs/events"
	now=$(awk 'NR == 2 { print int($1) + 30 }' "$two/debugfs/events")
	if MNTWATCH_NOW=$now run "fix: two loops in the host, the failure's source $src" 0 $bin fix -J --debugfs "$two/debugfs" --proc "$two/proc"; then
		jq_is "fix: two loops in the host, the plan for the one the failing start bound ($src)" '[.steps[].path] | unique' "[\"$src\"]"
	fi
done

# check and metrics: whether fix knows a plan for each failing namespace
check_rc "check: a fix known for 1 of the 3 recent failures (the big namespace's), loops in place have none" 2 \
	'(latest 43s ago), a fix is known for 1 of the 3 (mntwatch fix) | use_pct=' "${loop[@]}"
if run "metrics: fix known per failing namespace" 0 $bin metrics "${loop[@]}"; then
	if grep -qx 'mntwatch_namespace_fix_known{namespace="4026532114",container="3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",runtime="docker"} 0' "$tmp/out" &&
	   grep -q '^mntwatch_namespace_fix_known{namespace="4026532200",.*} 0$' "$tmp/out" && ! grep -q '4026532300' "$tmp/out" &&
	   promtool check metrics <"$tmp/out" >"$tmp/lint" 2>&1; then
		ok "metrics: mntwatch_namespace_fix_known 0 for the loops in place, no series for the gone namespace, promtool clean"
	else not_ok "metrics: fix known" "$(grep fix_known "$tmp/out")" "$(cat "$tmp/lint")"; fi
fi
for f in docker podman; do
	ns=$( [ $f = docker ] && readlink "$real/$f/proc/$(jq '.[0].State.Pid' "$real/$f/docker-inspect.json")/ns/mnt" | tr -dc 0-9 || echo 4026531841)
	if real_run "metrics: fix known on the real $f incident" $f metrics; then
		if grep -q "^mntwatch_namespace_fix_known{namespace=\"$ns\".*} 1\$" "$tmp/out" && [ "$(grep -c '^mntwatch_namespace_fix_known{' "$tmp/out")" = 1 ]; then
			ok "metrics: mntwatch_namespace_fix_known 1 for namespace $ns, the one the $f plan gives back"
		else not_ok "metrics: fix known ($f)" "$(grep fix_known "$tmp/out")"; fi
	fi
done

# errors: one line, nothing on stdout
one_line_error "unknown table format: exit 3" 3 "table format '2' unknown" $bin "${loop[@]/loop/format2}"
one_line_error "short row: exit 3, no partial table" 3 'line 3 has 8 fields' $bin --debugfs $fx/badrow/debugfs --proc $fx/proc
one_line_error "unknown option: exit 2" 2 "unknown option '--bogus'" $bin --bogus
one_line_error "unknown command: exit 2" 2 "unknown command 'frobnicate'" $bin frobnicate
one_line_error "unknown column: exit 2" 2 "unknown column 'NOPE'" $bin -o NS,NOPE "${loop[@]}"
one_line_error "option of another command: exit 2" 2 'options of .check' $bin ns --warn 50
one_line_error "--output outside metrics: exit 2" 2 'is an option of .metrics' $bin --output /tmp/x
one_line_error "missing argument: exit 2" 2 'needs an argument' $bin -o
one_line_error "proc unreadable: exit 3" 3 'cannot scan' $bin --debugfs $fx/loop/debugfs --proc $fx/no-such-proc

# check: Nagios exit codes and a one-line summary
check_rc "check: OK below --warn" 0 '^MNTWATCH OK - fullest namespace 4026532200 (crio 7e6d5c4b3a29 pod 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d) at 70.0%: 700 mounts of 1000; 4 live namespaces | use_pct=70.0%;80;90;0;100' --recent 0 "${loop[@]}"
check_rc "check: WARNING at --warn" 1 '^MNTWATCH WARNING - .* at 70.0%' --warn 70 --crit 90 --recent 0 "${loop[@]}"
check_rc "check: CRITICAL at --crit" 2 '^MNTWATCH CRITICAL - .* at 70.0%' --warn 50 --crit 70 --recent 0 "${loop[@]}"
# the third is the gone namespace's, 16 minutes before
check_rc "check: CRITICAL on a recent ENOSPC, gone namespaces' included" 2 '3 with ENOSPC in the last 3600s (latest 43s ago)' "${loop[@]}"
check_rc "check: old ENOSPC outside --recent" 0 '^MNTWATCH OK' --recent 30 "${loop[@]}"
check_rc "check: UNKNOWN on unknown format" 3 '^MNTWATCH UNKNOWN' "${loop[@]/loop/format2}"
check_rc "check: without the module" 0 'module not loaded: no ENOSPC history' "${nomod[@]}"
check_rc "check: WARNING on a live loop at 7.4%, the loop named" 1 '^MNTWATCH WARNING - .* at 7.4%: .*, 2 live propagation loops: namespace 4026532600 (crio 7e6d5c4b3a29 pod 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d) peer group 1 at /mnt propagates into /mnt/a/sub beneath it, x54 per mount, /mnt/a/sub mounted 20 times in namespace 4026532600 .* loops=2 repeats=20;16$' "${loops[@]}"
check_rc "check: no loop, loops=0 in the performance data" 0 ' enospc_namespaces=0 loops=0 repeats=1;16$' "${nomod[@]}"
# the accounting audit on a recorded table (fixtures/audit: no kernel here has the bug)
audit=(--debugfs tests/fixtures/audit/debugfs --proc tests/fixtures/proc)
if run "ns -o AUDIT" 0 $bin "${audit[@]}" ns -o NS,MOUNTS,AUDIT; then
	if [ "$(awk 'NR > 1 { printf "%s=%s ", $1, $3 }' "$tmp/out")" = "4026532200=wrapped 4026532114=drift:+3 4026531841=ok 4026532400=- " ]; then
		ok "ns -o AUDIT: wrapped, drift:+3, ok, and - for a namespace the module has no counter of"
	else not_ok "ns -o AUDIT" "$(cat "$tmp/out")"; fi
fi
# the rows as the kernel counts them now, not as count_mounts() last saw them
fixed=(--debugfs tests/fixtures/fixed/debugfs --proc tests/fixtures/proc)
if run "ns: the live count after a fix" 0 $bin "${fixed[@]}" ns -n -o NS,MOUNTS,PENDING,MAX,USE%,STATE; then
	if grep -qx ' *4026532179 *33 *0 *1000 *3.3 *live' "$tmp/out" &&
	   $bin "${fixed[@]}" ns -J | jq -e '.namespaces[] | select(.ns == 4026532179) | .mounts == 33 and .use_pct == 3.3' >/dev/null &&
	   $bin "${audit[@]}" ns --all -n -o NS,MOUNTS | grep -qx ' *4026532114 *497' &&
	   $bin "${audit[@]}" ns --all -n -o NS,MOUNTS | grep -qx ' *4026532300 *12'; then
		ok "ns: MOUNTS and USE% are the kernel's counters read with the table and today's fs.mount-max, a gone row's its last count"
	else not_ok "ns: the live count after a fix" "$(cat "$tmp/out")"; fi
fi
if run "check: a kernel accounting bug is CRITICAL" 2 $bin "${audit[@]}" check; then
	if grep -q 'kernel mount accounting bug in namespace 4026532200: its counter is 4294967295 (0 pending), mountinfo shows 701 (wrapped), not a full namespace: known fix ee2e3f50629f' "$tmp/out" &&
	   grep -q ' accounting_bugs=3;;1 ' "$tmp/out"; then
		ok "check: a kernel accounting bug is CRITICAL, with its figures and the known fix"
	else not_ok "check: a kernel accounting bug is CRITICAL" "$(cat "$tmp/out")"; fi
fi
# its ENOSPC read a wrapped counter: the accounting story alone, no fix plan
if run "explain: the accounting story" 0 $bin "${audit[@]}" explain; then
	if grep -q "^  but the kernel's mount accounting is wrong: the namespace is not full\.$" "$tmp/out" &&
	   grep -q '^  Now its counter is 4294967295 (0 pending) and its mountinfo shows 701 mounts: wrapped\.$' "$tmp/out" &&
	   grep -q 'fixed by ee2e3f50629f (5.12; stable backports; xfstests generic/632)' "$tmp/out" &&
	   ! grep -q '^Limit:' "$tmp/out"; then
		ok "explain: a wrapped counter's ENOSPC is told as the kernel's accounting, with the known fix"
	else not_ok "explain: the accounting story" "$(cat "$tmp/out")"; fi
fi
run "check: usage error is UNKNOWN (3), not CRITICAL" 3 $bin check --warn 120 && ok "check: usage error is UNKNOWN (3), not CRITICAL"
run "check: --warn above --crit" 3 $bin check --warn 95 --crit 90 && ok "check: --warn above --crit is UNKNOWN"

# metrics: exposition format, labels, atomic file
if run "metrics" 0 $bin metrics "${loop[@]}"; then
	cp "$tmp/out" "$tmp/m.prom"
	if grep -qx 'mntwatch_namespace_mounts{namespace="4026532114",container="3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",runtime="docker"} 493' "$tmp/m.prom" &&
	   grep -qx 'mntwatch_namespace_use_ratio{namespace="4026532200",pod="1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",container="7e6d5c4b3a291807f6e5d4c3b2a19080aabbccddeeff00112233445566778899",runtime="crio"} 0.700' "$tmp/m.prom" &&
	   grep -qx 'mntwatch_namespace_enospc_total{namespace="4026532114",container="3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",runtime="docker"} 1' "$tmp/m.prom" &&
	   grep -qx 'mntwatch_events_total 3' "$tmp/m.prom" && grep -qx 'mntwatch_module_loaded 1' "$tmp/m.prom" &&
	   ! grep -q 4026532300 "$tmp/m.prom"; then
		ok "metrics: values and labels, gone namespaces left out"
	else not_ok "metrics: values and labels" "$(head -20 "$tmp/m.prom")"; fi
	if command -v promtool >/dev/null; then
		if promtool check metrics <"$tmp/m.prom" >"$tmp/lint" 2>&1; then ok "metrics: promtool check metrics"
		else not_ok "metrics: promtool check metrics" "$(cat "$tmp/lint")"; fi
		$bin metrics "${nomod[@]}" 2>/dev/null >"$tmp/m2.prom"
		if promtool check metrics <"$tmp/m2.prom" >"$tmp/lint" 2>&1 && grep -qx 'mntwatch_module_loaded 0' "$tmp/m2.prom" &&
		   ! grep -q "^mntwatch_namespace_pending" "$tmp/m2.prom"; then ok "metrics without the module: promtool, no pending series"
		else not_ok "metrics without the module" "$(cat "$tmp/lint")"; fi
	else
		skip "metrics: promtool check metrics" "promtool not installed (Debian package prometheus)"
		skip "metrics without the module" "promtool not installed"
	fi
fi
# health: what wrote it for which kernel, and when
mkdir -p "$tmp/hproc/sys/kernel"
echo 6.1.0-56-cloud-amd64 >"$tmp/hproc/sys/kernel/osrelease"
before=$(date +%s)
if run "metrics: build info and write time" 0 $bin metrics --debugfs "${loop[1]}" --proc "$tmp/hproc"; then
	version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' ../module/version.h)
	stamp=$(sed -n 's/^mntwatch_last_write_timestamp_seconds \([0-9]*\)$/\1/p' "$tmp/out")
	if grep -qx "mntwatch_build_info{version=\"$version\",kernel=\"6.1.0-56-cloud-amd64\",module_version=\"0.3\"} 1" "$tmp/out" &&
	   [ -n "$stamp" ] && [ "$stamp" -ge "$before" ] && [ "$stamp" -le "$(date +%s)" ]; then
		ok "metrics: build info (version, kernel from --proc, module version) and the write time"
	else not_ok "metrics: build info and write time" "$(grep -e build_info -e write_timestamp "$tmp/out")"; fi
fi
if run "metrics without the module: build info" 0 $bin metrics "${nomod[@]}"; then
	grep -q '^mntwatch_build_info{version="[^"]*",kernel="[^"]*"} 1$' "$tmp/out" &&
		ok "metrics without the module: build info without module_version" ||
		not_ok "metrics without the module: build info" "$(grep build_info "$tmp/out")"
fi
if run "metrics: loop series" 0 $bin metrics "${loops[@]}"; then
	if grep -qx 'mntwatch_namespace_propagation_loops{namespace="4026532700",container="3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6",runtime="docker"} 1' "$tmp/out" &&
	   grep -qx 'mntwatch_namespace_propagation_loops{namespace="4026532800"} 0' "$tmp/out" &&
	   grep -q '^mntwatch_namespace_loop_factor{namespace="4026532600",.*} 54$' "$tmp/out" &&
	   grep -q '^mntwatch_namespace_mountpoint_repeats{namespace="4026532600",.*} 20$' "$tmp/out" &&
	   { ! command -v promtool >/dev/null || promtool check metrics <"$tmp/out" >/dev/null 2>&1; }; then
		ok "metrics: loops, factor and repeats per namespace, 0 without a loop"
	else not_ok "metrics: loop series" "$(grep loop "$tmp/out" | head)"; fi
fi
# labels: who lives there, as ns shows it; the names from the runtimes' state
# prom_labels FILE: each mntwatch_namespace_mounts sample's labels as a JSON
# object (the exposition's escapes are JSON's), sorted by namespace
prom_labels() {
	sed -n 's/^mntwatch_namespace_mounts\({.*}\) [^ ]*$/\1/p' "$1" |
		sed 's/\([{,]\)\([a-z_]*\)="/\1"\2":"/g' | jq -sSc 'sort_by(.namespace)'
}
if run "metrics on the runtimes" 0 $bin metrics "${rt[@]}"; then
	cp "$tmp/out" "$tmp/rt.prom"
	if grep -qx 'mntwatch_namespace_mounts{namespace="4026532340",pod="3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",container="7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c",container_name="cache",runtime="containerd",image="docker.io/library/redis:7",pod_namespace="payments",pod_name="cache-7c9f8d6b5-x2kq4"} 4' "$tmp/rt.prom" &&
	   grep -qx 'mntwatch_namespace_use_ratio{namespace="4026532330",pod="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",container="6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b",container_name="app",runtime="crio",image="quay.io/shop/app:2.1",pod_namespace="shop",pod_name="shop-web-6b7c8d9f4-abcde"} 0.013' "$tmp/rt.prom" &&
	   grep -qx 'mntwatch_namespace_enospc_total{namespace="4026532301",container="4d0c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5",container_name="my-mount-max",runtime="docker",image="busybox"} 4' "$tmp/rt.prom" &&
	   grep -qx 'mntwatch_namespace_propagation_loops{namespace="4026532320",container="5a5b5c5d5e5f60616263646566676869707172737475767778797a7b7c7d7e7f",container_name="web",runtime="podman",image="docker.io/library/nginx:latest"} 0' "$tmp/rt.prom" &&
	   grep -qx 'mntwatch_namespace_mounts{namespace="4026532310",container="t1",runtime="containerd"} 4' "$tmp/rt.prom" &&
	   grep -qx 'mntwatch_namespace_mounts{namespace="4026531841"} 7' "$tmp/rt.prom"; then
		ok "metrics: container_name, runtime, image, pod_namespace and pod_name from each runtime's state, the ids kept"
	else not_ok "metrics: the runtimes' names as labels" "$(grep '^mntwatch_namespace_mounts' "$tmp/rt.prom")"; fi
	promtool check metrics <"$tmp/rt.prom" >"$tmp/lint" 2>&1 && ok "metrics on the runtimes: promtool check metrics" ||
		not_ok "metrics on the runtimes: promtool check metrics" "$(cat "$tmp/lint")"
	if run "ns -J on the runtimes, for the labels" 0 $bin -J "${rt[@]}"; then
		want=$(jq -Sc '[.namespaces[] | select(.state == "live") | {namespace: (.ns | tostring), pod, container,
			container_name: .name, runtime, image, pod_namespace, pod_name} | with_entries(select(.value != null))] |
			sort_by(.namespace)' "$tmp/out")
		got=$(prom_labels "$tmp/rt.prom")
		[ "$got" = "$want" ] && [ "$(jq length <<<"$got")" = 7 ] &&
			ok "metrics: every namespace's labels are its ns columns (CONTAINER, POD, RUNTIME, NAME, IMAGE, POD-NS, POD-NAME)" ||
			not_ok "metrics: labels are the ns columns" "metrics: $got" "ns -J:   $want"
	fi
fi
# what no runtime lets a name hold, escaped as the exposition format says
esc=$tmp/rt-escapes
cp -r $fx/runtimes "$esc"
bundle=$esc/proc/310/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c/config.json
jq '.annotations["io.kubernetes.cri.container-name"] = "a \"quoted\" back\\slash\nnew line" |
	.annotations["io.kubernetes.cri.image-name"] = "registry.example/caf\u00e9:1"' $bundle >"$tmp/bundle" && mv "$tmp/bundle" $bundle
if run "metrics: label values escaped" 0 $bin metrics --debugfs "$esc/debugfs" --proc "$esc/proc"; then
	if grep -qxF 'mntwatch_namespace_mounts{namespace="4026532340",pod="3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f",container="7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c",container_name="a \"quoted\" back\\slash\nnew line",runtime="containerd",image="registry.example/café:1",pod_namespace="payments",pod_name="cache-7c9f8d6b5-x2kq4"} 4' "$tmp/out" &&
	   promtool check metrics <"$tmp/out" >"$tmp/lint" 2>&1 &&
	   [ "$(prom_labels "$tmp/out" | jq -r '.[] | select(.namespace == "4026532340") | .container_name')" = "$(printf 'a "quoted" back\\slash\nnew line')" ]; then
		ok "metrics: a quote, a backslash and a newline in a name escaped, UTF-8 as it is; promtool check metrics clean"
	else not_ok "metrics: label values escaped" "$(grep 4026532340 "$tmp/out" | head -n1)" "$(cat "$tmp/lint")"; fi
fi
# pod specs are user input: ESC, CR and newline in the CRI annotations
# reach no terminal, and JSON keeps them exactly
hostile=$tmp/rt-hostile
cp -r $fx/runtimes "$hostile"
hb=$hostile/proc/310/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c/config.json
jq '.annotations["io.kubernetes.cri.sandbox-name"] = "web\u001b[31m-0\nline2" |
	.annotations["io.kubernetes.cri.sandbox-namespace"] = "shop\r\u001b]0;title\u0007" |
	.annotations["io.kubernetes.cri.container-name"] = "c\u001b[2Jtr\nx" |
	.annotations["io.kubernetes.cri.sandbox-uid"] = "\u001b[0m\n"' "$hb" >"$tmp/bundle" && mv "$tmp/bundle" "$hb"
hx=(--debugfs "$hostile/debugfs" --proc "$hostile/proc")
rows=$($bin "${rt[@]}" | wc -l)
for cmd in "" "-o NS,POD,POD-NS,POD-NAME,POD-UID,CTR-NAME,NAME" "explain" "events" "events -o CALLER-POD,FAILING-POD,CALLER-NAME,FAILING-NAME" "loops" "check" "metrics"; do
	# shellcheck disable=SC2086
	$bin $cmd "${hx[@]}" >"$tmp/out" 2>&1
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
		not_ok "mntwatch ${cmd:-ns}: annotations with ESC, CR and newline reach the terminal escaped" "$(LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out" | cat -v | head -3)"
	elif [ -z "$cmd" ] && [ "$(wc -l <"$tmp/out")" != "$rows" ]; then
		not_ok "mntwatch: a newline in an annotation made a row of its own" "$(cat -v "$tmp/out")"
	else ok "mntwatch ${cmd:-ns}: annotations with ESC, CR and newline reach the terminal escaped"; fi
done
if run "ns -J with hostile annotations" 0 $bin -J "${hx[@]}"; then
	jq_is "ns -J: names kept byte for byte in valid JSON, the cgroup's pod uid in pod" \
		'.namespaces[] | select(.ns == 4026532340) | [.pod_name, .pod_namespace, .container_name, .name, .pod, .pod_uid]' \
		"$(jq -c '.annotations | [."io.kubernetes.cri.sandbox-name", ."io.kubernetes.cri.sandbox-namespace", ."io.kubernetes.cri.container-name", ."io.kubernetes.cri.container-name", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"]' "$hb")"
fi
if run "metrics with hostile annotations" 0 $bin metrics "${hx[@]}"; then
	promtool check metrics <"$tmp/out" >"$tmp/lint" 2>&1 && ok "metrics: hostile annotations, promtool check metrics clean" ||
		not_ok "metrics: hostile annotations" "$(cat "$tmp/lint")"
fi

# the real docker incidents: the container's series named as docker inspect names it
for f in docker docker-rbind; do
	inspect=$real/$f/docker-inspect.json
	ns=$(readlink "$real/$f/proc/$(jq '.[0].State.Pid' "$inspect")/ns/mnt" | tr -dc 0-9)
	if real_run "metrics on the real $f incident" $f metrics; then
		cp "$tmp/out" "$tmp/real.prom"
		want=$(jq -Sc --arg ns "$ns" '.[0] | {namespace: $ns, container: .Id, container_name: (.Name | ltrimstr("/")), runtime: "docker", image: .Config.Image}' "$inspect")
		got=$(prom_labels "$tmp/real.prom" | jq -c --arg ns "$ns" '.[] | select(.namespace == $ns)')
		if [ -n "$ns" ] && [ "$got" = "$want" ] && promtool check metrics <"$tmp/real.prom" >"$tmp/lint" 2>&1; then
			ok "metrics: the container's series named as docker inspect names it ($f: $(jq -r .container_name <<<"$got"), image $(jq -r .image <<<"$got"))"
		else not_ok "metrics: the real $f container named as docker inspect names it" "metrics: $got" "docker inspect: $want" "$(cat "$tmp/lint")"; fi
	fi
done
mkdir "$tmp/textfile"
if run "metrics --output: written atomically" 0 $bin metrics --output "$tmp/textfile/mntwatch.prom" "${loop[@]}"; then
	# the same exposition as on stdout but for the time it was written
	if cmp -s <(grep -v '^mntwatch_last_write_timestamp_seconds ' "$tmp/textfile/mntwatch.prom") \
		<(grep -v '^mntwatch_last_write_timestamp_seconds ' "$tmp/m.prom") && [ "$(ls "$tmp/textfile")" = mntwatch.prom ] &&
	   [ "$(stat -c %a "$tmp/textfile/mntwatch.prom")" = 644 ]; then ok "metrics --output: written atomically, no temp file left"
	else not_ok "metrics --output" "$(ls -l "$tmp/textfile")"; fi
fi
one_line_error "metrics --output into a missing directory: exit 3" 3 'cannot create' $bin metrics --output "$tmp/nodir/x.prom" "${loop[@]}"

# watch: redraws until SIGINT, then exits 0
$bin watch -i 0.2 "${loop[@]}" >"$tmp/watch" 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
frames=$(grep -c 'mntwatch ns, every 0.2s' "$tmp/watch")
if [ $rc = 0 ] && [ "$frames" -ge 2 ] && grep -q '^4026532114 ' <(tr -d '\033' <"$tmp/watch" | sed 's/\[H\[2J//'); then
	ok "watch: $frames frames, exit 0 on SIGINT"
else not_ok "watch" "rc $rc, frames $frames"; fi

# events --follow: a module directory whose ring grows, wraps, is reloaded
# and goes away, written the way debugfs shows it (one file replaced at once)
fdir=$tmp/follow/mntwatch
ev_row() {
	echo "$((1795742100 + $1)).000000 $((1000 + $1)) mnt$1 4026531841 4026532200 700 250 1000 60 -28 3 40 mount-max - - $1"
}
# put_events DIR TOTAL FIRST LAST: the ring holds seq FIRST..LAST, status says TOTAL
put_events() {
	local i
	{
		echo "time pid comm caller_ns failing_ns mounts pending max requested result touched checks limit userns ns_count seq"
		for i in $(seq "$3" "$4"); do ev_row "$i"; done
	} >"$tmp/follow/events.new" && mv "$tmp/follow/events.new" "$1/events"
	sed "s/^events_total .*/events_total $2/; s/^events_max .*/events_max 3/" $fx/loop/debugfs/status \
		>"$tmp/follow/status.new" && mv "$tmp/follow/status.new" "$1/status"
}
# wait_lines FILE N: until FILE has N lines, 10 s at most
wait_lines() {
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
mkdir -p "$fdir" && cp $fx/loop/debugfs/namespaces "$fdir/"
put_events "$fdir" 2 1 2
$bin events --follow -i 0.1 -o SEQ,COMM --debugfs "$fdir" --proc $fx/proc >"$tmp/fout" 2>"$tmp/ferr" &
pid=$!
wait_lines "$tmp/fout" 3
# while events_total stands still the ring is not read: a broken one goes unnoticed
echo "not a table" >"$tmp/follow/events.new" && mv "$tmp/follow/events.new" "$fdir/events"
sleep 0.5
put_events "$fdir" 4 2 4
wait_lines "$tmp/fout" 5
# seq 5..7 were overwritten before the next read: the ring holds 8..10
put_events "$fdir" 10 8 10
wait_lines "$tmp/fout" 8
sleep 0.5
rm -r "$fdir"
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill $pid 2>/dev/null
wait $pid
rc=$?
printf '%s\n' "SEQ COMM" "  1 mnt1" "  2 mnt2" "  3 mnt3" "  4 mnt4" "  8 mnt8" "  9 mnt9" " 10 mnt10" >"$tmp/fwant"
if diff -u "$tmp/fwant" "$tmp/fout" >"$tmp/diff"; then
	ok "events --follow: the ring so far, then each new event once, one header"
else not_ok "events --follow: each event once" "$(head -20 "$tmp/diff")"; fi
if [ "$(sed -n 1p "$tmp/ferr")" = "mntwatch: 3 events were overwritten in the ring (events_max 3) before they could be read" ]; then
	ok "events --follow: the events the ring overwrote between two reads are counted on stderr"
else not_ok "events --follow: overwritten events counted" "$(cat "$tmp/ferr")"; fi
if [ $rc = 3 ] && [ "$(wc -l <"$tmp/ferr")" = 2 ] &&
   [ "$(sed -n 2p "$tmp/ferr")" = "mntwatch: module unloaded (no $fdir): stopped following" ]; then
	ok "events --follow: ends with one line, exit 3, when the module is unloaded"
else not_ok "events --follow: end on unload" "rc $rc" "$(cat "$tmp/ferr")"; fi

# the directory is a symbolic link here, so that a reload can swap it in
# one rename: a window without it would read as an unload
mkdir -p "$tmp/follow/m1" && cp $fx/loop/debugfs/namespaces "$tmp/follow/m1/" && ln -s m1 "$fdir"
put_events "$fdir" 2 1 2
$bin events -f -J -o seq,comm -i 0.1 --debugfs "$fdir" --proc $fx/proc >"$tmp/fout" 2>"$tmp/ferr" &
pid=$!
wait_lines "$tmp/fout" 2
# reloaded between two reads: a new directory, seq from 1 again
mkdir "$tmp/follow/m2" && cp $fx/loop/debugfs/namespaces "$tmp/follow/m2/"
put_events "$tmp/follow/m2" 1 1 1
ln -s m2 "$tmp/follow/next" && mv -T "$tmp/follow/next" "$fdir"
wait_lines "$tmp/fout" 3
kill -TERM $pid
wait $pid
rc=$?
got=$(jq -sc 'map([.seq, .comm])' <"$tmp/fout" 2>&1)
if [ $rc = 0 ] && [ "$got" = '[[1,"mnt1"],[2,"mnt2"],[1,"mnt1"]]' ] &&
   [ "$(cat "$tmp/ferr")" = "mntwatch: mntwatch.ko was reloaded: following its events from seq 1" ]; then
	ok "events --follow --json: one object a line, a reload said once, exit 0 on SIGTERM"
else not_ok "events --follow --json" "rc $rc" "$got" "$(cat "$tmp/ferr")"; fi
rm -rf "$tmp/follow"
one_line_error "events --follow without the module: exit 3" 3 'module not loaded' $bin events -f "${nomod[@]}"
one_line_error "--follow outside events: exit 2" 2 "is an option of 'events'" $bin ns --follow
one_line_error "--interval outside watch and events --follow: exit 2" 2 "'events --follow'" $bin events -i 1

# not root: the module's files are 0400 root, like in debugfs
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	nr=$(mktemp -d /tmp/mntwatch-nonroot.XXXXXX)
	chmod 755 "$nr"
	cp -r $fx/loop/debugfs "$nr/mntwatch" && chmod 0400 "$nr"/mntwatch/* && cp $bin "$nr/bin"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$nr/bin" --debugfs "$nr/mntwatch" --proc $fx/proc \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc = 3 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q 'Permission denied (debugfs is root-only: run as root)' "$tmp/err"; then
		ok "not root: one line, exit 3"
	else not_ok "not root: one line, exit 3" "rc $rc" "$(cat "$tmp/err")"; fi
	rm -rf "$nr"
else
	skip "not root: one line, exit 3" "needs root and setpriv"
fi

# --help fits one screen, --version
if run "--help" 0 $bin --help && [ "$(wc -l <"$tmp/out")" -le 24 ] && [ "$(wc -L <"$tmp/out")" -le 80 ]; then
	ok "--help: fits 80x24"
else not_ok "--help: fits 80x24" "$(wc -l <"$tmp/out") lines, $(wc -L <"$tmp/out") columns"; fi

# Each command reads each namespace's mountinfo once (a 67,592-line one takes
# seconds): strace counts the opens of every mountinfo path, 1 each wanted.
for cmd in ns loops check metrics explain fix; do
	strace -f -qq -e trace=openat -o "$tmp/strace" $bin $cmd "${rt[@]}" >/dev/null 2>&1
	reads=$(grep -o '"[^"]*/mountinfo"' "$tmp/strace" | sort | uniq -c)
	most=$(awk '$1 > m { m = $1 } END { print m + 0 }' <<<"$reads")
	if [ -n "$reads" ] && [ "$most" = 1 ]; then ok "$cmd: each namespace's mountinfo read once"
	else not_ok "$cmd: each namespace's mountinfo read once" "$(sort -rn <<<"$reads" | head -3)"; fi
done

echo "# cli: $failed failed" >&2
echo "TAP_NEXT=$((n + 1))" >"${TAP_STATE:-/dev/null}"
[ $failed = 0 ]
