#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
#   selftests/deploy_test.sh
#
# deploy/kubernetes/: the files parse as YAML (python3-yaml). daemonset.yaml: a Namespace
# whose Pod Security labels admit privileged pods, and the DaemonSet in it; both containers
# run the image make image tags (localhost/mntwatch:VERSION of module/version.h); the init
# container runs mntwatch-load privileged with the node's /lib/modules, /usr/src and
# /usr/lib (at /host/usr/lib), securityfs and debugfs mounted, a writable work directory
# and TMPDIR in it; the metrics container is privileged, hostPID, mounts debugfs and a
# textfile directory and refreshes `mntwatch metrics --output` into it; both have
# resources. The PrometheusRule passes `promtool check rules`, has use alerts at 80%
# (warning) and 95% (critical), an ENOSPC alert, alerts on a node whose mntwatch data is
# absent or stale, and every metric name in its expressions is one that tools/mntwatch
# really emits (run against its fixture) or node_exporter's own build info
# (exporter_test.sh checks the exporter serves it), and every label its annotations read is
# one the tool emits (on the runtimes fixture too, whose containers have names), the scrape's
# instance, or the exported_* that a scrape renames; promtool test rules runs the unit
# tests of selftests/alerts_test.yaml, which must make every alert fire. Exit status 0 =
# pass.
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
tools/mntwatch metrics --debugfs tools/tests/fixtures/runtimes/debugfs --proc tools/tests/fixtures/runtimes/proc \
	>"$work/runtimes.prom" || fail "tools/mntwatch metrics on the runtimes fixture failed"
# the accounting audit's gauges, from the recorded table with a drifting and a wrapped counter
tools/mntwatch metrics --debugfs tools/tests/fixtures/audit/debugfs --proc tools/tests/fixtures/proc \
	>"$work/audit.prom" || fail "tools/mntwatch metrics on the audit fixture failed"
promtool check metrics <"$work/audit.prom" >"$work/lint" 2>&1 || fail "promtool check metrics (audit): $(cat "$work/lint")"

version=$(sed -n 's/^#define MNTWATCH_VERSION "\(.*\)"$/\1/p' module/version.h)
"$py" - deploy/kubernetes/daemonset.yaml deploy/kubernetes/prometheusrule.yaml "$work/metrics.prom" \
	"$work/rules.yaml" "localhost/mntwatch:$version" "$work/runtimes.prom" "$work/audit.prom" <<'PY' || exit 1
import re, sys, yaml

ds_file, rule_file, prom_file, rules_out, image_ref, runtimes_prom, audit_prom = sys.argv[1:8]
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

try:
    ds_docs, rule_docs = load_all(ds_file), load_all(rule_file)
except yaml.YAMLError as e:
    sys.exit(f"deploy_test: YAML does not parse: {e}")
kinds = {d.get("kind"): d for d in ds_docs}
if sorted(kinds) != ["DaemonSet", "Namespace"] or len(ds_docs) != 2 or len(rule_docs) != 1:
    sys.exit(f"deploy_test: want a Namespace and a DaemonSet in {ds_file}, a PrometheusRule in {rule_file}")
ns, ds, rule = kinds["Namespace"], kinds["DaemonSet"], rule_docs[0]

# --- Namespace: Pod Security admits only privileged pods with host paths ---
nsname = ns.get("metadata", {}).get("name")
labels = ns.get("metadata", {}).get("labels", {})
for mode in ("enforce", "audit", "warn"):
    check(labels.get(f"pod-security.kubernetes.io/{mode}") == "privileged",
          f"Namespace {nsname}: pod-security.kubernetes.io/{mode} is not privileged")

# --- DaemonSet ---
check(ds.get("apiVersion") == "apps/v1", "daemonset.yaml: the DaemonSet is not apps/v1")
check(ds.get("metadata", {}).get("namespace") == nsname, f"DaemonSet: not in the namespace {nsname}")
spec = ds.get("spec", {}).get("template", {}).get("spec", {})
check(spec.get("hostPID") is True, "DaemonSet: hostPID is not true")
inits, ctrs = spec.get("initContainers", []), spec.get("containers", [])
check(len(inits) == 1 and len(ctrs) == 1, "DaemonSet: want one init container (the loader) and one container")
vols = {v["name"]: v for v in spec.get("volumes", [])}

def hostpaths(c):
    """mountPath -> (host path or volume kind, readOnly)"""
    out = {}
    for m in c.get("volumeMounts", []):
        v = vols.get(m["name"], {})
        src = v.get("hostPath", {}).get("path") or next((k for k in v if k != "name"), None)
        out[m["mountPath"]] = (src, m.get("readOnly") is True)
    return out

for c in inits + ctrs:
    name = c.get("name")
    sc = c.get("securityContext", {})
    check(c.get("image") == image_ref, f"container {name}: image {c.get('image')}, not {image_ref} (what make image tags)")
    check(c.get("imagePullPolicy") == "IfNotPresent", f"container {name}: imagePullPolicy is not IfNotPresent")
    check(sc.get("privileged") is True and sc.get("runAsUser") == 0, f"container {name}: not privileged root")
    res = c.get("resources", {})
    check(res.get("requests", {}).get("cpu") and res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"),
          f"container {name}: no cpu/memory requests and memory limit")
    for m in c.get("volumeMounts", []):
        check(m["name"] in vols, f"container {name}: volume {m['name']} is not defined")

