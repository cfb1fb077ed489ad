# SPDX-License-Identifier: GPL-2.0
# Giving the node back without a reboot (issue 23): `mntwatch fix`'s plan
# for each story, run as a person runs it (`mntwatch fix | sh -e`) and, on a
# second failure, through `mntwatch fix --apply`, on the real runtime; the
# node's recovery asserted from mountinfo and from the runtime's own
# commands, and the plan checked to hold the commands verified by hand
# (/work/FIXPLANS.md of issue 23). Sourced in the runtimes root with vmlib.sh
# loaded: incident_docker_vm.sh and incident_restart_vm.sh call fix_docker_cp
# and fix_restart on the failure they left (RT_KEEP), runtimes_vm.sh calls
# fix_limits. Per story the TAP output carries "# STORY: mounts before the
# failure X, after the plan Y, after three more Z". Evidence in
# $MNTWATCH_OUT/fix or /tmp/fix.

. runtimes_lib.sh
fix_dir=${MNTWATCH_OUT:-/tmp}/fix

# fix_run STORY sh|apply WANT [NS]: mntwatch fix's plan for the last failure
# (or NS's) into fix/STORY.sh, which must hold the line WANT; then the plan
# run with sh -e, or mntwatch fix --apply; the output in fix/STORY-WAY.out.
# Returns 1 when the plan lacks WANT, else the run's status.
fix_run() {
	mkdir -p "$fix_dir"
	mntwatch fix $4 >"$fix_dir/$1.sh" 2>&1
	sed 's/^/#   /' "$fix_dir/$1.sh"
	grep -qxF -- "$3" "$fix_dir/$1.sh" || { echo "the plan lacks: $3"; return 1; }
	case $2 in
	sh) sh -e "$fix_dir/$1.sh" >"$fix_dir/$1-sh.out" 2>&1 ;;
	apply) mntwatch fix --apply $4 >"$fix_dir/$1-apply.out" 2>&1 ;;
	esac
}

# fix_given_back [NS]: after the plan ran, mntwatch fix (for the last
# failure, or NS's) has nothing left to do, check counts the failure given
# back, and the metrics know no fix left for the namespace the plan acted in.
# check runs it in the caller's shell: its variables are its own (the
# caller's ns is the namespace it fills and fixes again)
fix_given_back() {
	mntwatch fix $1 >/tmp/fix-after.out 2>&1
	fix_after_rc=$?
	fix_after_ns=$(mntwatch fix -J $1 | jq -r .namespace)
	mntwatch check >/tmp/fix-check.out 2>&1
	mntwatch metrics | grep "^mntwatch_namespace_fix_known{namespace=\"$fix_after_ns\"" >/tmp/fix-metric.out
	cat /tmp/fix-after.out /tmp/fix-check.out /tmp/fix-metric.out
	[ "$fix_after_rc" = 1 ] && grep -q '^# nothing left to do: ' /tmp/fix-after.out && [ -n "$fix_after_ns" ] &&
		grep -q ', [1-9][0-9]* given back since' /tmp/fix-check.out && ! grep -q ' 1$' /tmp/fix-metric.out
}

# fix_mp FILE PATH in|out: the mountpoints of mountinfo FILE at or under
# PATH (in), or elsewhere (out), sorted
fix_mp() {
	awk -v p="$2" -v want="$3" '{ in_p = $5 == p || index($5, p "/") == 1 }
		(want == "in") == in_p { print $5 }' "$1" | sort
}

