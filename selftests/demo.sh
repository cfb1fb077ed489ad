#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make demo: the seed's incident with Debian 12's own docker.io, in the
# runtimes root on the 6.12 line (vmtest.sh -r runtimes): a container with
# the host's / as a volume, docker cp out of it until docker says "no space
# left on device" while df shows room, then what mntwatch says. The
# commands are printed as a user types them. Exits 0 when docker failed
# and mntwatch's explain named the container.
set -u

# run COMMAND...: print it as typed at a prompt, then run it
run() {
	printf '\n$ %s\n' "$*"
	"$@"
}
note() { printf '# %s\n' "$*"; }

insmod "$MNTWATCH_KO" || exit 1
note "mntwatch.ko loaded on $(uname -r); Debian 12's docker.io $(docker version -f '{{.Server.Version}}')"
run sysctl fs.mount-max=3000
run docker run --name my-mount-max -d -v /:/rootfs busybox sleep 3d || exit 1
pid=$(docker inspect -f '{{.State.Pid}}' my-mount-max)
note "the container (pid $pid) holds $(wc -l <"/proc/$pid/mountinfo") mounts: wc -l /proc/$pid/mountinfo"
failed=''
step=1
while [ $step -le 10 ]; do
	if ! run docker cp my-mount-max:/etc/group /tmp/x; then
		failed=$step
		break
	fi
	note "docker cp $step: the container holds $(wc -l <"/proc/$pid/mountinfo") mounts"
	step=$((step + 1))
done
if [ -z "$failed" ]; then
	echo "demo: no docker cp failed"
	exit 1
fi
run df -h /
run df -i /
run mntwatch
run mntwatch events
run mntwatch explain | tee /tmp/explain
grep -q 'docker container my-mount-max' /tmp/explain
