#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/exporter_test.sh
#
# The alerts' data path end to end, on the host: `mntwatch metrics --output`
# (run on the tool's fixture trees: the module's tables and a /proc with
# containers and live propagation loops; then the containers of every runtime
# named from their state, one name holding a quote, a backslash, a newline
# and UTF-8) writes into a textfile directory, Debian's
# prometheus-node-exporter serves that directory on 127.0.0.1, and its
# /metrics must carry every mntwatch sample of each file with the same labels,
# value and type, without a textfile scrape error. The exporter runs from a
# temp dir on a free high port, for 60 s at most, and is killed at the end.
# The absent and stale alerts need node_exporter_build_info, mntwatch_build_info
# and mntwatch_last_write_timestamp_seconds there.
# Exit status 0 = pass; a failure says why in one line.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

fail() { echo "exporter_test: $*" >&2; exit 1; }
exporter=/usr/bin/prometheus-node-exporter
[ -x $exporter ] || fail "missing $exporter (apt-get install prometheus-node-exporter)"
command -v curl >/dev/null || fail "missing curl (apt-get install curl)"
command -v python3 >/dev/null || fail "missing python3"
[ -x tools/mntwatch ] || make -s -C tools >/dev/null || fail "cannot build tools/mntwatch"

tmp=$(mktemp -d /tmp/mntwatch-exporter.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/textfile"
fixtures=tools/tests/fixtures
# write FIXTURE-ARGS...: the exposition of that tree, as the DaemonSet writes it
write() {
	tools/mntwatch metrics --output "$tmp/textfile/mntwatch.prom" "$@" 2>"$tmp/mntwatch.err" ||
		fail "mntwatch metrics --output $*: $(cat "$tmp/mntwatch.err")"
}
write --debugfs $fixtures/loop/debugfs --proc $fixtures/loops/proc

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# another process may take the port between free_port and the exporter's bind
for try in 1 2 3; do
	port=$(free_port) || fail "no free port on 127.0.0.1"
	timeout 60 $exporter --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$tmp/textfile" >"$tmp/exporter.log" 2>&1 &
	pid=$!
	for i in $(seq 50); do
		curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/metrics" && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$tmp/metrics" ] && break
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=
done
[ -s "$tmp/metrics" ] || fail "prometheus-node-exporter did not serve /metrics: $(tail -n 3 "$tmp/exporter.log")"
echo "# prometheus-node-exporter $($exporter --version 2>&1 | awk 'NR == 1 { print $3 }') on 127.0.0.1:$port"

# compare.py FILE METRICS [NAME]: FILE's samples in node_exporter's METRICS;
# with NAME, a namespace's series must carry container_name NAME (unescaped)
cat >"$tmp/compare.py" <<'PY'
import re, sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

def unescape(value):
    """a label value unescaped: the exposition format escapes backslash, quote and newline"""
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), value)

def parse(path):
    """samples keyed by name and sorted labels, and each family's type"""
    samples, types = {}, {}
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        if m:
            # the exporter gives every sample of a family the union of the
            # family's labels, "" where a sample had none: for Prometheus an
            # empty label is no label, the same series
            labels = tuple(sorted((k, unescape(v)) for k, v in LABEL.findall(m.group(2) or "") if v))
            samples[(m.group(1), labels)] = float(m.group(3))
    return samples, types

wrote, wrote_types = parse(sys.argv[1])
served, served_types = parse(sys.argv[2])
errors = []
for key, value in sorted(wrote.items()):
    if key not in served:
        errors.append(f"{key[0]}{dict(key[1])} is not in /metrics")
    elif served[key] != value:
        errors.append(f"{key[0]}{dict(key[1])}: /metrics says {served[key]}, the file {value}")
for name, kind in sorted(wrote_types.items()):
    if served_types.get(name) != kind:
        errors.append(f"{name}: type {served_types.get(name)} in /metrics, {kind} in the file")
if served.get(("node_textfile_scrape_error", ())) != 0:
    errors.append("node_textfile_scrape_error is not 0: the exporter could not parse the file")
# what the absent and stale alerts read: the exporter's own build info, mntwatch's
# build info and write time
for name in ("node_exporter_build_info", "mntwatch_build_info", "mntwatch_last_write_timestamp_seconds"):
    if not any(k[0] == name for k in served):
        errors.append(f"{name} is not in /metrics")
loops = [k for k in served if k[0] == "mntwatch_namespace_propagation_loops" and served[k] > 0]
if len(wrote) < 50 or not loops:
    errors.append(f"the fixture gave {len(wrote)} samples and {len(loops)} namespaces with a loop: too few to prove much")
named = [k for k in served if k[0] == "mntwatch_namespace_mounts" and ("container_name", sys.argv[3]) in k[1]] \
    if len(sys.argv) > 3 else [True]
if not named:
    errors.append(f"no mntwatch_namespace_mounts in /metrics has container_name {sys.argv[3]!r}")
for e in errors[:10]:
    print("exporter_test: " + e, file=sys.stderr)
print(f"# {len(wrote)} samples of {len(wrote_types)} mntwatch families written, {len(errors)} wrong in /metrics",
      file=sys.stderr)
sys.exit(1 if errors else 0)
PY
python3 "$tmp/compare.py" "$tmp/textfile/mntwatch.prom" "$tmp/metrics" || exit 1

# the runtimes' containers by name; the exporter reads the directory at each scrape
esc=$tmp/runtimes
cp -r $fixtures/runtimes "$esc"
bundle=$esc/proc/310/root/run/containerd/io.containerd.runtime.v2.task/k8s.io/7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c/config.json
name=$(printf 'a "quoted" back\\slash\nnew line caf\303\251')
python3 - "$bundle" "$name" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["annotations"]["io.kubernetes.cri.container-name"] = sys.argv[2]
json.dump(doc, open(sys.argv[1], "w"))
PY
write --debugfs "$esc/debugfs" --proc "$esc/proc"
curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/metrics" || fail "prometheus-node-exporter stopped serving /metrics"
python3 "$tmp/compare.py" "$tmp/textfile/mntwatch.prom" "$tmp/metrics" "$name" || exit 1