# fix_sysctl STORY WAY KEY LOW DEFAULT WANT COMMAND...: KEY set to LOW by a
# file in /etc/sysctl.d, COMMAND fails with WANT in its output; mntwatch
# fix's plan run the WAY fix_run says; then KEY, the boot files, COMMAND and
# a docker run
fix_sysctl() {
	TAP_PREFIX="fix, $1 ($2): "
	mkdir -p "$fix_dir"
	fix_story=$1-$2 fix_way=$2 key=$3 low=$4 default=$5 want=$6
	shift 6
	conf=/etc/sysctl.d/90-$fix_story.conf
	proc=/proc/sys/$(echo "$key" | tr . /)
	old=$(cat "$proc")
	echo "$key = $low" >"$conf"
	sysctl -q -p "$conf"
	before=$(rt_count 1)
	"$@" >"$fix_dir/$fix_story-fails.txt" 2>&1
	check "$* fails at $key=$low: $want" \
		sh -c 'cat "$1"; grep -q "$2" "$1"' - "$fix_dir/$fix_story-fails.txt" "$want"
	check "mntwatch fix's plan restores $key=$default, run by $fix_way" \
		fix_run "$fix_story" "$fix_way" "sysctl -w $key=$default"
	check "after it, mntwatch fix has nothing left to do, check counts it given back, metrics no fix left" fix_given_back
	after=$(rt_count 1)
	same "$key is the kernel's default again" "$(cat "$proc")" "$default"
	check "$conf no longer lowers it: sysctl --system leaves $default" \
		sh -c 'cat "$1"; sysctl --system >/dev/null 2>&1; [ "$(cat "$2")" = "$3" ]' - "$conf" "$proc" "$default"
	"$@" >"$fix_dir/$fix_story-works.txt" 2>&1
	check "$* succeeds" sh -c 'cat "$1"; [ "$2" = 0 ]' - "$fix_dir/$fix_story-works.txt" $?
	check "docker run --rm busybox true succeeds" docker run --rm busybox true
	again=$(rt_count 1)
	check "the host's mounts as before the failure ($before -> $after -> $again)" \
		sh -c '[ "$1" -gt 0 ] && [ "$2" = "$1" ] && [ "$3" = "$1" ]' - "$before" "$after" "$again"
	echo "# $fix_story: host mounts before the failure $before, after the plan $after, after the runs $again"
	rm -f "$conf"
	echo "$old" >"$proc"
}

# the seed's first symptom, a node hardened against new mount namespaces
# and a namespace that is just big: each plan piped to sh -e, then through
# --apply
fix_limits() {
	for way in sh apply; do
		fix_sysctl lowered-limit $way fs.mount-max 10 100000 \
			"error creating overlay mount to /var/lib/docker/overlay2/[0-9a-f]*-init/merged: no space left on device" \
			docker run --rm busybox true
		fix_sysctl max-mnt-namespaces $way user.max_mnt_namespaces 0 \
			$(($(cat /proc/sys/kernel/threads-max) / 2)) "unshare failed: No space left on device" unshare -m true
	done
	fix_big_namespace
}

# fix_big_fill PID DIR: binds of fresh directories of DIR (a tmpfs private
# to PID's namespace) onto themselves, one mount each, until the kernel
# says ENOSPC; one python process, so that thousands take seconds
fix_big_fill() {
	nsenter -t "$1" -m python3 -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
n = 0
while True:
    d = ("%s/%d" % (sys.argv[1], n)).encode()
    os.mkdir(d)
    if libc.mount(d, d, None, 4096, None) != 0:
        err = ctypes.get_errno()
        print(n, os.strerror(err))
        sys.exit(err != 28)
    n += 1' "$2"
}

