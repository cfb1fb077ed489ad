#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/deploy_e2e.sh LINE [vmtest options]
#   E2E_BEFORE="selftests/runtimes_vm.sh" selftests/deploy_e2e.sh LINE -m ko -b ...
#
# E2E_BEFORE names VM scripts that run first in the same boot (make check's
# runtimes smoke test: a boot of the runtimes root costs about a minute);
# the options after LINE go to vmtest.sh for them.
#
# The DaemonSet end to end on one kernel line, in the runtimes root
# (vmtest.sh -r runtimes): the archive of make image, the containers of
# deploy/kubernetes/daemonset.yaml as podman command lines and CRI configs
# (daemonset_run.py), the values the VM must find (e2e.env: the image's
# digests, the module's srcversion and build id), and on the lines of E2E_BUILD_LINES
# (default: 6.1) the node's headers as linux-headers-RELEASE installs them,
# for the loader's build path. selftests/deploy_vm.sh asserts in the VM and
# brings node_exporter's scrapes out; here promtool tests the PrometheusRule
# on them: the ENOSPC alert fires on the scrape after the provoked ENOSPC, for
# that container's namespace, its description naming the container as podman
# inspect does, and stays silent on the scrape before it and 20 minutes on;
# the absent and stale alerts are silent on a fresh scrape, and the stale one
# fires when that scrape is 20 minutes old. TAP lines;
# exit 0 when all passed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
top=$PWD
line=${1:?usage: deploy_e2e.sh LINE [vmtest options]}
shift
build_lines=${E2E_BUILD_LINES:-6.1}

fail() { echo "not ok - deploy e2e on $line: $*"; exit 1; }
version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)
archive=build/image/mntwatch-$version.tar
[ -f "$archive" ] || fail "no $archive (make image)"
[ -f "build/$line/mntwatch.ko" ] || fail "no build/$line/mntwatch.ko (make image)"
command -v promtool >/dev/null || fail "missing tool 'promtool' (apt-get install prometheus)"
kdir=$(selftests/fetch-kernel.sh "$line" 2>/dev/null) || fail "fetch-kernel.sh $line failed"
rel=$(cat "$kdir/release")

work=$top/build/e2e/$line
rm -rf "$work"
mkdir -p "$work/out"
python3 selftests/daemonset_run.py deploy/kubernetes/daemonset.yaml >"$work/daemonset.sh" ||
	fail "daemonset_run.py could not express deploy/kubernetes/daemonset.yaml"
read -r manifest config < <(python3 - "$archive" <<'PY'
import json, sys, tarfile
t = tarfile.open(sys.argv[1])
index = json.load(t.extractfile("index.json"))
digest = index["manifests"][0]["digest"]
manifest = json.load(t.extractfile("blobs/sha256/" + digest.split(":")[1]))
print(digest, manifest["config"]["digest"])
PY
)
srcversion=$(tr '\000' '\n' <"build/$line/mntwatch.ko" | sed -n 's/^srcversion=//p')
build_id=$(readelf -n "build/$line/mntwatch.ko" | sed -n 's/.*Build ID: //p')
bins=(-b "$archive" -b "$work/daemonset.sh" -b "$work/e2e.env" -b selftests/vmlib.sh)
build=0
if [[ " $build_lines " == *" $line "* ]]; then
	build=1
	# the node's headers as the packages install them (not the cache's copy, whose
	# Makefile fetch-kernel.sh points at the cache)
	h=$work/headers
	mkdir -p "$h"
	hdeb=$(ls .cache/deb/linux-headers-"${rel}"_*.deb 2>/dev/null | head -n1)
	[ -n "$hdeb" ] || fail "no linux-headers-$rel .deb in .cache/deb"
	debs=("$hdeb")
	for p in $(dpkg-deb -f "$hdeb" Depends | tr ',' '\n' | sed 's/^ *//; s/[ |].*//' |
		grep -E '^linux-(headers-.*-common$|kbuild-)'); do
		debs+=("$(ls .cache/deb/"${p}"_*.deb 2>/dev/null | head -n1)")
	done
	for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$h" || fail "dpkg-deb -x $deb failed"; done
	tar -C "$h" -cf "$work/headers-$line.tar" usr/src usr/lib || fail "cannot pack the headers"
	rm -rf "$h"
	bins+=(-b "$work/headers-$line.tar")
fi
cat >"$work/e2e.env" <<EOF
E2E_ARCHIVE=$(basename "$archive")
E2E_VERSION=$version
E2E_MANIFEST=$manifest
E2E_CONFIG=$config
E2E_SRCVERSION=$srcversion
E2E_BUILD_ID=$build_id
E2E_BUILD=$build
E2E_HEADERS=headers-$line.tar
EOF

