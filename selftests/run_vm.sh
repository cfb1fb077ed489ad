#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (selftests/vmtest.sh): the kselftests with the module
# loaded, then the module's life cycle. Every result is one TAP line.
dbg=/sys/kernel/debug/mntwatch
. vmlib.sh


loaded() { [ -d $dbg ] && grep -q '^mntwatch ' /proc/modules; }
unloaded() { [ ! -e $dbg ] && ! grep -q '^mntwatch ' /proc/modules; }
rows() { tail -n +2 "$dbg/$1" | wc -l; }

# insmod must fail (with ERRNO_TEXT, when given) and leave nothing behind;
# dmesg names why
refused() {	# refused PARAM DMESG_PATTERN [ERRNO_TEXT]
	dmesg -c >/dev/null
	if insmod "$MNTWATCH_KO" "$1" 2>/tmp/refused.err; then
		rmmod mntwatch
		echo "insmod $1 succeeded"
		return 1
	fi
	cat /tmp/refused.err
	unloaded || { echo "insmod $1 left state behind"; return 1; }
	dmesg | grep "mntwatch: .*$2" || { echo "no dmesg line matching '$2'"; dmesg | tail -n 3; return 1; }
	[ -z "${3:-}" ] || grep -q "$3" /tmp/refused.err || { echo "insmod did not fail with '$3'"; return 1; }
}

# the kernel's own mount selftests, without the module and then with it
if kselftests_vm.sh; then kself=0; else kself=1; fi
check "the kernel's mount selftests are the same with the module (exit status)" [ $kself -eq 0 ]
check "the VM's programs and libraries are all there after the kernel's mount selftests" root_kept
check "insmod mntwatch.ko" insmod "$MNTWATCH_KO"
check "debugfs files are root-only and read-only" \
	sh -c "[ \"\$(stat -c '%a %U' $dbg/namespaces $dbg/events $dbg/status $dbg/growth | sort -u)\" = '400 root' ]"
if mntwatch_test; then kselftest=0; else kselftest=1; fi
check "kselftests exit status" [ $kselftest -eq 0 ]
check "the VM's programs and libraries are all there after mntwatch_test" root_kept
check "probes missed nothing" sh -c "grep -qx 'count_nmissed 0' $dbg/status && grep -qx 'attach_nmissed 0' $dbg/status"
if restart_vm.sh; then restart=0; else restart=1; fi
check "restart loop exit status" [ $restart -eq 0 ]
check "the VM's programs and libraries are all there after restart_vm.sh" root_kept
check "no declined check was followed by ENOSPC (verdict_mismatch 0)" grep -qx 'verdict_mismatch 0' $dbg/status
check "checks that fit were declined" [ "$(stat_of count_declined)" -gt 0 ]

check "rmmod removes the debugfs directory" sh -c 'rmmod mntwatch && ! test -e /sys/kernel/debug/mntwatch'
check "reload works and starts with empty tables" \
	sh -c "insmod \"$MNTWATCH_KO\" && [ \$(tail -n +2 $dbg/events | wc -l) -eq 0 ] && grep -qx 'events_total 0' $dbg/status"
unshare -m sh -c 'mount -t tmpfs reload /mnt'
check "reloaded module records mounts" sh -c "[ \$(tail -n +2 $dbg/namespaces | wc -l) -ge 1 ]"

# A wrong ns_mounts offset that reads pending_mounts (0 at the check) makes
# the module see room the kernel does not have: the declined check's attach
# fails, which must still give an event with what the entry handler read.
mismatch() {	# mismatch PENDING_OFFSET
	old_max=$(cat /proc/sys/fs/mount-max)
	insmod "$MNTWATCH_KO" "offsets=ns_mounts=$1" || return 1
	unshare -m sh -c 'echo 1 >/proc/sys/fs/mount-max; mount -t tmpfs mismatch /mnt'
	rc=$?
	echo "$old_max" >/proc/sys/fs/mount-max
	cat $dbg/events
	mismatches=$(stat_of verdict_mismatch)
	# mounts as read (0), pending, max, requested (a tmpfs), result
	ev=$(tail -n +2 $dbg/events | awk '{ print $6, $7, $8, $9, $10 }')
	rmmod mntwatch
	[ $rc -ne 0 ] && [ "$mismatches" = 1 ] && [ "$ev" = '0 0 1 1 -28' ]
}
pending_off=$(stat_of offset_ns_pending)
rmmod mntwatch
check "a declined check whose attach fails counts a verdict_mismatch and makes an event" \
	mismatch "$pending_off"

