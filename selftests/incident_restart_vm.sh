# SPDX-License-Identifier: GPL-2.0
# A restart loop with each of Debian's podman (crun) and containerd (ctr,
# runc), sourced by runtimes_vm.sh in the runtimes root with vmlib.sh and
# runtimes_lib.sh loaded: a shared host directory bound into a container
# rshared at its own path and at a subdirectory of itself, the container
# started again and again with fs.mount-max=300 until a start fails
# (rt_restart_loop). The host's namespace grows x3 under the directory per
# start; each start's namespace is gone when the next begins. mntwatch's
# rows and answers are compared with the host's mountinfo, with the
# runtime's own error text and with its own view of the container (podman
# inspect, ctr containers info). Then the recovery plan on the host's stacked
# copies (fix_vm.sh's fix_restart). Evidence in $MNTWATCH_OUT/RUNTIME-loop (vmtest.sh
# -o) or /tmp/RUNTIME-loop.

. runtimes_lib.sh

# starts_col N COLUMN: starts.tsv's COLUMN (3: the host's lines, 4: those
# under the directory) at start N
starts_col() { awk -v s="$1" -v c="$2" '$1 == s { print $c }' "$dir/starts.tsv"; }

incident_restart() {
	rt=$1
	TAP_PREFIX="$rt restart loop: "
	dir=${MNTWATCH_OUT:-/tmp}/$rt-loop
	shared=/srv/loop-$rt
	limit=300
	rmmod mntwatch && insmod "$MNTWATCH_KO" || { check "reload mntwatch.ko" false; return; }
	t0=$(rt_now)
	hns=$(readlink /proc/1/ns/mnt | tr -dc 0-9)
	RT_KEEP=1 rt_restart_loop "$rt" $limit 8 "$dir"
	echo "# $rt: $(rt_since "$t0") s to the failure; mounts under $shared per start: $(awk 'NR > 1 { printf "%s%s", s, $4; s = " " }' "$dir/starts.tsv")"
	fail_step=$(cat "$dir/failed-step")
	if [ -z "$fail_step" ]; then
		check "a start fails with ENOSPC within 8 (starts.tsv: $(tr '\n\t' '; ' <"$dir/starts.tsv"))" false
		rt_restart_loop_end
		return
	fi
	last=$((fail_step - 1))
	case $rt in
	podman) want_err="crun: mount \`$shared\` to \`${shared#/}/inner\`: No space left on device" ;;
	ctr) want_err="error mounting \"$shared\" to rootfs at \"$shared/inner\": mount $shared:$shared/inner (via /proc/self/fd/[0-9]*), flags: 0x5000: no space left on device" ;;
	esac
	check "start $fail_step failed with the runtime's ENOSPC for the bind of $shared at $shared/inner, the $last before it succeeded" \
		sh -c 'cat "$1/runtime-error.txt"; [ "$2" -ge 3 ] &&
		[ "$(awk -v f="$2" "NR > 1 && \$1 < f && \$2 != 0" "$1/starts.tsv")" = "" ] && grep -q "$3" "$1/runtime-error.txt"' - \
		"$dir" "$fail_step" "$want_err"
	check "mountinfo: the host's mounts under $shared tripled at every start after the first" \
		awk -v f="$fail_step" 'NR > 3 && $1 < f && $4 != 3 * prev { bad = 1 } NR > 1 { prev = $4 } END { exit bad }' "$dir/starts.tsv"
	check "growth: each start added to the host's namespace what mountinfo gained under $shared, from the start's own namespace" \
		sh -c 'k=2; while [ $k -lt "$2" ]; do
			d=$(($(awk -v s=$k "\$1 == s { print \$4 }" "$1/starts.tsv") - $(awk -v s=$((k - 1)) "\$1 == s { print \$4 }" "$1/starts.tsv")))
			grep -vxF -f "$1/start-$((k - 1))/growth" "$1/start-$k/growth" |
				awk -v ns="$3" -v d=$d "\$1 == ns && \$4 - \$3 == d && \$5 != ns { ok = 1 } END { exit !ok }" ||
				{ echo "start $k: no new row of $3 growing by $d"; cat "$1/start-$k/growth"; exit 1; }
			k=$((k + 1)); done' - "$dir" "$fail_step" "$hns"

	# the failure: in the new container's namespace, by the runtime's own process
	events=$dir/mntwatch-events-json.txt
	ev_get() { jq -r ".events[-1] | [$1] | map(tostring) | join(\" \")" "$events"; }
	fns=$(ev_get .failing_ns)
	pid=$(ev_get .pid)
	case $rt in
	podman)
		# crun sets the container up re-executed through a file descriptor
		# (execveat, AT_EMPTY_PATH): a kernel without
		# linux_binprm.comm_from_dentry (Debian's 5.10; its 6.1 and later
		# have it, their BTF says) names the process after the fd's number
		comm=$(ev_get .comm)
		case $comm in crun | [0-9] | [0-9][0-9]) ;; *) comm=crun ;; esac
		;;
	ctr) comm='runc:[2:INIT]' ;;
	esac
	same "events: $comm failed in its own new namespace, binding $shared (mount, MS_BIND|MS_REC)" \
		"$(ev_get '.comm, (.caller_ns == .failing_ns), (.failing_ns != '"$hns"'), .syscall, .source, .flags, .result')" \
		"$comm true true mount $shared 0x5000 -28"
	same "namespaces: the failing namespace is gone now, a copy of the host's" \
		"$(ns_tbl=$dir/start-$fail_step/namespaces; awk -v ns="$fns" -v pid="$pid" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
			$c["ns"] == ns && $c["last_pid"] == pid { print $c["state"], $c["parent"], $c["enospc"] }' "$ns_tbl")" \
		"gone $hns 1"
	check "events: mounts + pending + requested > $limit" \
		[ "$(ev_get '.mounts + .pending + .requested')" -gt $limit ]
	case $rt in
	podman)
		ident=$(jq -r '.[0] | [.Id, .Name] | join(" ")' "$dir/podman-inspect.json")
		same "events: the caller is podman inspect's restart-loop, from its cgroup at the failure" \
			"$(ev_get '.caller_runtime, .caller_container, .caller_name')" "podman $ident"
		check "crun's error names podman inspect's id" grep -q "unable to start container ${ident%% *}: crun: " "$dir/runtime-error.txt"
		id12=$(echo "$ident" | cut -c1-12)
		caller_line="  The caller ran in podman container restart-loop ($id12, image $(jq -r '.[0].ImageName' "$dir/podman-inspect.json")) then (cgroup $(ev_get .cgroup))."
		;;
	ctr)
		same "events: the caller is ctr containers info's restart-loop (its task gone, no name beyond the id)" \
			"$(ev_get '.caller_runtime, .caller_container, .caller_name')" \
			"containerd $(jq -r .ID "$dir/ctr-containers-info.json") null"
		check "runc's error prints the event's source, target and flags" \
			grep -qF "mount $(ev_get .source):$shared/inner (via $(ev_get .target)), flags: $(ev_get .flags): no space left" "$dir/runtime-error.txt"
		caller_line="  The caller ran in containerd restart-loop then (cgroup $(ev_get .cgroup)); no state file of its runtime names it now."
		;;
	esac

	explain=$dir/mntwatch-explain.txt
	echo "# explain:"
	sed 's/^/#   /' "$explain"
	# the host's growth rows as explain strings them: "..." where a row
	# does not start where the one before ended
	series=$(awk -v ns="$hns" '$1 == ns { if (!n++) s = $3; else if ($3 != prev) s = s " ..."; s = s " -> " $4; prev = $4 }
		END { print s }' "$dir/start-$fail_step/growth")
	for line in \
		"  $comm (pid $pid) asked for $(ev_get .requested) mounts in namespace $fns." \
		"$caller_line" \
		"Lineage: namespace $fns was made " \
		" s before the failure as a copy of namespace $hns," \
		"Growth of namespace $hns across the" \
		"  $series mounts" \
		"  Every one came from another namespace," \
		"  from short-lived namespaces that bound a shared directory into itself. That is a restart"; do
		check "explain: $line" grep -qF -- "$line" "$explain"
	done

	# before the failure: the loop in the host's namespace, and check warns
	group=$(awk -v d="$shared" '$5 == d' "$dir/host-mountinfo-head" | grep -o ' shared:[0-9]*' | cut -d: -f2 | head -n 1)
	same "loops -J after start $last: the host's group $group at $shared into $shared/inner, one mount on it lands on mountinfo's $(starts_col $last 4)" \
		"$(jq -r ".loops[] | select(.ns == $hns and .group == ${group:-0}) | [.mountpoint, .inside, .factor] | map(tostring) | join(\" \")" \
			"$dir/start-$last/mntwatch-loops-json.txt")" \
		"$shared $shared/inner $(starts_col $last 4)"
	check "check: at least WARNING after every start before the failure, the loop named" \
		sh -c 'k=1; while [ $k -lt "$2" ]; do
			[ "$(cat "$1/start-$k/mntwatch-check.rc")" -ge 1 ] &&
			grep -q "live propagation loop: namespace $3 (host) peer group $4 at $5 propagates into $5/inner beneath it" "$1/start-$k/mntwatch-check.txt" ||
				{ cat "$1/start-$k/mntwatch-check.txt"; exit 1; }
			k=$((k + 1)); done' - "$dir" "$fail_step" "$hns" "$group" "$shared"
	check "check: CRITICAL after the failed start, whose namespace is gone" \
		sh -c 'cat "$1/mntwatch-check.txt"; [ "$(cat "$1/mntwatch-check.rc")" = 2 ] &&
		grep -q "1 with ENOSPC in the last 3600s" "$1/mntwatch-check.txt"' - "$dir"
	# the node given back, the container kept, at the limit it failed at:
	# podman's through sh -e, ctr's through --apply
	fix_restart "$rt" "$dir" "$2"
	rt_restart_loop_end
	echo "# $rt restart loop: $(rt_since "$t0") s"
}

incident_restart podman sh
incident_restart ctr apply
