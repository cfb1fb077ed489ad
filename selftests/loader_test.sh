#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/loader_test.sh
#
# deploy/mntwatch-load on the host, on fake node roots (--root: proc/, sys/,
# lib/modules/ as a node would show them) with an insmod and rmmod on PATH
# that only record what they were asked, under dash and under busybox sh (the
# image's shell). Every refusal path: one line on stderr naming what to do,
# exit 1, insmod and rmmod never called. The paths that load: the prebuilt
# module whose vermagic and version match among decoys, the build against
# headers (a fake kbuild that copies a module), signing (byte for byte what
# the kernel's scripts/sign-file writes, from the cached Debian 6.1 kbuild),
# replacing an older version, and the insmod errors turned into one line.
# TAP lines "ok - ..." / "not ok - ..."; exit status 0 when all passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
loader=$top/deploy/mntwatch-load
version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)
rel=6.1.0-56-cloud-amd64

failed=0
ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'
	failed=$((failed + 1))
}

for t in gcc openssl busybox dash; do
	command -v $t >/dev/null || { not_ok "loader tests: missing tool '$t'"; exit 1; }
done
work=$top/build/check/loader
rm -rf "$work"
mkdir -p "$work/bin"
trap 'rm -rf "$work"' EXIT

# A module as far as the loader looks: its .modinfo strings
fake_ko() { # FILE VERSION VERMAGIC
	mkdir -p "$(dirname "$1")"
	printf 'static const char mi[] __attribute__((section(".modinfo"), used, aligned(1))) = "version=%s\\0vermagic=%s\\0";\n' \
		"$2" "$3" >"$work/ko.c"
	gcc -c -o "$1" "$work/ko.c"
}
fake_ko "$work/mods/$rel/mntwatch.ko" "$version" "$rel SMP mod_unload modversions "
fake_ko "$work/mods/6.1.0-55-cloud-amd64/mntwatch.ko" "$version" "6.1.0-55-cloud-amd64 SMP mod_unload modversions "
fake_ko "$work/mods/old-$rel/mntwatch.ko" 0.1.0 "$rel SMP mod_unload modversions "
fake_ko "$work/other.ko" "$version" "6.12.117+deb12-cloud-amd64 SMP preempt mod_unload modversions "

# insmod and rmmod that record their arguments and act on the fake sysfs
# (by MNTWATCH_INSMOD and MNTWATCH_RMMOD: busybox sh runs its own applets
# whatever PATH says)
cat >"$work/bin/insmod" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG/insmod"
if [ -n "${FAKE_INSMOD_FAIL:-}" ]; then echo "insmod: can't insert '$1': $FAKE_INSMOD_FAIL" >&2; exit 1; fi
mkdir -p "$FAKE_ROOT/sys/module/mntwatch" "$FAKE_ROOT/sys/kernel/debug/mntwatch"
tr '\000' '\n' <"$1" | sed -n 's/^version=//p' >"$FAKE_ROOT/sys/module/mntwatch/version"
echo "version $(cat "$FAKE_ROOT/sys/module/mntwatch/version")" >"$FAKE_ROOT/sys/kernel/debug/mntwatch/status"
EOF
cat >"$work/bin/rmmod" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG/rmmod"
if [ -n "${FAKE_RMMOD_FAIL:-}" ]; then echo "rmmod: ERROR: Module mntwatch is in use" >&2; exit 1; fi
rm -rf "$FAKE_ROOT/sys/module/mntwatch" "$FAKE_ROOT/sys/kernel/debug/mntwatch"
EOF
chmod +x "$work/bin/insmod" "$work/bin/rmmod"

# A node as a Debian cloud kernel shows it: kretprobes, BTF, no lockdown
new_root() {
	root=$work/root
	rm -rf "$root" "$work/log"
	mkdir -p "$root/proc/sys/kernel" "$root/sys/kernel/btf" "$root/sys/kernel/security" \
		"$root/sys/module/module/parameters" "$work/log"
	echo "$rel" >"$root/proc/sys/kernel/osrelease"
	printf 'ffffffffa0000000 T register_kprobe\nffffffffa0000100 T register_kretprobe\n' >"$root/proc/kallsyms"
	echo btf >"$root/sys/kernel/btf/vmlinux"
	echo '[none] integrity confidentiality' >"$root/sys/kernel/security/lockdown"
	echo N >"$root/sys/module/module/parameters/sig_enforce"
}
loaded() { # VERSION: what a module of that version leaves in sysfs
	mkdir -p "$root/sys/module/mntwatch"
	[ -z "$1" ] || echo "$1" >"$root/sys/module/mntwatch/version"
}