check "events_max=0 is refused" refused events_max=0 'events_max=0 is outside'
check "events_max=16385 is refused" refused events_max=16385 'events_max=16385 is outside'
check "ns_max=1 is refused" refused ns_max=1 'ns_max=1 is outside'
check "ns_max=65537 is refused" refused ns_max=65537 'ns_max=65537 is outside'
check "growth_history=0 is refused" refused growth_history=0 'growth_history=0 is outside'
check "growth_history=65 is refused" refused growth_history=65 'growth_history=65 is outside'
check "missing BTF is refused" refused btf_path=/nonexistent 'cannot read BTF from /nonexistent'
check "non-BTF file is refused" refused "btf_path=$MNTWATCH_KO" "is not BTF"

# A crafted BTF whose ns.inum is an array of itself (selfref_btf.sh): the
# resolver must stop and say so in one line, not loop with insmod stuck.
selfref_btf.sh >/tmp/selfref.btf
# the refusal was said in one mntwatch: line (busybox insmod tries
# finit_module(), then init_module(): the line comes once a try)
one_line() {
	refused "$@" && [ "$(dmesg | grep 'mntwatch:' | sed 's/^\[[^]]*\] //' | sort -u | wc -l)" -eq 1 ]
}
check "a BTF with an array of itself is refused in one line (btf_path=)" \
	one_line btf_path=/tmp/selfref.btf 'has no usable ns.inum in BTF (-22)' 'Invalid argument'
check "unknown offsets= field is refused" refused offsets=bogus=8 "unknown field 'bogus'"
check "out-of-range offset is refused" refused offsets=ns_mounts=99999 'ns_mounts needs a byte offset'
check "unknown count_symbol is refused" refused count_symbol=no_such_fn 'cannot probe no_such_fn'
check "unknown attach_symbol is refused" refused attach_symbol=no_such_fn 'cannot probe no_such_fn'
check "unknown free_symbol is refused" refused free_symbol=no_such_fn 'cannot probe no_such_fn'
check "wrong ns offset is caught by the mount-max cross-check" \
	refused offsets=proc_sysctl_entry=0 'cannot locate fs.mount-max'

# gcc clones: a function the kernel has only as NAME.isra.0 (or .constprop.0,
# .part.0) is found under its plain name; as the limit check it is refused,
# since a clone's arguments may be dropped or reordered
clone_only() {	# the first of the given names that exists only as a clone
	for name in "$@"; do
		awk -v n="$name" '$3 == n { plain = 1 }
			$3 == n ".isra.0" || $3 == n ".constprop.0" || $3 == n ".part.0" { clone = $3 }
			END { if (clone && !plain) { print clone; exit 0 } exit 1 }' /proc/kallsyms && return
	done
	return 1
}
attach_clone=$(clone_only audit_mount __put_mountpoint may_context_mount_sb_relabel)
count_clone=$(clone_only propagate_one maybe_free_mountpoint do_lock_mount __umount_mnt)
echo "# clone-only functions: ${attach_clone:-none} and ${count_clone:-none}"
check "attach_symbol falls back to the clone ${attach_clone%%.*} -> $attach_clone" sh -c "
	[ -n '$attach_clone' ] && insmod \"$MNTWATCH_KO\" attach_symbol=${attach_clone%%.*} &&
	grep -qx 'symbol_attach $attach_clone clone' $dbg/status && rmmod mntwatch"
check "count_symbol that is only a clone ($count_clone) is refused with EOPNOTSUPP" \
	refused "count_symbol=${count_clone%%.*}" 'is only a gcc clone here' 'Operation not supported'
# BTF's prototype of the function count_symbol names, not count_mounts'
check "count_symbol=free_mnt_ns is refused: BTF says it is not count_mounts' kind" \
	refused count_symbol=free_mnt_ns 'free_mnt_ns() in BTF is not int (struct mnt_namespace \*, struct mount \*)' \
	'Invalid argument'

