# SPDX-License-Identifier: GPL-2.0
# The seed's incident with Debian's own docker.io (issue 17), sourced by
# runtimes_vm.sh in the runtimes root with vmlib.sh and runtimes_lib.sh
# loaded: fs.mount-max=3000, `docker run --name my-mount-max -d -v /:/rootfs
# busybox sleep 3d`, then `docker cp my-mount-max:/etc/group /tmp/x` until
# one fails (rt_docker_cp). mntwatch's rows and answers are compared with
# what the kernel says (mountinfo line counts plus the mounts above the root
# that mountinfo never shows, vmlib.sh's hidden_ancestors) and with what
# docker says (its error text, docker inspect, docker version, its layer
# store). Then, with the container still full: a docker exec whose runc
# bind fails and falls back silently, the failed docker cp again under a
# higher limit (what that step really needed), and docker cp into another
# container, whose helper namespaces mntwatch hides unless --all; the
# recovery plan on the full container (fix_vm.sh's fix_docker_cp), run by
# sh -e, and on a second loop at a small limit by --apply. The
# evidence stays in $MNTWATCH_OUT/docker-cp (vmtest.sh -o) or /tmp/docker-cp.

. runtimes_lib.sh

# ns_of PID: the number of PID's mount namespace
ns_of() { readlink "/proc/$1/ns/mnt" | tr -dc 0-9; }

# steps_col N COLUMN: steps.tsv's COLUMN (3: container, 4: host) at step N
steps_col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$dir/steps.tsv"; }

# fix_docker_apply DIR: the loop again from a fresh container at a limit it
# reaches in three docker cp, and its plan through mntwatch fix --apply
fix_docker_apply() {
	t1=$(rt_now)
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	if RT_KEEP=1 rt_docker_cp 300 10 "$1"; then
		echo "# docker cp until ENOSPC at fs.mount-max=300: steps: $(awk 'NR > 1 { printf "%s%s", s, $3; s = " " }' "$1/steps.tsv")"
		fix_docker_cp "$1" apply
	else
		check "a docker cp fails with ENOSPC at fs.mount-max=300 within 10 (steps.tsv: $(tr '\n\t' '; ' <"$1/steps.tsv"))" false
	fi
	rt_docker_cp_end
	echo "# docker cp loop at fs.mount-max=300 and its plan by --apply: $(rt_since "$t1") s"
}

