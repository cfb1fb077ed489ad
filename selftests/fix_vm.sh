# SPDX-License-Identifier: GPL-2.0
# Giving the node back without a reboot (issue 23): each story's recovery
# plan, run through `sh -e` as a person runs a printed plan, on the real
# runtime, and the node's recovery asserted from mountinfo and from the
# runtime's own commands. Sourced in the runtimes root with vmlib.sh and
# runtimes_lib.sh loaded: incident_docker_vm.sh and incident_restart_vm.sh
# call fix_docker_cp and fix_restart on the failure they left (RT_KEEP),
# runtimes_vm.sh calls fix_limits. The plans are the ones verified by
# hand in the runtimes VM; fix_sh runs one, so that running mntwatch's own
# plan instead is a change of that one function. Per story the TAP output
# carries "# STORY: mounts before the failure X, after the plan Y, after
# three more Z". Evidence in $MNTWATCH_OUT/fix or /tmp/fix.

. runtimes_lib.sh
fix_dir=${MNTWATCH_OUT:-/tmp}/fix

# fix_sh STORY PLAN ARGS...: PLAN's commands into fix/STORY.sh, run with
# sh -e; its output in fix/STORY.out. Returns sh's status.
fix_sh() {
	fix_story=$1
	shift
	mkdir -p "$fix_dir"
	"$@" >"$fix_dir/$fix_story.sh"
	sed 's/^/#   /' "$fix_dir/$fix_story.sh"
	sh -e "$fix_dir/$fix_story.sh" >"$fix_dir/$fix_story.out" 2>&1
}

# fix_mp FILE PATH in|out: the mountpoints of mountinfo FILE at or under
# PATH (in), or elsewhere (out), sorted
fix_mp() {
	awk -v p="$2" -v want="$3" '{ in_p = $5 == p || index($5, p "/") == 1 }
		(want == "in") == in_p { print $5 }' "$1" | sort
}

