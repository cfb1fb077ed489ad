#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/deploy_test.sh
#
# deploy/kubernetes/: both files parse as YAML (python3-yaml); the DaemonSet is privileged,
# hostPID, mounts debugfs and a textfile directory and refreshes `mntwatch metrics --output`
# into it; the PrometheusRule passes `promtool check rules`, has use alerts at 80% (warning)
# and 95% (critical) and an ENOSPC alert, and every metric name in its expressions is one
# that tools/mntwatch really emits (run against its fixture); promtool test rules runs the unit
# tests of selftests/alerts_test.yaml, which must make every alert fire. Exit status 0 = pass.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

fail() { echo "deploy_test: $*" >&2; exit 1; }
py=
for p in /usr/bin/python3 python3; do
	if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || fail "missing python3 with the yaml module (apt-get install python3-yaml)"
command -v promtool >/dev/null || fail "missing tool 'promtool' (apt-get install prometheus)"
[ -x tools/mntwatch ] || make -s -C tools >/dev/null || fail "cannot build tools/mntwatch"

work=build/check/deploy
rm -rf "$work"
mkdir -p "$work"
fixture=(--debugfs tools/tests/fixtures/loop/debugfs --proc tools/tests/fixtures/proc)
[ -f tools/tests/fixtures/loop/debugfs/status ] || fail "fixture tools/tests/fixtures/loop/debugfs is gone"
tools/mntwatch "${fixture[@]}" metrics >"$work/metrics.prom" || fail "tools/mntwatch metrics on the fixture failed"
promtool check metrics <"$work/metrics.prom" >"$work/lint" 2>&1 || fail "promtool check metrics: $(cat "$work/lint")"

"$py" - deploy/kubernetes/daemonset.yaml deploy/kubernetes/prometheusrule.yaml "$work/metrics.prom" \
	"$work/rules.yaml" <<'PY' || exit 1
import re, sys, yaml

ds_file, rule_file, prom_file, rules_out = sys.argv[1:5]
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

def load(path):
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if len(docs) != 1:
        sys.exit(f"deploy_test: {path}: want one YAML document, got {len(docs)}")
    return docs[0]

try:
    ds, rule = load(ds_file), load(rule_file)
except yaml.YAMLError as e:
    sys.exit(f"deploy_test: YAML does not parse: {e}")

# --- DaemonSet ---
check(ds.get("apiVersion") == "apps/v1" and ds.get("kind") == "DaemonSet", "daemonset.yaml is not an apps/v1 DaemonSet")
spec = ds.get("spec", {}).get("template", {}).get("spec", {})
check(spec.get("hostPID") is True, "DaemonSet: hostPID is not true")
ctrs = spec.get("containers", [])
check(len(ctrs) == 1, "DaemonSet: want one container")
c = ctrs[0] if ctrs else {}
check(c.get("securityContext", {}).get("privileged") is True, "DaemonSet: container is not privileged")
vols = {v["name"]: v for v in spec.get("volumes", [])}
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
def hostpath_of(mountpath):
    m = mounts.get(mountpath)
    return vols.get(m["name"], {}).get("hostPath", {}).get("path") if m else None
check(hostpath_of("/sys/kernel/debug") == "/sys/kernel/debug", "DaemonSet: host debugfs not mounted at /sys/kernel/debug")
script = " ".join(c.get("command", []) + c.get("args", []))
env = {e["name"]: e.get("value") for e in c.get("env", [])}
check(re.search(r"\bmntwatch metrics\b.*--output", script, re.S) is not None, "DaemonSet: does not run `mntwatch metrics --output`")
check(re.search(r"\bwhile\b.*\bsleep\b", script, re.S) is not None, "DaemonSet: does not refresh in a loop")
interval = env.get("MNTWATCH_INTERVAL", "")
check(interval.isdigit() and int(interval) > 0, "DaemonSet: MNTWATCH_INTERVAL is not a positive number")
out = env.get("MNTWATCH_OUTPUT", "")
check(out.endswith(".prom"), "DaemonSet: MNTWATCH_OUTPUT must end in .prom (the textfile collector reads only *.prom)")
outdir = out.rsplit("/", 1)[0]
tf = hostpath_of(outdir)
check(tf is not None and "textfile" in tf, f"DaemonSet: output directory {outdir} is not a hostPath textfile directory")
check(mounts.get(outdir, {}).get("readOnly") is not True, "DaemonSet: textfile directory is mounted read-only")