# the scripts of E2E_BEFORE, then deploy_vm.sh, in one boot; the module they
# may have loaded is unloaded first: the loader starts from a bare node
{
	echo 'rc=0'
	for s in ${E2E_BEFORE:-}; do
		bins+=(-b "$s")
		echo "sh /opt/mntwatch/bin/$(basename "$s") || rc=1"
	done
	echo '[ ! -e /sys/module/mntwatch ] || rmmod mntwatch || rc=1'
	echo 'sh /opt/mntwatch/bin/deploy_vm.sh || rc=1'
	echo 'exit $rc'
} >"$work/run.sh"
# crictl as runtimes_lib.sh's rt_cri_on sets it up, for the DaemonSet's pod through the CRI
bins+=(-b selftests/deploy_vm.sh -b selftests/runtimes_lib.sh -b selftests/crictl.py -b "$(command -v jq)")
start=$(date +%s)
selftests/vmtest.sh -k "$line" -r runtimes "$@" "${bins[@]}" -o "$work/out" -t 2400 -s "$work/run.sh" 2>&1 | tr -d '\r'
vm=${PIPESTATUS[0]}
echo "# runtimes VM on $rel (${E2E_BEFORE:+$E2E_BEFORE, }deploy_vm.sh): $(($(date +%s) - start)) s"
[ "$vm" = 0 ] && echo "ok - Debian $rel runtimes VM run completed" || echo "not ok - Debian $rel runtimes VM run completed"
[ -s "$work/out/enospc.prom" ] && [ -s "$work/out/before-enospc.prom" ] && [ -s "$work/out/ids" ] ||
	fail "the VM brought no scrapes out"

# --- the PrometheusRule on what node_exporter served ---
python3 - deploy/kubernetes/prometheusrule.yaml "$work/out" "$work/promtool" <<'PY' || exit 1
import math, os, re, sys, yaml

rule_file, outdir, dest = sys.argv[1:4]
os.makedirs(dest, exist_ok=True)
rule = yaml.safe_load(open(rule_file))
groups = rule["spec"]["groups"]
yaml.safe_dump({"groups": groups}, open(f"{dest}/rules.yaml", "w"))
alerts = {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}
ids = dict(l.strip().split("=", 1) for l in open(f"{outdir}/ids") if "=" in l)
TARGET = {"instance": "node:9100", "job": "node"}
AT = 600  # each scrape is evaluated as if taken 10 minutes into the test

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

def load(name):
    """the scrape's mntwatch and node_exporter samples, timestamps made relative to it"""
    taken = int(open(f"{outdir}/{name}.time").read())
    series = []
    for line in open(f"{outdir}/{name}.prom"):
        m = SAMPLE.match(line.strip())
        if not m or not m.group(1).startswith(("mntwatch_", "node_exporter_build_info", "node_textfile_")):
            continue
        labels = {k: v for k, v in LABEL.findall(m.group(2) or "") if v}  # "" is no label
        labels.update(TARGET)
        value = float(m.group(3))
        if m.group(1).endswith("_timestamp_seconds"):
            value = value - taken + AT
        series.append((m.group(1), labels, value))
    return series

def series_yaml(series):
    return [{"series": n + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(l.items())) + "}",
             "values": f"{v:g}x40"} for n, l, v in series]

def humanize_duration(v):
    s, m, h, d = int(v) % 60, int(v) // 60 % 60, int(v) // 3600 % 24, int(v) // 86400
    if d: return f"{d}d {h}h {m}m {s}s"
    if h: return f"{h}h {m}m {s}s"
    if m: return f"{m}m {s}s"
    return f"{v:.4g}s"

def render(text, labels, value):
    """the annotation as Prometheus's Go template would write it, for the subset the
    rules use: text, variables ($v := / $v =), or, if, with, else, end, $labels.X, .,
    $value | humanizeDuration; anything else stops the test"""
    parts = re.split(r"\{\{ (.*?) \}\}", text)  # text, action, text, ...
    def parse(i):
        nodes = []
        while i < len(parts):
            if i % 2 == 0:
                nodes.append(("text", parts[i]))
                i += 1
                continue
            action, i = parts[i], i + 1
            if action in ("else", "end"):
                return nodes, i, action
            m = re.fullmatch(r"(if|with) (.+)", action)
            if m:
                body, i, stop = parse(i)
                alt = []
                if stop == "else":
                    alt, i, stop = parse(i)
                if stop != "end":
                    sys.exit(f"deploy_e2e: no end to {action!r} in {text!r}")
                nodes.append((m.group(1), m.group(2), body, alt))
                continue
            m = re.fullmatch(r"(\$\w+) :?= (.+)", action)
            nodes.append(("set", m.group(1), m.group(2)) if m else ("print", action))
        return nodes, i, None
    variables = {"$value": value}
    def arg(word, dot):
        if word == ".":
            return dot
        if word.startswith("$labels."):
            return labels.get(word[len("$labels."):], "")
        if word in variables:
            return variables[word]
        sys.exit(f"deploy_e2e: cannot render {word!r} in {text!r}")
    def evaluate(expr, dot):
        words = expr.split()
        if words[0] == "or":
            values = [arg(w, dot) for w in words[1:]]
            return next((v for v in values if v), values[-1])
        if words[1:] == ["|", "humanizeDuration"]:
            return humanize_duration(arg(words[0], dot))
        if len(words) == 1:
            return arg(words[0], dot)
        sys.exit(f"deploy_e2e: cannot render {expr!r} in {text!r}")
    def run(nodes, dot):
        out = ""
        for node in nodes:
            if node[0] == "text":
                out += node[1]
            elif node[0] == "set":
                variables[node[1]] = evaluate(node[2], dot)
            elif node[0] == "print":
                out += str(evaluate(node[1], dot))
            else:
                v = evaluate(node[1], dot)
                out += run(node[2], v if node[0] == "with" else dot) if v else run(node[3], dot)
        return out
    nodes, end, stop = parse(0)
    if stop:
        sys.exit(f"deploy_e2e: {stop} without if or with in {text!r}")
    return run(nodes, None)

