#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A container restart loop, inside the VM: a "host" namespace whose /mnt is
# an rshared tmpfs; each "restart" is a short-lived namespace copied from it
# that bind-mounts the host directory into itself, which propagates back and
# grows the host. After RESTARTS restarts, fs.mount-max is set so that the
# next container fails in its own brand-new namespace. Expected values come
# from the kernel (mountinfo, its own ENOSPC verdict), never from the module.
# Called by run_vm.sh with the module loaded.
dbg=/sys/kernel/debug/mntwatch
TAP_PREFIX="restart: "
RESTARTS=4
. vmlib.sh

rm -f /tmp/host-ready
unshare -m sh -c 'mount -t tmpfs host /mnt && mkdir -p /mnt/pods/rootfs/h &&
	mount --make-rshared /mnt && touch /tmp/host-ready && exec sleep 600' &
host=$!
wait_for /tmp/host-ready $host
host_ns=$(stat -L -c %i /proc/$host/ns/mnt)
restart() { nsenter -t $host -m unshare -m --propagation shared sh -c 'mount --rbind /mnt /mnt/pods/rootfs/h'; }

series=$(wc -l </proc/$host/mountinfo)
i=0
while [ $i -lt $RESTARTS ]; do
	restart || echo "# restart $i failed"
	series="$series $(wc -l </proc/$host/mountinfo)"
	i=$((i + 1))
done
echo "# host $host_ns mountinfo lines: $series"
mounts=$(awk -v ns="$host_ns" '$1 == ns && $13 == "live" { print $2 }' $dbg/namespaces)
check "host row counts what the kernel counts ($mounts)" kernel_count $host "$mounts"

old_max=$(cat /proc/sys/fs/mount-max)
echo $((mounts + 1)) >/proc/sys/fs/mount-max
restart 2>/tmp/restart.err
rc=$?
echo "$old_max" >/proc/sys/fs/mount-max
check "the next restart fails with ENOSPC" sh -c "[ $rc -ne 0 ] && grep -q 'No space left' /tmp/restart.err"

cp $dbg/events /tmp/rs-ev
cp $dbg/namespaces /tmp/rs-ns
cp $dbg/growth /tmp/rs-growth
ev=$(tail -n 1 /tmp/rs-ev | awk '{ print $5, $13, $6, $2 }')
set -- $ev
child=$1 born=$3 pid=$4
check "the event is a mount-max failure in a new namespace ($child)" \
	sh -c "[ '$2' = mount-max ] && [ '$child' != '$host_ns' ] && [ '$child' != - ]"
# nsfs numbers are reused: the child's row is the one that failed for pid
crow=$(awk -v ns="$child" -v pid="$pid" '$1 == ns && $10 == pid' /tmp/rs-ns)
echo "# child row: $crow"
set -- $crow
check "the child's parent is the host namespace" [ "${14:-}" = "$host_ns" ]
check "the child was born with the $born mounts it failed at (host: $mounts)" \
	sh -c "[ '${15:-}' = '$born' ] && [ '$born' -ge '$mounts' ]"

# the host's history: its last RESTARTS growths, oldest first, contiguous,
# each from another namespace, ending at the host's count
awk -v ns="$host_ns" '$1 == ns && $6 == "live"' /tmp/rs-growth >/tmp/rs-host
sed 's/^/# /' /tmp/rs-host
check "the host's history holds $RESTARTS attaches" [ "$(wc -l </tmp/rs-host)" -eq $RESTARTS ]
check "the attaches came from other namespaces" sh -c "! awk '\$5 == $host_ns' /tmp/rs-host | grep -q ."
check "the series is contiguous and ends at $mounts" awk -v last="$mounts" '
	NR > 1 && $3 != prev { exit 1 } { prev = $4 } END { exit prev != last }' /tmp/rs-host
# mountinfo lines differ from the count by a constant, the growths do not
check "each growth is the kernel's (mountinfo series $series)" awk -v s="$series" '
	BEGIN { split(s, want, " ") }
	$4 - $3 != want[NR + 1] - want[NR] { bad = 1 } END { exit bad }' /tmp/rs-host

mntwatch explain >/tmp/rs-explain 2>&1
sed 's/^/# /' /tmp/rs-explain
check "explain names the parent" grep -q "as a copy of namespace $host_ns" /tmp/rs-explain
hseries=$(awk 'NR == 1 { printf "%s", $3 } { printf " -> %s", $4 }' /tmp/rs-host)
check "explain shows the series $hseries" grep -qF "$hseries mounts" /tmp/rs-explain
check "explain gives the factor per attach" grep -q "factor per attach: x" /tmp/rs-explain
check "explain names the restart pattern" grep -q "restart" /tmp/rs-explain
json=$(mntwatch ns -J | jq -r ".namespaces[] | select(.ns == $host_ns and .state == \"live\") | .growth")
check "ns --json gives the host's growth ($json)" [ "$json" = "$(echo "$hseries" | sed 's/ -> />/g')" ]

# user.max_mnt_namespaces: explain names the other limit, with the count
# the kernel charged root here. The kernel lets a namespace be made while
# the count is below the limit: the first limit that lets one through is
# the count plus one. Called from the initial namespace, which 6.18+ never
# charged to anyone.
old=$(cat /proc/sys/user/max_mnt_namespaces)
charged=0
while [ $charged -lt 100 ]; do
	echo $((charged + 1)) >/proc/sys/user/max_mnt_namespaces
	unshare -m true 2>/dev/null && break
	charged=$((charged + 1))
done
echo $charged >/proc/sys/user/max_mnt_namespaces
unshare -m true 2>/tmp/rs-unshare.err
echo "$old" >/proc/sys/user/max_mnt_namespaces
echo "# root holds $charged mount namespaces in the initial user namespace"
check "unshare -m fails with ENOSPC under user.max_mnt_namespaces=$charged" grep -q 'No space left' /tmp/rs-unshare.err
mntwatch explain >/tmp/rs-explain2 2>&1
sed 's/^/# /' /tmp/rs-explain2
check "explain names user.max_mnt_namespaces and the count ($charged)" sh -c "
	grep -q 'user.max_mnt_namespaces = $charged ' /tmp/rs-explain2 &&
	grep -q 'sysctl -w user.max_mnt_namespaces' /tmp/rs-explain2 &&
	grep -q '  $charged namespaces were charged to the caller.s user there: $charged >= $charged' /tmp/rs-explain2"
userns=$(stat -L -c %i /proc/self/ns/user)
check "events: the last row is mnt-namespaces in user namespace $userns, count and max $charged" sh -c "
	mntwatch events -J | jq -e '.events[-1] | .limit == \"mnt-namespaces\" and .userns == $userns and
		.ns_count == $charged and .max == $charged' >/dev/null"

kill $host
wait $host 2>/dev/null
echo "# restart_vm: $failed of $n checks failed"
[ $failed -eq 0 ]