# --- PrometheusRule ---
check(rule.get("apiVersion") == "monitoring.coreos.com/v1" and rule.get("kind") == "PrometheusRule",
      "prometheusrule.yaml is not a monitoring.coreos.com/v1 PrometheusRule")
groups = rule.get("spec", {}).get("groups", [])
with open(rules_out, "w") as f:
    yaml.safe_dump({"groups": groups}, f)
alerts = [r for g in groups for r in g.get("rules", []) if "alert" in r]
check(len(alerts) > 0, "PrometheusRule: no alerts")

emitted = set(re.findall(r"^# TYPE (\S+) ", open(prom_file).read(), re.M))
check(len(emitted) >= 10, f"tool emitted only {sorted(emitted)}")

FUNCS = set("""abs absent absent_over_time avg avg_over_time bottomk ceil changes clamp clamp_max clamp_min
count count_over_time count_values delta deriv exp floor group histogram_quantile holt_winters
idelta increase irate label_join label_replace last_over_time ln log2 log10 max max_over_time min
min_over_time predict_linear present_over_time quantile quantile_over_time rate resets round
scalar sgn sort sort_desc sqrt stddev stddev_over_time stdvar sum sum_over_time time timestamp topk
vector and or unless by without on ignoring group_left group_right bool offset inf nan""".split())

def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)   # strings
    e = re.sub(r"\{[^}]*\}", " ", e)                                          # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                                         # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\boffset\s+\d+[smhdwy]", " ", e)
    names = set()
    for tok in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        if tok.lower() in FUNCS or re.fullmatch(r"\d+[smhdwy]", tok):
            continue
        names.add(tok)
    return names

used = set()
for a in alerts:
    names = metric_names(str(a.get("expr", "")))
    check(names, f"alert {a['alert']}: no metric in its expression")
    for n in sorted(names - emitted):
        errors.append(f"alert {a['alert']}: metric '{n}' is not emitted by tools/mntwatch metrics")
    used |= names

def thresholds(sev):
    out = set()
    for a in alerts:
        if a.get("labels", {}).get("severity") != sev:
            continue
        m = re.fullmatch(r"\s*mntwatch_namespace_use_ratio\s*>=?\s*([0-9.]+)\s*", str(a.get("expr", "")))
        if m:
            out.add(float(m.group(1)))
    return out
check(0.80 in thresholds("warning"), "PrometheusRule: no warning alert at use_ratio >= 0.80")
check(0.95 in thresholds("critical"), "PrometheusRule: no critical alert at use_ratio >= 0.95")
check(any("enospc" in str(a.get("expr", "")) for a in alerts if a.get("labels", {}).get("severity") == "critical"),
      "PrometheusRule: no critical alert on ENOSPC")
for a in alerts:
    check(a.get("labels", {}).get("severity") in ("info", "warning", "critical"), f"alert {a['alert']}: bad severity")
    check(a.get("annotations", {}).get("summary"), f"alert {a['alert']}: no summary")

for e in errors:
    print("deploy_test: " + e, file=sys.stderr)
print(f"# deploy_test: {len(alerts)} alerts use {sorted(used)}; tool emits {len(emitted)} metrics", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
promtool check rules "$work/rules.yaml" >"$work/rules.lint" 2>&1 || fail "promtool check rules: $(cat "$work/rules.lint")"

# every alert proven by promtool's unit tests: fires when it should, silent otherwise
for alert in $(sed -n 's/^ *- alert: *//p' deploy/kubernetes/prometheusrule.yaml); do
	grep -A1 "alertname: $alert\$" selftests/alerts_test.yaml | grep -q exp_alerts ||
		fail "alert $alert: no promtool unit test in selftests/alerts_test.yaml where it fires"
done
cp selftests/alerts_test.yaml "$work/alerts_test.yaml"
promtool test rules "$work/alerts_test.yaml" >"$work/alerts.log" 2>&1 || fail "promtool test rules: $(cat "$work/alerts.log")"
exit 0