# run SHELL ARGS...: the loader on the fake root; sets rc, out, err
run() {
	local sh=$1
	shift
	FAKE_ROOT=$root FAKE_LOG=$work/log MNTWATCH_INSMOD=$work/bin/insmod MNTWATCH_RMMOD=$work/bin/rmmod \
		"$sh" "$loader" --root "$root" --modules "$work/mods" "$@" >"$work/out" 2>"$work/err"
	rc=$?
	out=$(cat "$work/out")
	err=$(cat "$work/err")
}
called() { [ -s "$work/log/$1" ]; }

# refused SHELL NAME PATTERN ARGS...: exit 1, one line matching PATTERN, nothing loaded
refused() {
	local sh=$1 name=$2 pattern=$3
	shift 3
	run "$sh" "$@"
	if [ "$rc" = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] && [ -z "$out" ] &&
		grep -q -e "$pattern" "$work/err" && ! called insmod && ! called rmmod; then
		ok "$shq: $name"
	else
		not_ok "$shq: $name" "exit $rc, insmod: $(cat "$work/log/insmod" 2>/dev/null), rmmod: $(cat "$work/log/rmmod" 2>/dev/null)
stdout: $out
stderr: $err"
	fi
}

# refused_tried SHELL NAME PATTERN ARGS...: as refused, where insmod or rmmod
# was tried and failed: the module loaded before is still the one loaded
refused_tried() {
	local sh=$1 name=$2 pattern=$3 before
	shift 3
	before=$(cat "$root/sys/module/mntwatch/version" 2>/dev/null || echo none)
	run "$sh" "$@"
	if [ "$rc" = 1 ] && [ "$(wc -l <"$work/err")" = 1 ] && [ -z "$out" ] && grep -q -e "$pattern" "$work/err" &&
		[ "$(cat "$root/sys/module/mntwatch/version" 2>/dev/null || echo none)" = "$before" ]; then
		ok "$shq: $name"
	else
		not_ok "$shq: $name" "exit $rc, loaded before: $before, after: $(cat "$root/sys/module/mntwatch/version" 2>/dev/null)
stderr: $err"
	fi
}

# loads SHELL NAME KO PATTERN ARGS...: exit 0, insmod given KO, one line matching PATTERN
loads() {
	local sh=$1 name=$2 ko=$3 pattern=$4
	shift 4
	run "$sh" "$@"
	if [ "$rc" = 0 ] && [ -z "$err" ] && grep -q -e "$pattern" "$work/out" &&
		[ "$(cut -d' ' -f1 "$work/log/insmod" 2>/dev/null)" = "$ko" ] &&
		[ "$(cat "$root/sys/module/mntwatch/version")" = "$version" ]; then
		ok "$shq: $name"
	else
		not_ok "$shq: $name" "exit $rc, insmod: $(cat "$work/log/insmod" 2>/dev/null)
stdout: $out
stderr: $err"
	fi
}

# fake headers: kbuild that copies a prepared module into M=
fake_headers() { # GCC_VERSION_CONFIG VERMAGIC
	local kdir=$root/lib/modules/$rel/build
	mkdir -p "$kdir/include/config" "$kdir/scripts/basic"
	echo "$1" >"$kdir/include/config/auto.conf"
	fake_ko "$work/built.ko" "$version" "$2"
	printf 'modules:\n\ttest -f $(M)/module/version.h\n\techo $(CC) >$(M)/cc\n\tcp %s $(M)/mntwatch.ko\n' \
		"$work/built.ko" >"$kdir/Makefile"
}

key=$work/MOK.priv
openssl req -new -x509 -nodes -days 1 -subj "/CN=mntwatch loader_test MOK/" -newkey rsa:2048 \
	-keyout "$key" -outform DER -out "$work/MOK.der" >/dev/null 2>&1 || not_ok "openssl req"
openssl x509 -inform DER -in "$work/MOK.der" -out "$work/MOK.pem"