# fix_big_namespace: a namespace that is just big. A file in
# /etc/sysctl.d sets fs.mount-max to 3000, and a namespace of an unshare'd
# process fills with 3000 mounts of its own, one at a time: no loop, and not
# the lowered-limit story either, which wants a limit at a tenth of the one
# before or less AND a namespace of at most 1000 mounts (MW_NORMAL_MOUNTS,
# tools/story.h). Its plan (headroom: half again what it needed, at
# least twice the limit; the file's line raised) piped to sh -e; then the
# file brought back as it was, sysctl --system, and the namespace fails
# again, its plan through --apply. Each time the failed mount works after.
fix_big_namespace() {
	fix_prefix=$TAP_PREFIX
	TAP_PREFIX="fix, big namespace: "
	mkdir -p "$fix_dir"
	limit=3000 conf=/etc/sysctl.d/90-big-namespace.conf dir=/run/big-namespace
	old=$(cat /proc/sys/fs/mount-max)
	t0=$(rt_now)
	mkdir -p $dir
	unshare -m --propagation private sleep 1d &
	hold=$!
	while [ "$(readlink /proc/$hold/ns/mnt)" = "$(readlink /proc/1/ns/mnt)" ]; do sleep 0.1; done
	ns=$(readlink /proc/$hold/ns/mnt | tr -dc 0-9)
	nsenter -t $hold -m mount -t tmpfs big $dir
	echo "fs.mount-max = $limit" >$conf
	sysctl -q --system
	start=$(rt_count $hold)
	check "namespace $ns fills to fs.mount-max=$limit with binds of its own, one at a time, until ENOSPC" \
		fix_big_fill $hold $dir
	for way in sh apply; do
		before=$(rt_count $hold)
		nsenter -t $hold -m mount --bind $dir $dir/0 >"$fix_dir/big-$way-fails.txt" 2>&1
		check "one more mount in it fails: No space left on device ($start -> $before)" \
			grep -q "No space left on device" "$fix_dir/big-$way-fails.txt"
		need=$(mntwatch events -J | jq -r '.events | last | .mounts + .pending + .requested')
		room=$(((need * 3 / 2 + 999) / 1000 * 1000))
		[ $room -gt $((2 * limit)) ] || room=$((2 * limit))
		check "mntwatch fix's plan raises fs.mount-max to $room ($need needed, half again, at least twice $limit), run by $way" \
			fix_run "big-$way" $way "sysctl -w fs.mount-max=$room" $ns
		check "the plan sets $room in $conf line 1" \
			grep -qxF "sed -i '1s/.*/fs.mount-max = $room/' $conf" "$fix_dir/big-$way.sh"
		same "fs.mount-max is $room" "$(cat /proc/sys/fs/mount-max)" $room
		check "$conf sets $room, and sysctl --system leaves it" \
			sh -c 'cat "$1"; grep -qx "fs.mount-max = $2" "$1" && sysctl -q --system && [ "$(cat /proc/sys/fs/mount-max)" = "$2" ]' - $conf $room
		check "after it, mntwatch fix has nothing left to do, check counts it given back, metrics no fix left" fix_given_back $ns
		after=$(rt_count $hold)
		nsenter -t $hold -m mount --bind $dir $dir/0 >"$fix_dir/big-$way-works.txt" 2>&1
		check "the failed mount works now" sh -c 'cat "$1"; [ "$2" = 0 ]' - "$fix_dir/big-$way-works.txt" $?
		k=1
		while [ $k -le 3 ] && nsenter -t $hold -m mount --bind $dir $dir/$k; do k=$((k + 1)); done
		again=$(rt_count $hold)
		check "three more mounts in it work ($after -> $again)" [ $k = 4 -a $again = $((after + 4)) ]
		echo "# big namespace ($way): namespace mounts before the failure $before, after the plan $after, after the failed mount and three more $again"
		echo "fs.mount-max = $limit" >$conf
		sysctl -q --system
	done
	{ kill $hold && wait $hold; } 2>/dev/null
	rm -f $conf
	echo "$old" >/proc/sys/fs/mount-max
	echo "# big namespace: $(rt_since "$t0") s"
	TAP_PREFIX=$fix_prefix
}