incident_docker() {
	TAP_PREFIX="docker cp: "
	dir=${MNTWATCH_OUT:-/tmp}/docker-cp
	hidden=$(hidden_ancestors)
	limit=3000
	# the tables hold this scenario alone
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	t0=$(rt_now)
	RT_KEEP=1 rt_docker_cp $limit 10 "$dir"
	echo "# docker cp until ENOSPC: $(rt_since "$t0") s; steps: $(awk 'NR > 1 { printf "%s%s", s, $3; s = " " }' "$dir/steps.tsv")"
	fail_step=$(cat "$dir/failed-step")
	if [ -z "$fail_step" ]; then
		check "a docker cp fails with ENOSPC within 10 (steps.tsv: $(tr '\n\t' '; ' <"$dir/steps.tsv"))" false
		rt_docker_cp_end
		return
	fi
	cid=$(docker inspect -f '{{.Id}}' my-mount-max)
	cid12=$(echo "$cid" | cut -c1-12)
	image=$(docker inspect -f '{{.Config.Image}}' my-mount-max)
	cpid=$(cat "$dir/container-pid")
	dpid=$(pgrep -x dockerd)
	cns=$(ns_of "$cpid")
	hns=$(ns_of 1)
	layer=$(cat "$dir/mount-id")
	last=$((fail_step - 1))
	# the container's mounts when the step failed (it rolled back), as the
	# kernel counts them
	mounts=$(($(steps_col "$fail_step" 3) + hidden))

	# docker's own words: mount SOURCE:TARGET, flags: FLAGS
	set -- $(sed -n 's/^Error response from daemon: mount \([^ :]*\):\([^ ,]*\), flags: \(0x[0-9a-f]*\): no space left on device$/\1 \2 \3/p' \
		"$dir/docker-error.txt")
	esrc=${1:-} etgt=${2:-} eflags=${3:-}
	check "docker cp $fail_step failed with docker's ENOSPC on the rbind of / onto the container's rootfs, the $last before it succeeded" \
		sh -c 'cat "$1/docker-error.txt"; [ "$2" -ge 2 ] &&
		[ "$(awk -v f="$2" "NR > 1 && \$1 < f && \$2 != 0" "$1/steps.tsv")" = "" ] &&
		[ "$3 $4 $5" = "/ /var/lib/docker/overlay2/$6/merged/rootfs 0x5000" ]' - \
		"$dir" "$fail_step" "$esrc" "$etgt" "$eflags" "$layer"
	# x2 per docker cp: each doubles the container's mounts less the same
	# few of its own (mountinfo)
	check "each docker cp doubled the container's mountinfo lines less one constant" \
		awk -v f="$fail_step" 'NR > 2 && $1 < f { c = 2 * prev - $3; if (k != "" && c != k) bad = 1; k = c }
			NR > 1 { prev = $3 } END { print "2 x previous - this:", k; exit bad || k == "" }' "$dir/steps.tsv"
	# the module's rows against mountinfo
	check "growth: each docker cp's attach took the container from its mountinfo lines to the next (+$hidden hidden), from the host's namespace" \
		sh -c 'k=1; while [ $k -lt "$2" ]; do
			b=$(($(awk -v s=$((k - 1)) "\$1 == s { print \$3 }" "$1/steps.tsv") + $5))
			a=$(($(awk -v s=$k "\$1 == s { print \$3 }" "$1/steps.tsv") + $5))
			grep -qx "$3 [0-9]* $b $a $4 live" "$1/step-$k/growth" || { echo "step $k: no $3 $b -> $a from $4"; cat "$1/step-$k/growth"; exit 1; }
			k=$((k + 1)); done' - "$dir" "$fail_step" "$cns" "$hns" "$hidden"
	ns_tbl=$dir/step-$fail_step/namespaces
	same "namespaces: the container's row holds its mountinfo lines + $hidden, the limit, 1 ENOSPC by dockerd" \
		"$(for c in mounts max enospc last_comm last_pid state parent; do field "$ns_tbl" $c ns "$cns"; done | tr '\n' ' ')" \
		"$mounts $limit 1 dockerd $dpid live $hns "

	# mntwatch's answers as rt_docker_cp saved them right after the failure
	ev=$(jq -c '[.events[] | select(.fallback == null)] | last' "$dir/mntwatch-events-json.txt")
	ev_get() { echo "$ev" | jq -r "[$1] | map(tostring) | join(\" \")"; }
	same "events: dockerd (pid $dpid) in the host's namespace (dockerd's, pid 1's) failed in the container's, readlink /proc/<State.Pid>/ns/mnt" \
		"$(ev_get '.comm, .pid, .caller_ns, .failing_ns, .caller_who, .failing_who, .result, .max')" \
		"dockerd $dpid $(ns_of "$dpid") $cns host docker:my-mount-max -28 $limit"
	pending=$(ev_get .pending)
	requested=$(ev_get .requested)
	same "events: mounts are the container's mountinfo lines + $hidden, requested the host's (the tree of /)" \
		"$(ev_get '.mounts, .requested')" "$mounts $(steps_col "$fail_step" 4)"
	check "events: mounts + pending + requested > $limit, mounts + requested alone fits ($mounts + $pending + $requested)" \
		[ $((mounts + pending + requested)) -gt $limit -a $((mounts + requested)) -le $limit ]
	same "events: source, target and flags as docker's error prints them" \
		"$(ev_get '.syscall, .source, .target, .flags')" "mount $esrc $etgt $eflags"
	same "events: the target's overlay2 layer (docker's layerdb mount-id) and the failing namespace are docker inspect's my-mount-max" \
		"$(ev_get '.target_runtime, .target_container, .target_name, .failing_container, .failing_name')" \
		"docker $cid my-mount-max $cid my-mount-max"
	check "events (table): dockerd, host, docker:my-mount-max with the kernel's numbers" \
		grep -E " dockerd +$hns +$cns +$mounts +$pending +$limit +$requested +[0-9]+ +host +docker:my-mount-max$" "$dir/mntwatch-events.txt"

	same "mntwatch -J: the container's namespace by docker inspect's id, name and image, its pid, the kernel's count" \
		"$(jq -r ".namespaces[] | select(.ns == $cns) | [.mounts, (.pids | index($cpid) != null), .runtime, .container, .name, .image] | map(tostring) | join(\" \")" "$dir/mntwatch-ns-json.txt")" \
		"$mounts true docker $cid my-mount-max $image"
	same "mntwatch -J: the host's namespace holds pid 1 and dockerd" \
		"$(jq -r ".namespaces[] | select(.ns == $hns) | [(.pids | index(1) != null), (.pids | index($dpid) != null)] | map(tostring) | join(\" \")" "$dir/mntwatch-ns-json.txt")" \
		"true true"
	check "mntwatch (table): the container's row with its id and name" \
		grep -E "^ *$cns +$mounts +0 +$limit .* live +$cpid +sleep +$cid12 .* my-mount-max$" "$dir/mntwatch-ns.txt"

	echo "# explain:"
	sed 's/^/#   /' "$dir/mntwatch-explain.txt"
	dpkg_ver=$(dpkg-query -W -f '${Version}' docker.io)
	server_ver=$(docker version -f '{{.Server.Version}}')
	for line in \
		"  dockerd (pid $dpid), in namespace $hns (host," \
		"  asked for $requested mounts in namespace $cns (docker container my-mount-max ($cid12, image $image), pid $cpid sleep)." \
		"  The call: mount(\"$esrc\", \"$etgt\", flags $eflags MS_BIND|MS_REC)" \
		"  Its target lies in the files of docker container my-mount-max ($cid12, image $image)." \
		"  $mounts mounted + $pending pending + $requested requested = $((mounts + pending + requested)) > $limit: over by $((mounts + pending + requested - limit))." \
		"  which is live: not a restart loop (its namespace did not come and go); its mounts" \
		"Pattern: docker cp into a container that receives every bind made on its root file system" \
		"  This dockerd is ${server_ver%%+*} (dpkg: docker.io $dpkg_ver installed $(readlink "/proc/$dpid/exe"), the executable of dockerd pid $dpid)." \
		"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own."; do
		check "explain: $line" grep -qF -- "$line" "$dir/mntwatch-explain.txt"
	done
	# the factors per docker cp, against mountinfo's
	ratios=$(awk -v f="$fail_step" -v h="$hidden" 'NR > 2 && $1 < f { printf "x%.2f\n", ($3 + h) / (prev + h) }
		NR > 1 { prev = $3 }' "$dir/steps.tsv" | sort -u | tr '\n' ' ')
	check "explain: the growth per docker cp is mountinfo's from one step to the next ($ratios)" \
		sh -c 'l=$(grep "^  Growth per docker cp: " "$1") || exit 1; echo "$l"
		for x in $(echo "$l" | grep -o "x[0-9.]*"); do case " $2 " in *" $x "*) ;; *) exit 1 ;; esac; done' - \
		"$dir/mntwatch-explain.txt" "$ratios"
	needed=$(sed -n 's/^  The step that failed would have taken it from [0-9]* to about \([0-9]*\) mounts.*/\1/p' "$dir/mntwatch-explain.txt")

	group=$(awk '$5 == "/"' "/proc/$cpid/mountinfo" | grep -o ' master:[0-9]*' | cut -d: -f2)
	receivers=$(grep -c " master:$group " "/proc/$cpid/mountinfo")
	same "loops -J: the loop in the container's namespace, fed from the host's: group $group of its root, $receivers receivers in mountinfo" \
		"$(jq -r ".loops[] | select(.ns == $cns and .group == ${group:-0}) | [.fed_by, .mountpoint, .members, .factor, .nested, .name] | map(tostring) | join(\" \")" "$dir/mntwatch-loops-json.txt")" \
		"$hns / 0 $receivers $((receivers - 1)) my-mount-max"
	check "the host's mountinfo has that group's shared member, the container's overlay2 merged" \
		grep -q " /var/lib/docker/overlay2/$layer/merged [^ ]* shared:$group " /proc/1/mountinfo
	top=$(awk '{ n[$5]++ } END { for (m in n) if (n[m] > t) t = n[m]; print t }' "/proc/$cpid/mountinfo")
	same "loops -J: the most repeated mountpoint as often as in the container's mountinfo, every row a different path" \
		"$(jq -r '[.repeated[0].count, ([.repeated[].mountpoint] | length == (unique | length))] | map(tostring) | join(" ")' "$dir/mntwatch-loops-json.txt")" \
		"$top true"
	check "check: CRITICAL (exit 2), the container, its ENOSPC and its loop named" \
		sh -c 'cat "$1"; [ "$2" = 2 ] && grep -qE "$3" "$1"' - "$dir/mntwatch-check.txt" "$(cat "$dir/mntwatch-check.rc")" \
		"^MNTWATCH CRITICAL - fullest namespace $cns \\(docker container my-mount-max \\($cid12, image $image\\)\\) at [0-9.]+%: $mounts mounts of $limit; .*1 with ENOSPC in the last 3600s.* peer group $group at / propagates into "

	echo "# docker cp: $(rt_since "$t0") s with the checks of the failure"
	# runc's own bind at a docker exec: with room for one more mount the
	# container cannot take the copies of runc init's bind of its binary;
	# runc copies the binary instead and the exec succeeds
	echo $((mounts + 1)) >/proc/sys/fs/mount-max
	docker exec my-mount-max true >"$dir/exec.txt" 2>&1
	exec_rc=$?
	echo $limit >/proc/sys/fs/mount-max
	mntwatch events -J >"$dir/events-exec.json"
	check "docker exec succeeded (exit $exec_rc) while the container had no room for runc's bind" [ $exec_rc = 0 ]
	same "events: runc init's bind of its binary (comm exe) failed in the container and is counted apart as a fallback" \
		"$(jq -r '.events[-1] | [.comm, .syscall, .source, .flags, .failing_ns, .fallback, (.target | test("^/(var/)?run/docker/runtime-runc/moby/'"$cid"'/runc\\.[^/]+$"))] | map(tostring) | join(" ")' "$dir/events-exec.json")" \
		"exe mount /proc/self/exe 0x1000 $cns runc-exe-bind true"
	mntwatch explain >"$dir/explain-exec.txt"
	check "explain: the failure docker reported is still dockerd's, runc's fallback counted apart" \
		sh -c 'head -n 5 "$1"; head -n 2 "$1" | grep -qx "1 of them runc.s silent fallback, which no command reported (see below)." &&
		grep -q "^The failure a command reported" "$1" && grep -qF "  dockerd (pid $2), in namespace" "$1" &&
		grep -q "^Silent fallbacks: 1 of the 2 events was runc init binding its own binary" "$1"' - "$dir/explain-exec.txt" "$dpid"

	# the failed step again, with room: what it really needed
	echo 10000 >/proc/sys/fs/mount-max
	docker cp my-mount-max:/etc/group /tmp/x >"$dir/docker-cp-again.txt" 2>&1
	again_rc=$?
	after=$(($(rt_count "$cpid") + hidden))
	echo "# the failed docker cp again at fs.mount-max=10000: exit $again_rc, the container $mounts -> $after mounts; explain said about $needed"
	check "explain: what the failed step would have needed ($needed) is within 1% of what it took at fs.mount-max=10000 ($after)" \
		[ "$again_rc" = 0 -a -n "$needed" -a $((needed * 100)) -ge $((after * 99)) -a $((needed * 100)) -le $((after * 101)) ]
	check "events: the copies reserved when it failed ($pending + $requested) are fewer than the step's ($((after - mounts)))" \
		[ $((pending + requested)) -le $((after - mounts)) ]
	# the node given back with the container still full, at the limit it failed at
	echo $limit >/proc/sys/fs/mount-max
	fix_docker_cp "$dir" sh
	rt_docker_cp_end
	echo "# docker cp: $(rt_since "$t0") s with the docker exec and the docker cp again"
	fix_docker_apply "$dir-apply"

	# docker cp into a container: each leaves a namespace gone at once
	docker run --name cpin -d busybox sleep 3d >/dev/null
	mntwatch --all -J >"$dir/cpin-before.json"
	for k in 1 2; do docker cp /etc/hostname "cpin:/tmp/h$k"; done
	mntwatch --all -J >"$dir/cpin-all.json"
	mntwatch -J >"$dir/cpin.json"
	gone='[.namespaces[] | select(.state == "gone")]'
	same "docker cp into a container, twice: --all shows 2 more gone namespaces, copied from the host's" \
		"$(jq -r "$gone | map(select(.parent == $hns)) | length" "$dir/cpin-all.json")" \
		"$(($(jq -r "$gone | map(select(.parent == $hns)) | length" "$dir/cpin-before.json") + 2))"
	same "mntwatch without --all hides gone namespaces that never failed, and shows the live cpin" \
		"$(jq -r "($gone | map(select(.enospc == 0)) | length), (.namespaces[] | select(.name == \"cpin\") | .state)" "$dir/cpin.json" | tr '\n' ' ')" \
		"0 live "
	docker rm -f cpin >/dev/null
	echo "# docker scenario: $(rt_since "$t0") s"
}

incident_docker
