# SPDX-License-Identifier: GPL-2.0
# TAP for the scripts that run inside the VM; they source it with ". tap.sh"
# (vmtest.sh -b selftests/tap.sh puts it on PATH). TAP_PREFIX names the suite.
n=0
failed=0

check() {	# check NAME COMMAND...: one TAP line for the command's status
	name=$1
	shift
	n=$((n + 1))
	if "$@" >/tmp/tap-check.out 2>&1; then
		echo "ok $n - ${TAP_PREFIX:-}$name"
	else
		echo "not ok $n - ${TAP_PREFIX:-}$name"
		sed 's/^/# /' /tmp/tap-check.out
		failed=$((failed + 1))
	fi
}