# fix_docker_cp DIR WAY: rt_docker_cp's container (RT_KEEP) after its
# failure, at rt_docker_cp's limit again: the plan run the WAY fix_run says,
# then three more docker cp
fix_docker_cp() {
	fix_prefix=$TAP_PREFIX
	TAP_PREFIX="fix, docker cp loop ($2): "
	fix_story=docker-cp-$2
	mkdir -p "$fix_dir"
	cpid=$(docker inspect -f '{{.State.Pid}}' my-mount-max)
	vol=$(docker inspect -f '{{range .Mounts}}{{if eq .Source "/"}}{{.Destination}}{{end}}{{end}}' my-mount-max)
	start_mi=$1/step-0/container-mountinfo
	start=$(wc -l <"$start_mi")
	at_failure=$(awk -v s="$(cat "$1/failed-step")" '$1 == s { print $3 }' "$1/steps.tsv")
	fix_cns=$(readlink "/proc/$cpid/ns/mnt" | tr -dc 0-9)
	before=$(rt_count "$cpid")
	check "mntwatch fix's plan for the container's namespace makes its / private, run by $2" \
		fix_run "$fix_story" "$2" "mount -N /proc/$cpid/ns/mnt --make-rprivate /" "$fix_cns"
	check "after it, mntwatch fix has nothing left to do, check counts it given back, metrics no fix left" fix_given_back "$fix_cns"
	check "the plan unstacked $vol through the container's pid, with the node's umount" \
		grep -q "nsenter -t $cpid -p -- umount -N /proc/$cpid/ns/mnt -l $vol; done\$" "$fix_dir/$fix_story.sh"
	after=$(rt_count "$cpid")
	same "the container runs on, the same pid" \
		"$(docker inspect -f '{{.State.Running}} {{.State.Pid}}' my-mount-max)" "true $cpid"
	# its own mounts as at start; under the volume what it showed at start
	# less the copy of the container's merged that docker's own volume held
	fix_mp "$start_mi" "$vol" out >"$fix_dir/$fix_story-start-out"
	fix_mp "$start_mi" "$vol" in | uniq >"$fix_dir/$fix_story-start-in"
	fix_mp "/proc/$cpid/mountinfo" "$vol" out >"$fix_dir/$fix_story-after-out"
	fix_mp "/proc/$cpid/mountinfo" "$vol" in | uniq >"$fix_dir/$fix_story-after-in"
	check "the container's mounts outside $vol as at start, one mount at $vol, none under it it lacked at start ($start -> $after)" \
		sh -c 'cmp "$1" "$2" && [ "$3" = 1 ] && [ -z "$(comm -23 "$4" "$5")" ]' - \
		"$fix_dir/$fix_story-start-out" "$fix_dir/$fix_story-after-out" \
		"$(awk -v p="$vol" '$5 == p' "/proc/$cpid/mountinfo" | wc -l)" \
		"$fix_dir/$fix_story-after-in" "$fix_dir/$fix_story-start-in"
	check "nothing in the container is shared or a slave any more" \
		sh -c '! grep -qE " (shared|master):[0-9]+ " "/proc/$1/mountinfo"' - "$cpid"
	k=0
	while [ $k -lt 3 ] && docker cp my-mount-max:/etc/group /tmp/x; do k=$((k + 1)); done
	again=$(rt_count "$cpid")
	check "three docker cp succeed at fs.mount-max=$(cat /proc/sys/fs/mount-max) and leave it flat ($after -> $again)" \
		[ $k = 3 -a "$after" -gt 0 -a "$again" = "$after" ]
	check "docker exec still works in it, its volume still the host's /" \
		sh -c '[ "$(docker exec my-mount-max cat "$1/etc/hostname")" = "$(cat /etc/hostname)" ]' - "$vol"
	# no mount reached it since the plan: the module's last count is the failure's
	same "mntwatch -J: the container's mounts as the kernel counts them now, its mountinfo lines + $(hidden_ancestors)" \
		"$(mntwatch -J | jq -r ".namespaces[] | select(.ns == $fix_cns) | .mounts")" \
		"$((again + $(hidden_ancestors)))"
	echo "# docker cp loop ($2): container mounts at start $start, at the failure $at_failure, before the plan $before, after the plan $after, after three docker cp $again"
	TAP_PREFIX=$fix_prefix
}
# fix_restart RUNTIME DIR WAY: rt_restart_loop's host (RT_KEEP) after its
# failed start, at its limit: the plan run the WAY fix_run says, then three
# more starts of the container
fix_restart() {
	fix_prefix=$TAP_PREFIX
	TAP_PREFIX="fix, $1 restart loop: "
	shared=/srv/loop-$1
	before=$(awk '$1 == 0 { print $3 }' "$2/starts.tsv")
	at_failure=$(rt_count 1)
	check "mntwatch fix's plan collapses $shared and makes it private, run by $3" \
		fix_run "$1-restart" "$3" "mount --make-rprivate $shared"
	check "after it, mntwatch fix has nothing left to do, check counts it given back, metrics no fix left" fix_given_back
	after=$(rt_count 1)
	# at most: a mount of an earlier scenario's container may have gone since
	check "the host's namespace is back to its mounts before the loop ($before -> $after), $shared one mount, nothing under it" \
		sh -c '[ "$1" -le "$2" ] && [ "$(awk -v p="$3" "\$5 == p || index(\$5, p \"/\") == 1" /proc/1/mountinfo | wc -l)" = 1 ]' \
		- "$after" "$before" "$shared"
	check "/ is the host's / as before, shared" sh -c "awk '\$5 == \"/\"' /proc/1/mountinfo | grep -q ' shared:'"
	k=0
	while [ $k -lt 3 ] && rt_start >"$2/fix-start.txt" 2>&1; do k=$((k + 1)); done
	rt_stopped
	again=$(rt_count 1)
	check "three more starts succeed at fs.mount-max=$(cat /proc/sys/fs/mount-max) and leave the host flat ($after -> $again)" \
		sh -c 'cat "$1"; [ "$2" = 3 -a "$3" -gt 0 -a "$3" = "$4" ]' - "$2/fix-start.txt" $k "$after" "$again"
	check "docker, podman and ctr list and run" sh -c 'docker ps -a >/dev/null && podman ps -a >/dev/null &&
		ctr -n default tasks ls >/dev/null && docker run --rm busybox true &&
		podman run --rm --network none busybox true && ctr -n default run --rm docker.io/library/busybox:latest fix1 true'
	echo "# $1 restart loop: host mounts before the loop $before, at the failure $at_failure, after the plan $after, after three starts $again"
	TAP_PREFIX=$fix_prefix
}
