#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make -C tools test: the parser unit tests, the CLI tests, then the docs
# against the tool and the module (tests/docs.sh), as one TAP
# stream; ends with "N passed, N failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT

TZ=UTC tests/unit tests/fixtures | tee "$log"
unit_rc=${PIPESTATUS[0]}
if [ "$unit_rc" -gt 1 ]; then
	echo "not ok $(($(grep -cE '^(not )?ok ' "$log") + 1)) - unit tests died (exit $unit_rc)" | tee -a "$log"
fi
next=$(($(grep -cE '^(not )?ok ' "$log") + 1))
TAP_START=$next tests/cli.sh | tee -a "$log"
cli_rc=${PIPESTATUS[0]}
next=$(($(grep -cE '^(not )?ok ' "$log") + 1))
TAP_START=$next tests/docs.sh | tee -a "$log"
docs_rc=${PIPESTATUS[0]}

total=$(grep -cE '^(not )?ok ' "$log")
bad=$(grep -c '^not ok ' "$log")
echo "1..$total"
echo "$((total - bad)) passed, $bad failed"
[ "$unit_rc" = 0 ] && [ "$cli_rc" = 0 ] && [ "$docs_rc" = 0 ] && [ "$bad" = 0 ]