c = inits[0] if inits else {}
script = " ".join(c.get("command", []) + c.get("args", []))
env = {e["name"]: e.get("value") for e in c.get("env", [])}
check(re.search(r"\bexec mntwatch-load\b", script) is not None, "init container: does not run mntwatch-load")
hp = hostpaths(c)
for path, host in (("/lib/modules", "/lib/modules"), ("/usr/src", "/usr/src"), ("/host/usr/lib", "/usr/lib"),
                   ("/sys/kernel/security", "/sys/kernel/security"), ("/sys/kernel/debug", "/sys/kernel/debug")):
    check(hp.get(path) == (host, True), f"init container: the node's {host} is not mounted read-only at {path}")
work = re.search(r"--work (\S+)", script)
check(work is not None and any(work.group(1).startswith(p) and hp[p][0] == "emptyDir" and not hp[p][1] for p in hp),
      "init container: --work is not in a writable emptyDir")
if c.get("securityContext", {}).get("readOnlyRootFilesystem"):
    tmpdir = env.get("TMPDIR") or ""
    check(any(tmpdir.startswith(p) and hp[p][0] == "emptyDir" for p in hp),
          "init container: a read-only root without TMPDIR in an emptyDir (gcc writes temporary files)")

c = ctrs[0] if ctrs else {}
hp = hostpaths(c)
check(hp.get("/sys/kernel/debug", (None,))[0] == "/sys/kernel/debug", "metrics: host debugfs not mounted at /sys/kernel/debug")
script = " ".join(c.get("command", []) + c.get("args", []))
env = {e["name"]: e.get("value") for e in c.get("env", [])}
check(re.search(r"\bmntwatch metrics\b.*--output", script, re.S) is not None, "metrics: does not run `mntwatch metrics --output`")
check(re.search(r"\bwhile\b.*\bsleep\b", script, re.S) is not None, "metrics: does not refresh in a loop")
interval = env.get("MNTWATCH_INTERVAL", "")
check(interval.isdigit() and int(interval) > 0, "metrics: MNTWATCH_INTERVAL is not a positive number")
out = env.get("MNTWATCH_OUTPUT", "")
check(out.endswith(".prom"), "metrics: MNTWATCH_OUTPUT must end in .prom (the textfile collector reads only *.prom)")
outdir = out.rsplit("/", 1)[0]
tf = hp.get(outdir, (None, True))
check(tf[0] is not None and "textfile" in tf[0], f"metrics: output directory {outdir} is not a hostPath textfile directory")
check(not tf[1], "metrics: textfile directory is mounted read-only")

# --- PrometheusRule ---
check(rule.get("apiVersion") == "monitoring.coreos.com/v1" and rule.get("kind") == "PrometheusRule",
      "prometheusrule.yaml is not a monitoring.coreos.com/v1 PrometheusRule")
groups = rule.get("spec", {}).get("groups", [])
with open(rules_out, "w") as f:
    yaml.safe_dump({"groups": groups}, f)
alerts = [r for g in groups for r in g.get("rules", []) if "alert" in r]
check(len(alerts) > 0, "PrometheusRule: no alerts")

emitted = set(re.findall(r"^# TYPE (\S+) ", open(prom_file).read() + open(audit_prom).read(), re.M))
# node_exporter's own, for "the exporter answers but mntwatch's data is absent"
emitted_elsewhere = {"node_exporter_build_info"}
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
    for n in sorted(names - emitted - emitted_elsewhere):
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
check(any("mntwatch_build_info" in str(a.get("expr", "")) and "node_exporter_build_info" in str(a.get("expr", ""))
          for a in alerts), "PrometheusRule: no alert on a node whose node_exporter serves no mntwatch data")
check(any(re.search(r"time\(\)\s*-\s*mntwatch_last_write_timestamp_seconds", str(a.get("expr", ""))) for a in alerts),
      "PrometheusRule: no alert on stale mntwatch data (mntwatch_last_write_timestamp_seconds)")
for a in alerts:
    check(a.get("labels", {}).get("severity") in ("info", "warning", "critical"), f"alert {a['alert']}: bad severity")
    check(a.get("annotations", {}).get("summary"), f"alert {a['alert']}: no summary")

# the labels the annotations read: the tool's, the scrape's instance, or renamed by a scrape
labels = set()
for path in (prom_file, runtimes_prom):
    for m in re.finditer(r"^[a-z_:]+\{([^}]*)\}", open(path).read(), re.M):
        labels |= set(re.findall(r'([a-zA-Z_]\w*)="', m.group(1)))
check({"container_name", "pod_name", "pod_namespace"} <= labels,
      f"tools/mntwatch metrics on the runtimes fixture names no container: labels {sorted(labels)}")
known = labels | {"instance", "job"} | {"exported_" + l for l in labels}
for a in alerts:
    for text in a.get("annotations", {}).values():
        for l in sorted(set(re.findall(r"\$labels\.(\w+)", text)) - known):
            errors.append(f"alert {a['alert']}: its annotations read the label '{l}', which no series has")

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