# An init that fails must not have shown a file: a reader holding one open
# across the failure would close it into a module already freed. The
# refused clone fails the init as late as anything can.
init_window() {
	rm -f /tmp/window.stop
	hold_open $dbg/status /tmp/window.stop >/tmp/window.out &
	holder=$!
	sleep 0.5
	insmod "$MNTWATCH_KO" "count_symbol=${count_clone%%.*}" 2>/dev/null
	rc=$?
	touch /tmp/window.stop
	wait $holder
	echo "# insmod exited $rc; the reader: $(cat /tmp/window.out)"
	[ $rc -ne 0 ] && [ "$(cat /tmp/window.out)" = "never opened" ] && unloaded
}
check "a failing init shows no file a reader could hold across it" init_window

# state and checks of the rows of namespace $1, one "state checks" line each, sorted
rows_of() {
	awk -v id="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["ns"] == id { print $c["state"], $c["checks"] }' $dbg/namespaces | sort
}

# Without a free hook (free_symbol= "", as 6.18 and 6.19 must run, where
# free_mnt_ns is inlined) a dead namespace's row turns gone when a new
# namespace takes its nsfs number, and the newcomer gets a row of its own.
id_reuse() {
	insmod "$MNTWATCH_KO" free_symbol= || return 1
	grep -qx 'symbol_free -' $dbg/status || { grep symbol_free $dbg/status; return 1; }
	dead=$(unshare -m sh -c 'mount -t tmpfs dead /mnt && stat -L -c %i /proc/self/ns/mnt')
	[ "$(rows_of "$dead")" = "live 1" ] || { echo "dead namespace $dead: $(rows_of "$dead")"; return 1; }
	# nsfs numbers come from an IDA: the lowest free one is taken again
	tries=0
	until [ "$(unshare -m sh -c 'mount -t tmpfs a /mnt && mount -t tmpfs b /mnt &&
		stat -L -c %i /proc/self/ns/mnt')" = "$dead" ] || [ $tries -ge 20 ]; do
		tries=$((tries + 1))
	done
	rows=$(rows_of "$dead" | tr '\n' ' ')
	echo "# namespace $dead after $tries other namespaces: $rows"
	rmmod mntwatch
	[ "$rows" = "gone 1 live 2 " ]
}
check "without a free hook, a reused nsfs number turns the dead row gone" id_reuse

# A kernel without CONFIG_DEBUG_INFO_BTF is given a detached BTF file
# (module/README.md, "Kernels without BTF"): this kernel's own BTF, cut from its
# image by fetch-kernel.sh, stands in for one at another path.
detached=/opt/mntwatch/bin/btf
detached_btf() {
	[ -r $detached ] || { echo "no $detached: run_vm.sh wants -b <kernel dir>/btf"; return 1; }
	insmod "$MNTWATCH_KO" btf_path=$detached || return 1
	grep -qx "btf $detached" $dbg/status || { grep '^btf' $dbg/status; rmmod mntwatch; return 1; }
	old_max=$(cat /proc/sys/fs/mount-max)
	mkdir -p /tmp/detached
	unshare -m sh -c 'echo $(($(wc -l </proc/self/mountinfo) + 4)) >/proc/sys/fs/mount-max
		while mount -t tmpfs d /tmp/detached 2>/dev/null; do :; done
		stat -L -c %i /proc/self/ns/mnt >/tmp/detached.ns'
	echo "$old_max" >/proc/sys/fs/mount-max
	set -- $(tail -n 1 $dbg/events)
	echo "# last event: $*"
	rmmod mntwatch
	# failing_ns, mounts + pending + requested = max + 1 for one tmpfs too many
	[ "$5" = "$(cat /tmp/detached.ns)" ] && [ $(($6 + $7 + $9)) -eq $(($8 + 1)) ] && [ "${10}" = -28 ]
}
check "btf_path= takes a detached BTF file at another path" detached_btf

# A wrong offsets=mnt_mounts= makes the walk follow whatever lies there,
# small integers and user addresses included: each is refused before it is
# loaded, so every offset of struct mount's first 256 bytes lets the
# recursive binds go on, and the dmesg check below sees no splat.
walk_garbage() {
	mkdir -p /tmp/walk/src /tmp/walk/dst
	unshare -m sh -c '
		mount -t tmpfs walk /tmp/walk/src && mkdir /tmp/walk/src/a /tmp/walk/src/b &&
		mount -t tmpfs a /tmp/walk/src/a && mount -t tmpfs b /tmp/walk/src/b || exit 1
		offset=0
		while [ $offset -lt 256 ]; do
			insmod "$MNTWATCH_KO" offsets=mnt_mounts=$offset || exit 1
			mount -o rbind /tmp/walk/src /tmp/walk/dst && umount -l /tmp/walk/dst ||
				{ echo "offset $offset: the rbind failed"; exit 1; }
			rmmod mntwatch
			offset=$((offset + 8))
		done'
}
check "a walk over wrong links (offsets=mnt_mounts=0..248) neither oopses nor fails a mount" walk_garbage

# The namespace counters under every wrong offset of the first 512 bytes of
# struct mnt_namespace: garbage numbers (and maybe a verdict mismatch), never
# an oops, in a VM with SMAP; mounts go on, and a failing one is an event.
# Both counters are wrong in each load, at offsets that run opposite ways.
ns_garbage() {
	mkdir -p /tmp/nsg
	offset=0
	while [ $offset -lt 512 ]; do
		wrong=ns_mounts=$offset,ns_pending=$((504 - offset))
		insmod "$MNTWATCH_KO" offsets=$wrong || return 1
		unshare -m sh -c 'mount -t tmpfs a /tmp/nsg && mount --bind /tmp/nsg /mnt && umount /mnt &&
			umount /tmp/nsg' || { echo "$wrong: a mount failed"; return 1; }
		unshare -m sh -c 'echo 1 >/proc/sys/fs/mount-max; mount -t tmpfs b /tmp/nsg' 2>/dev/null
		echo 100000 >/proc/sys/fs/mount-max
		[ "$(stat_of events_total)" -ge 1 ] || { echo "$wrong: no event"; return 1; }
		cat $dbg/namespaces $dbg/events $dbg/growth >/dev/null || return 1
		rmmod mntwatch
		offset=$((offset + 8))
	done
}
check "namespace counters at wrong offsets (offsets=ns_mounts=, ns_pending= 0..504) oops nothing" ns_garbage

# Without BTF the namespace probes' arguments are unverified: alloc_mnt_ns()'s
# is followed as a pointer, so neither is probed.
no_btf() {
	insmod "$MNTWATCH_KO" || return 1
	all=$(awk '$1 ~ /^offset_/ { sub(/^offset_/, "", $1); printf "%s%s=%s", sep, $1, $2; sep = "," }' $dbg/status)
	rmmod mntwatch
	insmod "$MNTWATCH_KO" "offsets=$all" || return 1
	grep -E '^(btf|symbol_alloc_ns|symbol_copy_ns) ' $dbg/status >/tmp/nobtf
	rmmod mntwatch
	cat /tmp/nobtf
	[ "$(cat /tmp/nobtf | tr '\n' ' ')" = "btf - symbol_alloc_ns - symbol_copy_ns - " ]
}
check "offsets= for every field (no BTF read): the namespace probes stay off" no_btf
check "the VM's programs and libraries are all there after the life cycle and the wrong offsets" root_kept

if tool_vm.sh; then tool=0; else tool=1; fi
check "tools/mntwatch tests exit status" [ $tool -eq 0 ]
check "the VM's programs and libraries are all there after tool_vm.sh" root_kept
if loops_vm.sh; then loops=0; else loops=1; fi
check "tools/mntwatch loops and census tests exit status" [ $loops -eq 0 ]
check "the VM's programs and libraries are all there after loops_vm.sh" root_kept
if trace_vm.sh; then trace=0; else trace=1; fi
check "tracepoint tests exit status" [ $trace -eq 0 ]
check "the VM's programs and libraries are all there after trace_vm.sh" root_kept

check "kernel log has no oops, BUG or WARNING" \
	sh -c "! dmesg | grep -E 'Oops|BUG|WARNING|refcount|sleeping function called from invalid context|Call Trace'"
echo "# run_vm: $failed of $n checks failed"
[ $failed -eq 0 ] && [ $kselftest -eq 0 ]
