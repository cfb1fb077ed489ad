#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM (selftests/vmtest.sh): the load/unload storm, then the
# namespace churn, in one boot (each leaves the module unloaded). Exit 0
# when both passed.
rc=0
storm.sh || rc=1
churn.sh || rc=1
exit $rc