def expect(alert, labels, value):
    r = alerts[alert]
    out = dict(labels)
    out.update(r.get("labels", {}))
    return {"exp_labels": out,
            "exp_annotations": {k: render(v, labels, value) for k, v in r.get("annotations", {}).items()}}

enospc, before = load("enospc"), load("before-enospc")
fired = [l for n, l, v in enospc if n == "mntwatch_namespace_last_enospc_timestamp_seconds" and AT - v < 900]
loop = [l for l in fired if l.get("namespace") == ids["E2E_LOOP_NS"] and l.get("container") == ids["E2E_LOOP_ID"]]
if not loop:
    sys.exit(f"deploy_e2e: the scrape has no recent ENOSPC for e2e-loop's namespace {ids['E2E_LOOP_NS']}: {fired}")
# the alert names the container as podman inspect does
named = expect("MountNamespaceENOSPC", loop[0], None)["exp_annotations"]["description"]
if loop[0].get("container_name") != ids["E2E_LOOP_NAME"] or f"(container {ids['E2E_LOOP_NAME']})" not in named:
    sys.exit(f"deploy_e2e: the ENOSPC alert of e2e-loop's namespace does not name it {ids['E2E_LOOP_NAME']} "
             f"(podman inspect): labels {loop[0]}, description {named!r}")
write = [v for n, l, v in enospc if n == "mntwatch_last_write_timestamp_seconds"]
if len(write) != 1:
    sys.exit("deploy_e2e: the scrape has no mntwatch_last_write_timestamp_seconds")
later = 1800  # 20 minutes after the scrape, nothing written since
tests = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [
    {"name": "node_exporter's scrape after the provoked ENOSPC", "interval": "1m",
     "input_series": series_yaml(enospc),
     "alert_rule_test": [
         {"eval_time": "10m", "alertname": "MountNamespaceENOSPC",
          "exp_alerts": [expect("MountNamespaceENOSPC", l, None) for l in fired]},
         {"eval_time": "10m", "alertname": "MntwatchMetricsAbsent"},
         {"eval_time": "10m", "alertname": "MntwatchMetricsStale"},
         {"eval_time": "10m", "alertname": "MntwatchModuleNotLoaded"},
         {"eval_time": "30m", "alertname": "MountNamespaceENOSPC"},
         {"eval_time": "30m", "alertname": "MntwatchMetricsStale",
          "exp_alerts": [expect("MntwatchMetricsStale", TARGET, later - write[0])]},
     ]},
    {"name": "node_exporter's scrape before it", "interval": "1m",
     "input_series": series_yaml(before),
     "alert_rule_test": [{"eval_time": "10m", "alertname": "MountNamespaceENOSPC"}]},
]}
yaml.safe_dump(tests, open(f"{dest}/e2e_test.yaml", "w"), sort_keys=False)
print(f"# promtool cases from the scrapes: {len(enospc)} and {len(before)} series, "
      f"{len(fired)} namespace(s) with a recent ENOSPC, e2e-loop's {ids['E2E_LOOP_NS']} among them, "
      f"its alert's description: {named!r}")
PY
if (cd "$work/promtool" && promtool test rules e2e_test.yaml >test.log 2>&1); then
	echo "ok - deploy e2e on $rel: promtool: MountNamespaceENOSPC fires on the scrape for e2e-loop's namespace, named e2e-loop as podman inspect names it, silent before and 20 minutes on; absent and stale silent, stale once the scrape is 20 minutes old"
else
	echo "not ok - deploy e2e on $rel: promtool test rules on the scrapes"
	sed 's/^/#   /' "$work/promtool/test.log" | head -n 40
	exit 1
fi
[ "$vm" = 0 ]