printf '#!/bin/sh\nexec busybox sh "$@"\n' >"$work/bin/busybox-sh"
chmod +x "$work/bin/busybox-sh"
for shq in dash busybox-sh; do
	sh=$shq
	[ "$sh" = dash ] || sh=$work/bin/busybox-sh

	new_root
	loads "$sh" "prebuilt module chosen by vermagic and version among decoys" "$work/mods/$rel/mntwatch.ko" \
		"^mntwatch-load: loaded mntwatch $version on $rel (prebuilt for $rel)$"
	new_root
	loads "$sh" "module parameters passed to insmod" "$work/mods/$rel/mntwatch.ko" "loaded" events_max=512 ns_max=64
	grep -qx "$work/mods/$rel/mntwatch.ko events_max=512 ns_max=64" "$work/log/insmod" &&
		ok "$shq: insmod got exactly the module and the parameters" ||
		not_ok "$shq: insmod got exactly the module and the parameters" "$(cat "$work/log/insmod")"

	new_root
	loaded "$version"
	run "$sh"
	[ "$rc" = 0 ] && ! called insmod && ! called rmmod && [ "$out" = "mntwatch-load: mntwatch $version is already loaded on $rel: nothing to do" ] &&
		ok "$shq: this version loaded: nothing to do, exit 0" ||
		not_ok "$shq: this version loaded: nothing to do" "exit $rc: $out $err"

	new_root
	loaded 0.1.0
	loads "$sh" "an older version is replaced, and says so" "$work/mods/$rel/mntwatch.ko" \
		"loaded mntwatch $version on $rel (prebuilt for $rel), replacing mntwatch 0.1.0$"
	called rmmod && ok "$shq: rmmod before insmod for the older version" || not_ok "$shq: rmmod for the older version"

	new_root
	loaded 9.0.0
	refused "$sh" "a newer version loaded is never replaced" \
		"mntwatch 9.0.0 is loaded, newer than this loader's $version: not replacing it; run the 9.0.0 image, or rmmod mntwatch"
	[ "$(cat "$root/sys/module/mntwatch/version")" = 9.0.0 ] && ok "$shq: the newer module stays" || not_ok "$shq: the newer module stays"
	new_root
	loaded 0.10.0
	refused "$sh" "0.10.0 is newer than 0.2.0 (numeric fields)" "mntwatch 0.10.0 is loaded, newer"
	new_root
	loaded 9.0.0
	loads "$sh" "--replace replaces a newer one" "$work/mods/$rel/mntwatch.ko" "replacing mntwatch 9.0.0" --replace
	new_root
	loaded ""
	refused "$sh" "a loaded module of unknown version is not replaced" "unknown version .* rmmod mntwatch, or rerun with --replace"
	new_root
	loaded 0.1.0
	FAKE_RMMOD_FAIL=1 refused_tried "$sh" "an older module in use: one line, it stays" "cannot unload mntwatch 0.1.0 to load $version (Module mntwatch is in use): stop what reads"
	! called insmod && ok "$shq: no insmod after rmmod failed" || not_ok "$shq: no insmod after rmmod failed"

	new_root
	echo 'ffffffffa0000000 T register_kprobe' >"$root/proc/kallsyms"
	refused "$sh" "no kretprobes" "has no kretprobes .* CONFIG_KRETPROBES=y"
	new_root
	mkdir -p "$root/sys/kernel/debug/kprobes"
	echo 0 >"$root/sys/kernel/debug/kprobes/enabled"
	refused "$sh" "kprobes disabled" "kprobes are disabled on this node: echo 1 >/sys/kernel/debug/kprobes/enabled"

	new_root
	rm "$root/sys/kernel/btf/vmlinux"
	refused "$sh" "no BTF, no btf_path=" "has no BTF .* pass btf_path=FILE, a detached BTF of this exact build (pahole --btf_encode_detached"
	refused "$sh" "btf_path= naming a missing file" "btf_path=/var/lib/mntwatch/x.btf: no such readable file" btf_path=/var/lib/mntwatch/x.btf
	mkdir -p "$root/var/lib/mntwatch"
	echo btf >"$root/var/lib/mntwatch/$rel.btf"
	loads "$sh" "no BTF, btf_path= to a detached file" "$work/mods/$rel/mntwatch.ko" "loaded" "btf_path=/var/lib/mntwatch/$rel.btf"
	new_root
	rm "$root/sys/kernel/btf/vmlinux"
	loads "$sh" "no BTF, offsets= given" "$work/mods/$rel/mntwatch.ko" "loaded" offsets=ns_inum=1

	new_root
	echo 'none [integrity] confidentiality' >"$root/sys/kernel/security/lockdown"
	refused "$sh" "lockdown integrity without a key" "kernel lockdown is integrity: the kernel loads only signed modules; give --sign-key KEY --sign-cert CERT"
	new_root
	echo 'none integrity [confidentiality]' >"$root/sys/kernel/security/lockdown"
	refused "$sh" "lockdown confidentiality, even with a key" "lockdown is confidentiality, which refuses kprobes" \
		--sign-key "$key" --sign-cert "$work/MOK.der"
	new_root
	mkdir -p "$root/sys/firmware/efi/efivars"
	printf '\006\000\000\000\001' >"$root/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0e-ed1deae1fd99"
	echo 'none [integrity] confidentiality' >"$root/sys/kernel/security/lockdown"
	refused "$sh" "Secure Boot without a key" "Secure Boot is on (lockdown integrity): the kernel loads only signed modules; .*mokutil --import"
	new_root
	mkdir -p "$root/sys/firmware/efi/efivars"
	printf '\006\000\000\000\000' >"$root/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0e-ed1deae1fd99"
	loads "$sh" "Secure Boot off (the EFI variable's 0): loads unsigned" "$work/mods/$rel/mntwatch.ko" "loaded"
	new_root
	echo Y >"$root/sys/module/module/parameters/sig_enforce"
	refused "$sh" "module.sig_enforce without a key" "module.sig_enforce is on: the kernel loads only signed modules"

	new_root
	echo 'none [integrity] confidentiality' >"$root/sys/kernel/security/lockdown"
	loads "$sh" "lockdown integrity, signed with the key given" "$work/sign/mntwatch.ko" \
		"(prebuilt for $rel, signed by mntwatch loader_test MOK)$" --sign-key "$key" --sign-cert "$work/MOK.der" --work "$work/sign"
	cmp -s <(head -c "$(stat -c %s "$work/mods/$rel/mntwatch.ko")" "$work/sign/mntwatch.ko") "$work/mods/$rel/mntwatch.ko" &&
		[ "$(tail -c 28 "$work/sign/mntwatch.ko")" = '~Module signature appended~' ] &&
		ok "$shq: the signed module is the prebuilt one plus a signature" ||
		not_ok "$shq: the signed module is the prebuilt one plus a signature"
	if kdir=$(selftests/fetch-kernel.sh 6.1 2>/dev/null); then
		signfile=$(ls "$kdir"/root/usr/lib/linux-kbuild-*/scripts/sign-file)
		cp "$work/mods/$rel/mntwatch.ko" "$work/by-sign-file.ko"
		"$signfile" sha256 "$key" "$work/MOK.der" "$work/by-sign-file.ko"
		cmp -s "$work/by-sign-file.ko" "$work/sign/mntwatch.ko" &&
			ok "$shq: signature byte for byte what the kernel's sign-file writes" ||
			not_ok "$shq: signature byte for byte what the kernel's sign-file writes"
	else
		not_ok "$shq: signature compared with sign-file: no cached Debian 6.1 kbuild (selftests/fetch-kernel.sh 6.1)"
	fi
	new_root
	loads "$sh" "a PEM certificate works as well" "$work/sign2/mntwatch.ko" "signed by mntwatch loader_test MOK" \
		--sign-key "$key" --sign-cert "$work/MOK.pem" --work "$work/sign2"
	new_root
	echo 'none [integrity] confidentiality' >"$root/sys/kernel/security/lockdown"
	FAKE_INSMOD_FAIL="Key was rejected by service" refused_tried "$sh" "the kernel rejects the key: one line" \
		"the kernel refused the module's signature (Key was rejected by service): enroll $work/MOK.der as a MOK (mokutil --import" \
		--sign-key "$key" --sign-cert "$work/MOK.der"
	new_root
	FAKE_INSMOD_FAIL="Required key not available" refused_tried "$sh" "the kernel wants a signature the loader did not know of" \
		"the kernel requires a signed module (Required key not available): give --sign-key KEY --sign-cert CERT"
	new_root
	FAKE_INSMOD_FAIL="Operation not permitted" refused_tried "$sh" "insmod EPERM: one line naming CAP_SYS_MODULE" "CAP_SYS_MODULE"
	new_root
	FAKE_INSMOD_FAIL="Invalid module format" refused_tried "$sh" "other insmod errors: one line" \
		"failed (Invalid module format): dmesg | grep mntwatch"
	new_root
	loaded 0.1.0
	FAKE_INSMOD_FAIL="Invalid module format" run "$sh"
	[ "$rc" = 1 ] && [ ! -e "$root/sys/module/mntwatch" ] && grep -q "failed (Invalid module format)" "$work/err" &&
		ok "$shq: insmod failing after the older module went: one line, the exit says so" ||
		not_ok "$shq: insmod failing after rmmod" "$err"

	# the build path
	export rel
	new_root
	mv "$work/mods/$rel" "$work/hidden"
	refused "$sh" "no prebuilt module, no headers" \
		"no prebuilt mntwatch.ko for $rel and no kernel headers at /lib/modules/$rel/build: install them on the node (Debian/Ubuntu: apt-get install linux-headers-$rel; RHEL/Fedora/Amazon Linux: dnf install kernel-devel-$rel)"
	refused "$sh" "--no-build without a prebuilt module" "no prebuilt mntwatch.ko $version for $rel in .*drop --no-build" --no-build
	fake_headers CONFIG_GCC_VERSION=120200 "$rel SMP mod_unload modversions "
	loads "$sh" "built against the node's headers" "$work/build/src/mntwatch.ko" \
		"loaded mntwatch $version on $rel (built against /lib/modules/$rel/build with gcc 12)$" --work "$work/build"
	[ "$(cat "$work/build/src/cc")" = gcc-12 ] && ok "$shq: CC=gcc-12 on kbuild's command line for headers of gcc 12" ||
		not_ok "$shq: CC=gcc-12 on kbuild's command line" "$(cat "$work/build/src/cc")"
	new_root
	fake_headers CONFIG_GCC_VERSION=100200 "$rel SMP mod_unload modversions "
	loads "$sh" "headers of gcc 10 built with this gcc" "$work/build/src/mntwatch.ko" "built against" --work "$work/build"
	[ "$(cat "$work/build/src/cc")" = gcc ] && ok "$shq: CC=gcc on kbuild's command line for headers of gcc 10" ||
		not_ok "$shq: CC on kbuild's command line" "$(cat "$work/build/src/cc")"
	new_root
	fake_headers CONFIG_GCC_VERSION=990100 "$rel SMP mod_unload modversions "
	refused "$sh" "headers of a newer gcc" "the headers of $rel were built with gcc 99 and this loader has gcc [0-9]*: build on the node with gcc-99 (make dkms-install"
	new_root
	fake_headers 'CONFIG_CC_IS_CLANG=y' "$rel SMP mod_unload modversions "
	refused "$sh" "headers of a clang kernel" "was built with clang and this loader builds with gcc"
	new_root
	fake_headers CONFIG_GCC_VERSION=120200 "$rel SMP mod_unload modversions "
	printf '#!/bin/sh\necho "./fixdep: /lib/x86_64-linux-gnu/libc.so.6: version \\`GLIBC_2.38'"'"' not found (required by ./fixdep)" >&2\nexit 1\n' \
		>"$root/lib/modules/$rel/build/scripts/basic/fixdep"
	chmod +x "$root/lib/modules/$rel/build/scripts/basic/fixdep"
	refused "$sh" "kbuild tools built for a newer C library" "the kbuild tools of $rel's headers do not run here (.*GLIBC_2.38.*): build on the node"
	new_root
	fake_headers CONFIG_GCC_VERSION=120200 "$rel SMP mod_unload modversions "
	rm -r "$root/lib/modules/$rel/build/scripts"
	ln -s ../../lib/linux-kbuild-6.1/scripts "$root/lib/modules/$rel/build/scripts"
	refused "$sh" "Debian headers whose kbuild tools are not mounted" \
		"take their kbuild tools from /usr/lib/linux-kbuild-6.1, which is not here: mount the node's /usr/lib at $work/nolib (--kbuild-lib)" \
		--kbuild-lib "$work/nolib"
	new_root
	fake_headers CONFIG_GCC_VERSION=120200 "6.1.0-99-cloud-amd64 SMP mod_unload modversions "
	refused "$sh" "headers of another kernel" "the headers at /lib/modules/$rel/build are for 6.1.0-99-cloud-amd64, not the running $rel" --work "$work/build"
	mv "$work/hidden" "$work/mods/$rel"

	new_root
	run "$sh" --dry-run
	[ "$rc" = 0 ] && ! called insmod && [ "$out" = "mntwatch-load: would load $work/mods/$rel/mntwatch.ko (prebuilt for $rel)" ] &&
		ok "$shq: --dry-run says what, loads nothing" || not_ok "$shq: --dry-run" "$out $err"

	new_root
	for bad in "--bogus" "--modules" "foo" "Bad-Name=1" "events_max=1 stray" "--sign-key $key"; do
		# shellcheck disable=SC2086 # each case is its words
		run "$sh" $bad
		if [ "$rc" = 2 ] && [ "$(wc -l <"$work/err")" = 1 ] && [ -z "$out" ] && ! called insmod; then :; else
			not_ok "$shq: usage error '$bad': exit 2, one line" "exit $rc: $err"
			continue 2
		fi
	done
	ok "$shq: usage errors exit 2 with one line, nothing loaded"
	new_root
	rm "$root/proc/sys/kernel/osrelease"
	refused "$sh" "no /proc: one line" "cannot read .*/proc/sys/kernel/osrelease"
done
echo "# loader_test: $failed failed"
[ "$failed" = 0 ]