# fix_plan_sysctl KEY VALUE: a limit set below the kernel's default by a
# sysctl file: the default back now, and the file's line commented out so
# that the next boot keeps it. Defaults: fs.mount-max 100000
# (fs/namespace.c), user.max_mnt_namespaces max_threads / 2 (kernel/fork.c)
fix_plan_sysctl() {
	fix_re=$(echo "$1" | sed 's/\./\\./g')
	cat <<EOF
# restores the kernel's default $1: unmounts nothing, stops nothing
sysctl -w $1=$2
# the files systemd-sysctl and sysctl --system read at boot: the line that lowers it, commented out
for f in /etc/sysctl.conf /etc/sysctl.d/*.conf /run/sysctl.d/*.conf /usr/lib/sysctl.d/*.conf; do [ ! -f "\$f" ] || sed -i 's/^\\([[:space:]]*$fix_re[[:space:]]*=\\)/# \\1/' "\$f"; done
EOF
}

# fix_plan_docker_cp PID VOLUME: docker 20.10's docker cp binds its volumes
# on the layer's merged in the host's namespace; the container's / is a
# slave of that merged, so each bind lands in the container again: beneath
# docker's own mount at VOLUME, and at every copy of the merged inside the
# copies before it. The bottom one at VOLUME, the first docker cp's bind of
# the host's /, holds no copy of the merged, so nothing nested is left once
# it alone remains. util-linux's umount -N reads /proc/self/mountinfo after
# entering the namespace, whose /proc is the container's: nsenter -p gives
# it a pid there, while the node's own umount runs
fix_plan_docker_cp() {
	cat <<EOF
# stops the doubling: the container's / private in its own namespace, dockerd's binds on its layer no longer reach it; the container keeps running
mount -N /proc/$1/ns/mnt --make-rprivate /
# frees the copies stacked at $2 but the bottom one (the first docker cp's bind of the host's /, the tree docker's own volume showed); docker's own is the top one
while [ "\$(awk '\$5 == "$2"' /proc/$1/mountinfo | wc -l)" -gt 1 ]; do nsenter -t $1 -p -- umount -N /proc/$1/ns/mnt -l $2; done
# the real fix: Docker 24.0 (moby PR #44210) runs docker cp in a mount namespace of its own
EOF
}
# fix_plan_restart DIR: a shared host directory bound into containers rshared
# at its own path and beneath itself; every start left copies in the host's
# namespace, stacked at DIR and bound at DIR/inner. Lazy unmounts from the
# top until DIR is one mount again, then DIR private
fix_plan_restart() {
	cat <<EOF
# frees the copies the starts left at and under $1 in the host's namespace, down to the one mount of $1 (its files stay)
while [ "\$(awk -v p=$1 '\$5 == p || index(\$5, p "/") == 1' /proc/self/mountinfo | wc -l)" -gt 1 ]; do umount -l $1/inner 2>/dev/null || umount -l $1; done
# stops the loop: $1 private, a container's rshared binds of it stay in the container's namespace
mount --make-rprivate $1
EOF
}

# fix_sysctl STORY KEY LOW DEFAULT WANT COMMAND...: KEY set to LOW by a file
# in /etc/sysctl.d, COMMAND fails with WANT in its output; the plan; then
# COMMAND and the runtimes' own runs
fix_sysctl() {
	TAP_PREFIX="fix, $1: "
	mkdir -p "$fix_dir"
	fix_story=$1 key=$2 low=$3 default=$4 want=$5
	shift 5
	conf=/etc/sysctl.d/90-$fix_story.conf
	proc=/proc/sys/$(echo "$key" | tr . /)
	old=$(cat "$proc")
	echo "$key = $low" >"$conf"
	sysctl -q -p "$conf"
	before=$(rt_count 1)
	"$@" >"$fix_dir/$fix_story-fails.txt" 2>&1
	check "$* fails at $key=$low: $want" \
		sh -c 'cat "$1"; grep -q "$2" "$1"' - "$fix_dir/$fix_story-fails.txt" "$want"
	check "the plan runs through sh -e" fix_sh "$fix_story" fix_plan_sysctl "$key" "$default"
	after=$(rt_count 1)
	same "$key is the kernel's default again" "$(cat "$proc")" "$default"
	check "$conf no longer lowers it: sysctl --system leaves $default" \
		sh -c 'cat "$1"; sysctl --system >/dev/null 2>&1; [ "$(cat "$2")" = "$3" ]' - "$conf" "$proc" "$default"
	"$@" >"$fix_dir/$fix_story-works.txt" 2>&1
	check "$* succeeds" sh -c 'cat "$1"; [ "$2" = 0 ]' - "$fix_dir/$fix_story-works.txt" $?
	check "unshare -m, docker, podman and ctr run" sh -c 'unshare -m true && docker run --rm busybox true &&
		podman run --rm --network none busybox true && ctr -n default run --rm docker.io/library/busybox:latest fix0 true'
	again=$(rt_count 1)
	check "the host's mounts as before the failure ($before -> $after -> $again)" \
		sh -c '[ "$1" -gt 0 ] && [ "$2" = "$1" ] && [ "$3" = "$1" ]' - "$before" "$after" "$again"
	echo "# $fix_story: host mounts before the failure $before, after the plan $after, after the runs $again"
	rm -f "$conf"
	echo "$old" >"$proc"
}

# the seed's first symptom, and a node hardened against new mount namespaces
fix_limits() {
	fix_sysctl lowered-limit fs.mount-max 10 100000 \
		"error creating overlay mount to /var/lib/docker/overlay2/[0-9a-f]*-init/merged: no space left on device" \
		docker run --rm busybox true
	fix_sysctl max-mnt-namespaces user.max_mnt_namespaces 0 $(($(cat /proc/sys/kernel/threads-max) / 2)) \
		"unshare failed: No space left on device" unshare -m true
}

# fix_docker_cp DIR: rt_docker_cp's container (RT_KEEP) after its failure,
# at rt_docker_cp's limit again: the plan, then three more docker cp
fix_docker_cp() {
	fix_prefix=$TAP_PREFIX
	TAP_PREFIX="fix, docker cp loop: "
	mkdir -p "$fix_dir"
	cpid=$(docker inspect -f '{{.State.Pid}}' my-mount-max)
	vol=$(docker inspect -f '{{range .Mounts}}{{if eq .Source "/"}}{{.Destination}}{{end}}{{end}}' my-mount-max)
	start_mi=$1/step-0/container-mountinfo
	start=$(wc -l <"$start_mi")
	failed=$(awk -v s="$(cat "$1/failed-step")" '$1 == s { print $3 }' "$1/steps.tsv")
	before=$(rt_count "$cpid")
	check "the plan runs through sh -e" fix_sh docker-cp fix_plan_docker_cp "$cpid" "$vol"
	after=$(rt_count "$cpid")
	same "the container runs on, the same pid" \
		"$(docker inspect -f '{{.State.Running}} {{.State.Pid}}' my-mount-max)" "true $cpid"
	# its own mounts as at start; under the volume what it showed at start
	# less the copy of the container's merged that docker's own volume held
	fix_mp "$start_mi" "$vol" out >"$fix_dir/docker-cp-start-out"
	fix_mp "$start_mi" "$vol" in | uniq >"$fix_dir/docker-cp-start-in"
	fix_mp "/proc/$cpid/mountinfo" "$vol" out >"$fix_dir/docker-cp-after-out"
	fix_mp "/proc/$cpid/mountinfo" "$vol" in | uniq >"$fix_dir/docker-cp-after-in"
	check "the container's mounts outside $vol as at start, one mount at $vol, none under it it lacked at start ($start -> $after)" \
		sh -c 'cmp "$1" "$2" && [ "$3" = 1 ] && [ -z "$(comm -23 "$4" "$5")" ]' - \
		"$fix_dir/docker-cp-start-out" "$fix_dir/docker-cp-after-out" \
		"$(awk -v p="$vol" '$5 == p' "/proc/$cpid/mountinfo" | wc -l)" \
		"$fix_dir/docker-cp-after-in" "$fix_dir/docker-cp-start-in"
	check "nothing in the container is shared or a slave any more" \
		sh -c '! grep -qE " (shared|master):[0-9]+ " "/proc/$1/mountinfo"' - "$cpid"
	k=0
	while [ $k -lt 3 ] && docker cp my-mount-max:/etc/group /tmp/x; do k=$((k + 1)); done
	again=$(rt_count "$cpid")
	check "three docker cp succeed at fs.mount-max=$(cat /proc/sys/fs/mount-max) and leave it flat ($after -> $again)" \
		[ $k = 3 -a "$after" -gt 0 -a "$again" = "$after" ]
	check "docker exec still works in it, its volume still the host's /" \
		sh -c '[ "$(docker exec my-mount-max cat "$1/etc/hostname")" = "$(cat /etc/hostname)" ]' - "$vol"
	echo "# docker cp loop: container mounts at start $start, at the failure $failed, before the plan $before, after the plan $after, after three docker cp $again"
	TAP_PREFIX=$fix_prefix
}
# fix_restart RUNTIME DIR: rt_restart_loop's host (RT_KEEP) after its failed
# start, at its limit: the plan, then three more starts of the container
fix_restart() {
	fix_prefix=$TAP_PREFIX
	TAP_PREFIX="fix, $1 restart loop: "
	shared=/srv/loop-$1
	before=$(awk '$1 == 0 { print $3 }' "$2/starts.tsv")
	failed=$(rt_count 1)
	check "the plan runs through sh -e" fix_sh "$1-restart" fix_plan_restart "$shared"
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
	echo "# $1 restart loop: host mounts before the loop $before, at the failure $failed, after the plan $after, after three starts $again"
	TAP_PREFIX=$fix_prefix
}
