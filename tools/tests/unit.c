// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for mntwatch's parsers against the fixtures in tests/fixtures:
 * every test asserts exact values, so a parser that drifts fails here.
 * Prints TAP lines numbered from $TAP_START (default 1); exits 1 on failure.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cgroup.h"
#include "cri_meta.h"
#include "explain.h"
#include "json.h"
#include "loops.h"
#include "pattern.h"
#include "runtime.h"
#include "fix.h"
#include "story.h"
#include "sysctl_conf.h"
#include "table.h"
#include "util.h"
#include "who.h"

static int test_no, failed;
static const char *fixtures = "tests/fixtures";

#define CHECK(cond, fmt, ...) do {					\
	if (!(cond)) {							\
		printf("#   %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		       ##__VA_ARGS__);					\
		ok = false;						\
	}								\
} while (0)
#define CHECK_INT(got, want) CHECK((int64_t)(got) == (int64_t)(want),	\
	"%s = %" PRId64 ", want %" PRId64, #got, (int64_t)(got), (int64_t)(want))
#define CHECK_STR(got, want) CHECK(!strcmp((got), (want)),		\
	"%s = '%s', want '%s'", #got, (got), (want))

static void report(bool ok, const char *name)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_no, name);
	if (!ok)
		failed++;
}

static char *fixture(const char *rel)
{
	char path[4096];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", fixtures, rel);
	text = mw_read_file(path, NULL);
	if (!text) {
		printf("# cannot read %s\n", path);
		exit(1);
	}
	return text;
}

static void test_namespaces(void)
{
	struct mw_table tbl;
	struct mw_ns *ns = NULL;
	char err[160] = "";
	bool ok = true;
	int n = -1;

	if (!mw_table_parse(&tbl, fixture("loop/debugfs/namespaces"), err, sizeof(err)))
		n = mw_parse_namespaces(&tbl, &ns, err, sizeof(err));
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_INT(ns[0].ns, 4026532200ULL);
		CHECK_INT(ns[1].ns, 4026532114ULL);
		CHECK_INT(ns[1].mounts, 493);
		CHECK_INT(ns[1].pending, 0);
		CHECK_INT(ns[1].max, 1000);
		CHECK_INT(ns[1].use_permille, 493);
		CHECK_INT(ns[1].peak, 493);
		CHECK_INT(ns[1].checks, 498);
		CHECK_INT(ns[1].enospc, 1);
		CHECK_INT(ns[1].last_fail_us, 1795742956843098LL);
		CHECK_INT(ns[1].last_pid, 133);
		CHECK_STR(ns[1].last_comm, "mount");
		CHECK_INT(ns[1].last_requested, 2);
		CHECK_STR(ns[1].state, "live");
		CHECK_INT(ns[2].last_fail_us, MW_NONE);
		CHECK_INT(ns[2].last_pid, MW_NONE);
		CHECK_STR(ns[2].last_comm, "");
		CHECK_STR(ns[3].state, "gone");
		CHECK_INT(ns[3].use_permille, 12);
	}
	report(ok, "namespaces: every column of the module's table");
	free(ns);
	mw_table_free(&tbl);
}

static void test_reordered(void)
{
	struct mw_table tbl;
	struct mw_ns *ns = NULL;
	struct mw_event *ev = NULL;
	char err[160] = "";
	bool ok = true;
	int n = -1;

	if (!mw_table_parse(&tbl, fixture("reordered/debugfs/namespaces"), err, sizeof(err)))
		n = mw_parse_namespaces(&tbl, &ns, err, sizeof(err));
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(ns[0].ns, 4026532114ULL);
		CHECK_INT(ns[0].mounts, 493);
		CHECK_INT(ns[0].max, 1000);
		CHECK_INT(ns[0].enospc, 1);
		CHECK_INT(ns[0].pending, MW_NONE);	/* column absent */
		CHECK_INT(ns[0].use_permille, 493);
		CHECK_STR(ns[0].state, "live");
	}
	free(ns);
	mw_table_free(&tbl);
	report(ok, "namespaces: columns found by name, absent ones unknown");

	ok = true;
	n = -1;
	if (!mw_table_parse(&tbl, fixture("reordered/debugfs/events"), err, sizeof(err)))
		n = mw_parse_events(&tbl, &ev, err, sizeof(err));
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_INT(ev[0].result, -28);
		CHECK_INT(ev[0].touched, MW_NONE);
		CHECK_INT(ev[0].checks, MW_NONE);
	}
	free(ev);
	mw_table_free(&tbl);
	report(ok, "events: a module without touched/checks still parses");
}

static void test_events(void)
{
	struct mw_table tbl;
	struct mw_event *ev = NULL;
	char err[160] = "";
	bool ok = true;
	int n = -1;

	if (!mw_table_parse(&tbl, fixture("loop/debugfs/events"), err, sizeof(err)))
		n = mw_parse_events(&tbl, &ev, err, sizeof(err));
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(ev[2].time_us, 1795742956843098LL);
		CHECK_INT(ev[2].pid, 133);
		CHECK_STR(ev[2].comm, "mount");
		CHECK_INT(ev[2].caller_ns, 4026532114ULL);
		CHECK_INT(ev[2].failing_ns, 4026532114ULL);
		CHECK_INT(ev[2].mounts, 493);
		CHECK_INT(ev[2].pending, 506);
		CHECK_INT(ev[2].max, 1000);
		CHECK_INT(ev[2].requested, 2);
		CHECK_INT(ev[2].result, -28);
		CHECK_INT(ev[2].touched, 1);
		CHECK_INT(ev[2].checks, 254);
		CHECK_INT(ev[1].caller_ns, 4026531841ULL);
		CHECK_INT(ev[1].failing_ns, 4026532200ULL);
	}
	report(ok, "events: every column of the module's log");
	free(ev);
	mw_table_free(&tbl);
}

static void test_bad_tables(void)
{
	struct mw_table tbl;
	struct mw_ns *ns = NULL;
	char err[160] = "";
	char *text;
	bool ok = true;

	CHECK(mw_table_parse(&tbl, fixture("badrow/debugfs/namespaces"), err, sizeof(err)) == -1,
	      "a short row parsed");
	CHECK_STR(err, "line 3 has 8 fields, header has 13");
	report(ok, "table: a short row rejects the whole table");

	ok = true;
	text = strdup("ns pending max\n1 2 3\n");
	CHECK(!mw_table_parse(&tbl, text, err, sizeof(err)), "%s", err);
	CHECK(mw_parse_namespaces(&tbl, &ns, err, sizeof(err)) == -1,
	      "missing 'mounts' accepted");
	CHECK_STR(err, "namespaces: no column 'mounts' in header");
	mw_table_free(&tbl);
	text = strdup("ns mounts max\nx 2 3\n");
	CHECK(!mw_table_parse(&tbl, text, err, sizeof(err)), "%s", err);
	CHECK(mw_parse_namespaces(&tbl, &ns, err, sizeof(err)) == -1,
	      "bad ns accepted");
	mw_table_free(&tbl);
	text = strdup("ns mounts max\n1 - 3\n");
	CHECK(!mw_table_parse(&tbl, text, err, sizeof(err)), "%s", err);
	CHECK(mw_parse_namespaces(&tbl, &ns, err, sizeof(err)) == -1,
	      "'-' in a required column accepted");
	mw_table_free(&tbl);
	text = strdup("");
	CHECK(mw_table_parse(&tbl, text, err, sizeof(err)) == -1,
	      "empty file accepted");
	report(ok, "table: missing required column, bad number, empty file");
}

static void test_status(void)
{
	struct mw_status st;
	char err[160] = "";
	bool ok = true;

	CHECK(!mw_status_parse(&st, fixture("loop/debugfs/status"), err, sizeof(err)),
	      "%s", err);
	CHECK_STR(mw_status_get(&st, "format"), "1");
	CHECK_STR(mw_status_get(&st, "kernel"), "6.12.57+deb13-cloud-amd64");
	CHECK_STR(mw_status_get(&st, "offset_ns_mounts"), "48 btf.mnt_namespace.nr_mounts");
	CHECK_INT(mw_status_num(&st, "events_total"), 3);
	CHECK_INT(mw_status_num(&st, "memory_bytes"), 575488);
	CHECK_INT(mw_status_num(&st, "no_such_key"), MW_NONE);
	CHECK_INT(mw_status_num(&st, "kernel"), MW_NONE);
	mw_status_free(&st);
	CHECK(mw_status_parse(&st, strdup("format 1\n"), err, sizeof(err)) == -1,
	      "status without header accepted");
	report(ok, "status: key value pairs, multi-word values, numbers");
}

static void test_numbers(void)
{
	bool ok = true, valid;

	CHECK_INT(mw_parse_time_us("1795740181.590020"), 1795740181590020LL);
	CHECK_INT(mw_parse_time_us("12.5"), 12500000);
	CHECK_INT(mw_parse_time_us("7"), 7000000);
	CHECK_INT(mw_parse_time_us("-"), MW_NONE);
	CHECK_INT(mw_parse_time_us("1.2x"), MW_NONE);
	CHECK_INT(mw_parse_opt_int("-28", &valid), -28);
	CHECK(valid, "-28 invalid");
	CHECK_INT(mw_parse_opt_int("-", &valid), MW_NONE);
	CHECK(valid, "'-' invalid");
	mw_parse_opt_int("12a", &valid);
	CHECK(!valid, "'12a' valid");
	report(ok, "numbers: times, '-', negative results, garbage");
}

struct cg_case {
	const char *file, *container, *runtime, *pod, *unit;
};

#define DOCKER_ID "3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
#define CTRD_ID "9a8b7c6d5e4f30211f2e3d4c5b6a79880123456789abcdef0fedcba987654321"
#define K8S_ID "8c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f"
#define CRIO_ID "7e6d5c4b3a291807f6e5d4c3b2a19080aabbccddeeff00112233445566778899"
#define PODMAN_ID "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

static const struct cg_case cg_cases[] = {
	{ "docker-v1-cgroupfs", DOCKER_ID, "docker", "", "containerd.service" },
	{ "docker-v2-systemd", DOCKER_ID, "docker", "", "" },
	{ "containerd-v2-systemd", CTRD_ID, "containerd",
	  "0f7b4c2e-8a1d-4f3b-9c5e-2d6a7b8c9d0e", "" },
	{ "containerd-v1-cgroupfs", K8S_ID, "",
	  "5e3b1a2c-7d8e-4f90-a1b2-c3d4e5f60718", "" },
	{ "containerd-colon-v2", CTRD_ID, "containerd",
	  "0f7b4c2e-8a1d-4f3b-9c5e-2d6a7b8c9d0e", "containerd.service" },
	{ "kind-v2-systemd", CTRD_ID, "containerd",
	  "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", "" },
	{ "crio-v2-systemd", CRIO_ID, "crio",
	  "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "" },
	{ "crio-v1-cgroupfs", CRIO_ID, "crio",
	  "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901", "" },
	{ "crio-conmon-v2", "", "", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
	  "crio-conmon-" CRIO_ID ".scope" },
	{ "podman-rootless-v2", PODMAN_ID, "podman", "", "user@1000.service" },
	{ "systemd-service-v2", "", "", "", "systemd-udevd.service" },
	{ "systemd-service-v1", "", "", "", "nginx.service" },
	{ "user-session-v2", "", "", "", "session-3.scope" },
	{ "root-v2", "", "", "", "" },
};

static void test_cgroups(void)
{
	size_t i;

	for (i = 0; i < sizeof(cg_cases) / sizeof(cg_cases[0]); i++) {
		const struct cg_case *c = &cg_cases[i];
		struct mw_cgroup_info info;
		char rel[256], name[300];
		char *text;
		bool ok = true;

		snprintf(rel, sizeof(rel), "cgroup/%s", c->file);
		text = fixture(rel);
		mw_cgroup_parse(text, &info);
		free(text);
		CHECK_STR(info.container, c->container);
		CHECK_STR(info.runtime, c->runtime);
		CHECK_STR(info.pod, c->pod);
		CHECK_STR(info.unit, c->unit);
		snprintf(name, sizeof(name), "cgroup: %s", c->file);
		report(ok, name);
	}
}

static void test_cgroup_junk(void)
{
	struct mw_cgroup_info info;
	bool ok = true;

	/* 63 hex digits, upper case, a uid one short: none is an id */
	mw_cgroup_parse("0::/docker/3f5c8e0a9b1d2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d\n", &info);
	CHECK_STR(info.container, "");
	mw_cgroup_parse("0::/system.slice/docker-3F5C8E0A9B1D2C4E6F708192A3B4C5D6E7F8091A2B3C4D5E6F708192A3B4C5D6.scope\n", &info);
	CHECK_STR(info.container, "");
	mw_cgroup_parse("0::/kubepods/pod5e3b1a2c-7d8e-4f90-a1b2-c3d4e5f6071/x\n", &info);
	CHECK_STR(info.pod, "");
	mw_cgroup_parse("garbage without colons\n\n::\n", &info);
	CHECK_STR(info.unit, "");
	report(ok, "cgroup: near-miss ids and garbage name nothing");
}

static void test_proc_scan(void)
{
	struct mw_procscan scan;
	const struct mw_who *who;
	char path[4096], label[200];
	bool ok = true;

	snprintf(path, sizeof(path), "%s/proc/140/mountinfo", fixtures);
	/* 493 lines, and the rootfs (id 1) they hang from */
	CHECK_INT(mw_count_mountinfo(path), 494);
	snprintf(path, sizeof(path), "%s/proc", fixtures);
	CHECK(!mw_proc_scan(path, true, &scan), "scan failed");
	CHECK_INT(scan.nwho, 4);
	CHECK_INT(scan.mount_max, 1000);
	CHECK_INT(scan.unreadable, 0);
	who = mw_who_find(&scan, 4026532114ULL);
	CHECK(who, "no who for 4026532114");
	if (who) {
		CHECK_INT(who->npids, 2);
		CHECK_INT(who->pids[0], 140);
		CHECK_INT(who->pids[1], 141);
		CHECK_STR(who->comm, "sleep");
		CHECK_STR(who->cg.container, DOCKER_ID);
		CHECK_INT(who->mounts, 494);
		CHECK(!who->host, "container ns is host");
		mw_who_label(who, true, label, sizeof(label));
		CHECK_STR(label, "docker:3f5c8e0a9b1d");
	}
	who = mw_who_find(&scan, 4026531841ULL);
	CHECK(who && who->host, "pid 1's namespace is not host");
	if (who) {
		CHECK_INT(who->mounts, 36);
		CHECK_STR(who->cg.container, "");
	}
	who = mw_who_find(&scan, 4026532200ULL);
	if (who) {
		mw_who_label(who, false, label, sizeof(label));
		CHECK_STR(label, "crio 7e6d5c4b3a29 pod 1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
	}
	who = mw_who_find(&scan, 4026532400ULL);
	if (who) {
		mw_who_label(who, true, label, sizeof(label));
		CHECK_STR(label, "systemd-udevd.service");
	}
	CHECK(!mw_who_find(&scan, 4026532300ULL), "gone namespace has processes");
	mw_proc_free(&scan);
	report(ok, "proc: namespaces, pids, comm, container, mount counts");
}

/* explain's text, asserted line by line where the numbers are */
static int loops_of(const char *rel, struct mw_mountinfo *mi,
		    struct mw_loops *lp);

static void test_explain(void)
{
	struct mw_table ns_tbl, ev_tbl;
	struct mw_ns *ns = NULL;
	struct mw_event *ev = NULL;
	struct mw_procscan scan;
	struct mw_explain_in in = { 0 };
	char err[160], path[4096], *text = NULL;
	size_t len = 0;
	FILE *out;
	bool ok = true;

	mw_table_parse(&ns_tbl, fixture("loop/debugfs/namespaces"), err, sizeof(err));
	mw_table_parse(&ev_tbl, fixture("loop/debugfs/events"), err, sizeof(err));
	in.nns = mw_parse_namespaces(&ns_tbl, &ns, err, sizeof(err));
	in.nev = mw_parse_events(&ev_tbl, &ev, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/proc", fixtures);
	mw_proc_scan(path, false, &scan);
	in.ns = ns;
	in.ev = ev;
	in.events_total = 3;
	in.events_overwritten = 0;
	in.scan = &scan;
	in.now_us = 1795743000000000LL;
	out = open_memstream(&text, &len);
	mw_explain(out, &in);
	fclose(out);

	static const char *const want[] = {
		"3 ENOSPC failures in the log (events_total 3), in 3 namespaces.",
		"  mount (pid 133) asked for 2 mounts in namespace 4026532114 (docker 3f5c8e0a9b1d, pids 140,141 sleep).",
		"Limit: fs.mount-max = 1000 mounts per namespace.",
		"  493 mounted + 506 pending + 2 requested = 1001 > 1000: over by 1.",
		"  The 506 pending copies made the difference: 493 + 2 = 495 alone fits;",
		"  the namespace was at 49.3% of the limit when it failed.",
		"  in 254 limit checks across 1 namespace.",
		"  All 254 checks hit this one namespace: the tree was being copied into peers of",
		"  Had it succeeded, the namespace would have grown from 493 to at least 1001 mounts (x2.03).",
		"Now: namespace 4026532114 is live: 493 mounts of 1000 (49.3%), peak 493, 1 ENOSPC so far.",
		"  - Restart what holds namespace 4026532114 (pids 140,141 sleep) to free its 493 mounts.",
		"    lets 1 more such attach succeed before one needs about 2032 mounts.",
		"  namespace 4026532300, 16m ago: 900 + 0 pending + 101 > 1000.",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char line[512];

		snprintf(line, sizeof(line), "\n%s\n", want[i]);
		CHECK(strstr(text, line) || (!i && !strncmp(text, line + 1, strlen(line + 1))),
		      "missing line: %s", want[i]);
	}
	CHECK(strstr(text, "propagated from namespace 4026531841"),
	      "foreign propagation of the crio event not named");
	CHECK(!strstr(text, "Foreign namespace"),
	      "last event is not foreign but explain says so");
	report(ok, "explain: propagation loop, numbers behind every line");

	/* the same log with only the foreign event */
	ok = true;
	in.ev = &ev[1];
	in.nev = 1;
	in.events_total = 1;
	free(text);
	out = open_memstream(&text, &len);
	mw_explain(out, &in);
	fclose(out);
	CHECK(strstr(text, "\nForeign namespace: the caller lives in namespace 4026531841 (host, pids 1,400 systemd),\n"),
	      "foreign caller not named");
	CHECK(strstr(text, "  700 mounted + 250 pending + 60 requested = 1010 > 1000: over by 10.\n"),
	      "sum wrong");
	CHECK(strstr(text, "  Even without the 250 pending copies it would not fit: 700 + 60 = 760 > 1000.\n") == NULL,
	      "760 fits in 1000");
	CHECK(strstr(text, "  The 250 pending copies made the difference: 700 + 60 = 760 alone fits;\n"),
	      "pending verdict missing");
	CHECK(!strstr(text, "All 40 checks"), "3 namespaces touched, not a self loop");
	report(ok, "explain: foreign namespace named with its processes");

	/* a namespace full on its own: no propagation talk */
	ok = true;
	in.ev = &ev[0];
	free(text);
	out = open_memstream(&text, &len);
	mw_explain(out, &in);
	fclose(out);
	CHECK(strstr(text, "  No copies were pending: the namespace is full with its own 900 mounts.\n"),
	      "no-pending verdict missing");
	CHECK(strstr(text, "Now: namespace 4026532300 is gone"), "gone not said");
	CHECK(strstr(text, "sysctl -w fs.mount-max=N with N >= 1001"), "raise advice missing");
	CHECK(!strstr(text, "Stop the loop"), "loop advice without a loop");
	CHECK(!strstr(text, "Propagation:"), "propagation without pending");
	report(ok, "explain: a namespace full on its own, gone since");

	/* the same failure with a live loop in its namespace now */
	{
		struct mw_mountinfo mi;
		struct mw_loops lp;

		ok = true;
		CHECK_INT(loops_of("mountinfo/self-bind", &mi, &lp), 0);
		in.loops_now = &lp;
		free(text);
		out = open_memstream(&text, &len);
		mw_explain(out, &in);
		fclose(out);
		CHECK(strstr(text, "  A live propagation loop is there now: peer group 1 at /mnt propagates into\n"
			     "  /mnt/a/sub beneath it (1 nested); one more mount on it lands on 2 mounts (mntwatch loops).\n"),
		      "live loop not named");
		CHECK(strstr(text, "Stop the loop"), "no loop advice for a live loop");
		in.loops_now = NULL;
		mw_loops_free(&lp);
		mw_mountinfo_free(&mi);
		report(ok, "explain: a live loop in the failing namespace is named");
	}

	free(text);
	free(ns);
	free(ev);
	mw_table_free(&ns_tbl);
	mw_table_free(&ev_tbl);
	mw_proc_free(&scan);
}

/* One fixture mountinfo through the parser and the loop finder. */
static int loops_of(const char *rel, struct mw_mountinfo *mi,
		    struct mw_loops *lp)
{
	if (mw_mountinfo_parse(mi, fixture(rel)))
		return -1;
	return mw_loops_find(mi, lp);
}

static void test_loops(void)
{
	struct mw_mountinfo mi;
	struct mw_loops lp;
	bool ok = true;

	CHECK_INT(loops_of("mountinfo/self-bind", &mi, &lp), 0);
	CHECK_INT(mi.n, 21);
	CHECK_INT(mi.mounts[20].id, 88);
	CHECK_STR(mi.mounts[20].root, "/a");
	CHECK_INT(mi.mounts[20].shared, 1);
	CHECK_INT(lp.nloops, 1);
	if (lp.nloops == 1) {
		CHECK_INT(lp.loops[0].group, 1);
		CHECK_STR(lp.loops[0].outer, "/mnt");
		CHECK_STR(lp.loops[0].inner, "/mnt/a/sub");
		CHECK_INT(lp.loops[0].nested, 1);
		CHECK_INT(lp.loops[0].factor, 2);
	}
	CHECK_INT(lp.ntop, 0);
	CHECK_INT(lp.max_repeat, 2);	/* /dev/shm, /dev/pts */
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: a shared tree bind-mounted inside itself");

	ok = true;
	CHECK_INT(loops_of("mountinfo/doubling", &mi, &lp), 0);
	CHECK_INT(lp.nloops, 1);
	if (lp.nloops == 1) {
		CHECK_STR(lp.loops[0].inner, "/mnt/a/sub");
		CHECK_INT(lp.loops[0].factor, 54);	/* grep -c "shared:1 " */
		CHECK_INT(lp.loops[0].nested, 53);	/* all but /mnt */
	}
	CHECK_INT(lp.ntop, 3);
	if (lp.ntop == 3) {
		CHECK_STR(lp.top[0].mountpoint, "/mnt/a/sub");
		CHECK_INT(lp.top[0].count, 20);
		CHECK_STR(lp.top[1].mountpoint, "/mnt/a/sub/sub");
		CHECK_INT(lp.top[1].count, 18);
		CHECK_INT(lp.top[2].count, 7);
	}
	CHECK_INT(lp.max_repeat, 20);
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: four binds into itself, the repeated mountpoints");

	ok = true;
	CHECK_INT(loops_of("mountinfo/slave-loop", &mi, &lp), 0);
	CHECK_INT(lp.nloops, 1);
	if (lp.nloops == 1) {
		CHECK_STR(lp.loops[0].inner, "/mnt/a/sub");
		CHECK_INT(lp.loops[0].factor, 2);
	}
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: a slave of the group beneath it");

	ok = true;
	CHECK_INT(loops_of("mountinfo/escaped", &mi, &lp), 0);
	CHECK_INT(lp.nloops, 1);
	if (lp.nloops == 1)
		CHECK_STR(lp.loops[0].inner, "/mnt/x\\040y/in\\040side");
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: escaped paths compare as paths");

	ok = true;
	CHECK_INT(loops_of("mountinfo/host-bind", &mi, &lp), 0);
	CHECK_INT(lp.nloops, 0);
	CHECK_INT(mi.mounts[mi.n - 1].shared, 1);
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	CHECK_INT(loops_of("mountinfo/container", &mi, &lp), 0);
	CHECK_INT(lp.nloops, 0);
	CHECK_INT(mi.mounts[mi.n - 1].master, 1);
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: none for peers elsewhere in the tree, slaves or private mounts");

	ok = true;
	CHECK_INT(mw_mountinfo_parse(&mi, strdup("22 1 0:21 / / rw shared:1 tmpfs\n")), -1);
	CHECK_INT(mw_mountinfo_parse(&mi, strdup("x 1 0:21 / / rw - tmpfs t rw\n")), -1);
	CHECK_INT(mw_mountinfo_parse(&mi, strdup("")), 0);
	CHECK_INT(mi.n, 0);
	mw_mountinfo_free(&mi);
	report(ok, "mountinfo: malformed lines refused, empty is empty");
}


/* --- the JSON reader: what it accepts, decodes and refuses */
static int json_of(const char *text, struct mw_json *doc)
{
	char err[160];

	return mw_json_parse(doc, text, strlen(text), err, sizeof(err));
}

static void test_json(void)
{
	struct mw_json doc;
	char buf[64], err[160];
	bool ok = true;
	int t;

	CHECK_INT(json_of(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {\"c\": \"d\"},"
			  " \"a\": \"last\"} \n", &doc), 0);
	CHECK(mw_json_get_string(&doc, 0, "a", buf, sizeof(buf)), "duplicate key");
	CHECK_STR(buf, "last");
	t = mw_json_get(&doc, 0, "b");
	CHECK(mw_json_get_string(&doc, t, "c", buf, sizeof(buf)), "nested member");
	CHECK_STR(buf, "d");
	CHECK_INT(mw_json_get(&doc, 0, "missing"), -1);
	CHECK_INT(mw_json_get(&doc, t, "c") > 0, 1);
	CHECK(!mw_json_get_string(&doc, 0, "b", buf, sizeof(buf)), "an object read as a string");
	CHECK_STR(buf, "");
	mw_json_free(&doc);
	CHECK_INT(json_of("[1, [2, [3]], {\"k\": [4]}, 5]", &doc), 0);
	CHECK_INT(doc.tok[0].count, 4);
	CHECK_INT(doc.tok[mw_json_index(&doc, 0, 3)].type, MW_JSON_NUMBER);
	CHECK_INT(mw_json_index(&doc, 0, 4), -1);
	mw_json_free(&doc);
	report(ok, "json: objects, arrays, literals, numbers, nesting, the last of a repeated key");

	ok = true;
	/* Go writes < > & as \u003c \u003e \u0026; a surrogate pair is one code point */
	CHECK_INT(json_of("[\"\\u003cnone\\u003e \\\"q\\\" \\\\ \\/ \\t\", \"\\ud83d\\ude00\", \"caf\\u00e9 \xc3\xa9\", \"\\u0000\"]", &doc), 0);
	CHECK(mw_json_string(&doc, mw_json_index(&doc, 0, 0), buf, sizeof(buf)), "escapes");
	CHECK_STR(buf, "<none> \"q\" \\ / \t");
	CHECK(mw_json_string(&doc, mw_json_index(&doc, 0, 1), buf, sizeof(buf)), "pair");
	CHECK_STR(buf, "\xf0\x9f\x98\x80");
	CHECK(mw_json_string(&doc, mw_json_index(&doc, 0, 2), buf, sizeof(buf)), "utf-8");
	CHECK_STR(buf, "caf\xc3\xa9 \xc3\xa9");
	CHECK(!mw_json_string(&doc, mw_json_index(&doc, 0, 3), buf, sizeof(buf)),
	      "a NUL made it into a C string");
	CHECK_STR(buf, "");
	CHECK(!mw_json_string(&doc, mw_json_index(&doc, 0, 2), buf, 5),
	      "a string cut short to fit");
	CHECK_STR(buf, "");
	mw_json_free(&doc);
	report(ok, "json: escapes, surrogate pairs and UTF-8 decoded; a NUL or a string too long refused, leaving nothing");

	ok = true;
	{
		static const char *const bad[] = {
			"", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}",
			"[1 2]", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"\\ud800\"",
			"\"\\udc00\\ud800\"", "\"\xff\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"",
			"\"a\tb\"", "01", "-", "1.", ".5", "1e", "+1", "tru", "nul",
			"[1] x", "{} {}", "NaN", "'a'", "[\"a\"\x01]",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(json_of(bad[i], &doc) == -1, "accepted: %s", bad[i]);
			CHECK(!doc.tok && !doc.ntok, "tokens left after a refusal");
		}
		/* a NUL byte inside is no JSON either */
		CHECK(mw_json_parse(&doc, "[\"a\0\"]", 6, err, sizeof(err)) == -1, "NUL accepted");
	}
	report(ok, "json: malformed input refused whole (trailing commas, bad escapes, lone surrogates, bad UTF-8, bad numbers, trailing text)");

	ok = true;
	{
		char deep[2 * MW_JSON_MAX_DEPTH + 8];
		int d;

		for (d = 0; d < MW_JSON_MAX_DEPTH; d++)
			deep[d] = '[';
		for (; d < 2 * MW_JSON_MAX_DEPTH; d++)
			deep[d] = ']';
		deep[d] = '\0';
		CHECK_INT(json_of(deep, &doc), 0);
		mw_json_free(&doc);
		memmove(deep + 1, deep, strlen(deep) + 1);
		deep[0] = '[';
		strcat(deep, "]");
		CHECK_INT(json_of(deep, &doc), -1);
		CHECK(mw_json_parse(&doc, "1", (size_t)MW_JSON_MAX_BYTES + 1, err, sizeof(err)) == -1,
		      "a file over the size cap accepted");
		CHECK(strstr(err, "larger than"), "%s", err);
	}
	report(ok, "json: nesting and size are capped");
}

static void test_escapes(void)
{
	char buf[64];
	bool ok = true;

	mw_unescape(buf, sizeof(buf), "/a\\040b\\011c\\134d");
	CHECK_STR(buf, "/a b\tc\\d");
	mw_unescape(buf, sizeof(buf), "\\055");
	CHECK_STR(buf, "-");
	mw_unescape(buf, sizeof(buf), "\\9x\\04");
	CHECK_STR(buf, "\\9x\\04");
	mw_escape(buf, sizeof(buf), "/a b\tc\\d\xc3\xa9");
	CHECK_STR(buf, "/a\\040b\\011c\\134d\\303\\251");
	mw_escape(buf, 12, "/abcdefghijklmnop");
	CHECK_STR(buf, "/abcdefg...");
	mw_escape(buf, 8, "      ");
	CHECK_STR(buf, "\\040...");
	report(ok, "escapes: mountinfo's \\ooo decoded, and written back for table cells, cut with ...");
}

static void test_event_columns(void)
{
	struct mw_table tbl;
	struct mw_event *ev = NULL;
	char err[160] = "", *text;
	bool ok = true;
	int n = -1;

	if (!mw_table_parse(&tbl, fixture("runtimes/debugfs/events"), err, sizeof(err)))
		n = mw_parse_events(&tbl, &ev, err, sizeof(err));
	CHECK_INT(n, 4);
	if (n == 4) {
		CHECK_STR(ev[1].syscall, "mount");
		CHECK_INT(ev[1].flags, 0x5000);
		CHECK_STR(ev[1].source, "/");
		CHECK_STR(ev[1].target, "/srv/docker/overlay2/9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a/merged/rootfs");
		CHECK_STR(ev[1].cgroup, "/");
		CHECK_INT(ev[0].flags, 0x1000);
		CHECK(mw_event_fallback(&ev[0]) && !strcmp(mw_event_fallback(&ev[0]), "runc-exe-bind"),
		      "runc's bind not told apart");
		CHECK(!mw_event_fallback(&ev[1]), "dockerd's bind taken for a fallback");
	}
	free(ev);
	mw_table_free(&tbl);

	/* escapes decoded, "-" unknown, \055 a dash; a module without them */
	text = strdup("time pid caller_ns max seq syscall flags source target cgroup\n"
		      "1.0 1 2 3 1 move_mount - \\055 /a\\040b\\012c /x/y...\n"
		      "2.0 1 2 3 2 - - - - -\n");
	CHECK(!mw_table_parse(&tbl, text, err, sizeof(err)), "%s", err);
	n = mw_parse_events(&tbl, &ev, err, sizeof(err));
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(ev[0].syscall, "move_mount");
		CHECK_INT(ev[0].flags, MW_NONE);
		CHECK_STR(ev[0].source, "-");
		CHECK_STR(ev[0].target, "/a b\nc");
		CHECK_STR(ev[0].cgroup, "/x/y...");
		CHECK_STR(ev[1].syscall, "");
		CHECK_STR(ev[1].source, "");
		CHECK(!mw_event_fallback(&ev[1]), "an event with nothing known is a fallback");
	}
	free(ev);
	ev = NULL;
	mw_table_free(&tbl);
	text = strdup("time pid caller_ns max flags\n1.0 1 2 3 5000\n");
	CHECK(!mw_table_parse(&tbl, text, err, sizeof(err)), "%s", err);
	CHECK_INT(mw_parse_events(&tbl, &ev, err, sizeof(err)), -1);
	CHECK_STR(err, "events line 2: bad flags '5000'");
	mw_table_free(&tbl);
	if (!mw_table_parse(&tbl, fixture("loop/debugfs/events"), err, sizeof(err)) &&
	    mw_parse_events(&tbl, &ev, err, sizeof(err)) == 3) {
		CHECK_STR(ev[2].syscall, "");
		CHECK_INT(ev[2].flags, MW_NONE);
		CHECK_STR(ev[2].target, "");
	} else {
		CHECK(0, "%s", err);
	}
	free(ev);
	mw_table_free(&tbl);
	report(ok, "events: syscall, flags, source, target, cgroup decoded; unknown without them");
}

#define DOCKER_CID "4d0c1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5"
#define DOCKER_LAYER "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a"

/* A pod spec's strings are user input: the labels of explain and check. */
static void test_label_escapes(void)
{
	struct mw_container c;
	char buf[2048];
	bool ok = true;
	size_t i;

	memset(&c, 0, sizeof(c));
	snprintf(c.id, sizeof(c.id), "%s", "7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c");
	snprintf(c.runtime, sizeof(c.runtime), "containerd");
	snprintf(c.name, sizeof(c.name), "c\x1b[2Jtr\nx");
	snprintf(c.image, sizeof(c.image), "img\r");
	snprintf(c.pod_namespace, sizeof(c.pod_namespace), "shop\r\x1b]0;t\x07");
	snprintf(c.pod_name, sizeof(c.pod_name), "web\x1b[31m-0\nline2");
	c.attempt = 3;
	c.has_attempt = true;
	mw_container_label(&c, false, buf, sizeof(buf));
	for (i = 0; buf[i]; i++)
		CHECK((unsigned char)buf[i] >= ' ' && buf[i] != 0x7f,
		      "control byte 0x%02x at %zu of \"%s\"", buf[i], i, buf);
	CHECK_STR(buf, "containerd container c?[2Jtr?x (7d7e7f808182, image img?, pod shop??]0;t?/web?[31m-0?line2, restart attempt 3)");
	mw_container_label(&c, true, buf, sizeof(buf));
	CHECK_STR(buf, "containerd:c?[2Jtr?x");
	c.name[0] = '\0';
	mw_container_label(&c, false, buf, sizeof(buf));
	CHECK_STR(buf, "containerd 7d7e7f808182 pod shop??]0;t?/web?[31m-0?line2, restart attempt 3");
	report(ok, "labels: ESC, CR and newline of a pod spec's names sanitized, the restart attempt named");
}

static void test_runtimes(void)
{
	struct mw_runtimes rt;
	struct mw_cgroup_info cg;
	struct mw_container c;
	const struct mw_container *cp;
	char proc[4096];
	bool ok = true;

	snprintf(proc, sizeof(proc), "%s/runtimes/proc", fixtures);
	mw_runtimes_init(&rt, proc);
	CHECK(mw_runtime_lookup(&rt, "docker", DOCKER_CID, &c), "docker container not found");
	CHECK_STR(c.name, "my-mount-max");
	CHECK_STR(c.image, "busybox");
	CHECK_STR(c.runtime, "docker");
	CHECK_STR(c.source, "config.v2.json");
	CHECK_INT(rt.daemons[MW_RT_docker].pid, 300);
	CHECK_STR(rt.daemons[MW_RT_docker].dir, "/srv/docker");	/* from dockerd's --data-root */
	CHECK(!mw_runtime_lookup(&rt, "docker", "0000000000000000000000000000000000000000000000000000000000000000", &c),
	      "a removed container named");
	CHECK_STR(c.id, "");
	CHECK(!mw_runtime_lookup(&rt, NULL, "../../etc", &c), "a path taken for an id");
	report(ok, "runtimes: docker's config.v2.json under dockerd's --data-root, through its /proc root");

	ok = true;
	cp = mw_path_container(&rt, "/srv/docker/overlay2/" DOCKER_LAYER "/merged/rootfs");
	CHECK(cp && !strcmp(cp->name, "my-mount-max"), "overlay2 layer not mapped");
	cp = mw_path_container(&rt, "/srv/docker/overlay2/" DOCKER_LAYER "-init/diff");
	CHECK(cp && !strcmp(cp->id, DOCKER_CID), "init layer not mapped");
	cp = mw_path_container(&rt, "/run/docker/runtime-runc/moby/" DOCKER_CID "/runc.Xk2J9a");
	CHECK(cp && !strcmp(cp->name, "my-mount-max"), "runc's state directory not mapped");
	CHECK(!mw_path_container(&rt, "/srv/docker/overlay2/ffff/merged"), "an unknown layer named");
	CHECK(!mw_path_container(&rt, "/var/lib/docker/overlay2/" DOCKER_LAYER "/merged"),
	      "the default data-root used although dockerd has another");
	CHECK(!mw_path_container(&rt, "relative/path"), "a relative path named");
	report(ok, "runtimes: a mount target mapped to its container (overlay2 layer, init layer, runc's state)");

	ok = true;
	memset(&cg, 0, sizeof(cg));
	mw_cgroup_parse("0::/libpod_parent/libpod-5a5b5c5d5e5f60616263646566676869707172737475767778797a7b7c7d7e7f\n", &cg);
	CHECK(mw_runtime_from_cgroup(&rt, &cg, &c), "podman container not found");
	CHECK_STR(c.runtime, "podman");
	CHECK_STR(c.name, "web");
	CHECK_STR(c.image, "docker.io/library/nginx:latest");
	CHECK_STR(c.source, "containers.json");
	cp = mw_path_container(&rt, "/var/lib/containers/storage/overlay/1111111111111111111111111111111111111111111111111111111111111111/merged");
	CHECK(cp && !strcmp(cp->name, "web"), "podman layer not mapped");
	CHECK(mw_runtime_lookup(&rt, NULL, "6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b", &c),
	      "cri-o container not found");
	CHECK_STR(c.runtime, "crio");
	CHECK_STR(c.name, "app");
	CHECK_STR(c.pod_namespace, "shop");
	CHECK_STR(c.pod_name, "shop-web-6b7c8d9f4-abcde");
	CHECK_STR(c.image, "quay.io/shop/app:2.1");
	CHECK_STR(c.source, "config.json");
	report(ok, "runtimes: podman from containers.json, CRI-O from its bundle's annotations");

	ok = true;
	memset(&cg, 0, sizeof(cg));
	mw_cgroup_parse("0::/default/t1\n", &cg);
	CHECK_STR(cg.path, "/default/t1");
	CHECK(mw_runtime_from_cgroup(&rt, &cg, &c), "ctr's container not found");
	CHECK_STR(c.id, "t1");
	CHECK_STR(c.runtime, "containerd");
	CHECK_STR(c.ctr_namespace, "default");
	CHECK_STR(c.name, "");
	cp = mw_cgroup_container(&rt, "/kubepods/besteffort/pod3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f/7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c");
	CHECK(cp && !strcmp(cp->name, "cache") && !strcmp(cp->pod_name, "cache-7c9f8d6b5-x2kq4") &&
	      !strcmp(cp->pod_namespace, "payments") && !strcmp(cp->image, "docker.io/library/redis:7") &&
	      !strcmp(cp->ctr_namespace, "k8s.io") && !strcmp(cp->pod_uid, "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f"),
	      "CRI container not named from its annotations");
	/* a container gone since: runtime and id from the cgroup, no name */
	cp = mw_cgroup_container(&rt, "/docker/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	CHECK(cp && !strcmp(cp->runtime, "docker") && !cp->name[0] && !cp->source,
	      "a removed container's cgroup names no runtime and id");
	/* ctr's task deleted with its bundle: named by the cgroup alone */
	cp = mw_cgroup_container(&rt, "/default/restart-loop");
	CHECK(cp && !strcmp(cp->id, "restart-loop") && !strcmp(cp->runtime, "containerd") &&
	      !strcmp(cp->ctr_namespace, "default") && !cp->source,
	      "a containerd container whose task is gone not named by its cgroup");
	CHECK(!mw_cgroup_container(&rt, "/system.slice/cron.service"), "a service taken for a container");
	CHECK(!mw_cgroup_container(&rt, "/default/../k8s.io"), "a path outside containerd's namespaces named");
	CHECK(!mw_cgroup_container(&rt, "/"), "the root cgroup taken for a container");
	report(ok, "runtimes: containerd by cgroup (ctr's /<namespace>/<id>, CRI's annotations); a removed container by runtime and id");

	/* the CRI plugin's sandbox shm, mounted before any task (runp's ENOSPC) */
	ok = true;
	cp = mw_path_container(&rt, "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
			       "7d7e7f808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c/shm");
	CHECK(cp && !strcmp(cp->pod_name, "cache-7c9f8d6b5-x2kq4") && !strcmp(cp->kind, "sandbox") &&
	      cp->source, "a sandbox's shm not named by its bundle");
	cp = mw_path_container(&rt, "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/"
			       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/hostname");
	CHECK(cp && !strcmp(cp->runtime, "containerd") && !strcmp(cp->kind, "sandbox") &&
	      !strcmp(cp->id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") &&
	      !cp->source, "a sandbox gone from disk not named by its directory");
	CHECK(!mw_path_container(&rt, "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/../x"),
	      "a path outside the sandboxes taken for one");
	report(ok, "runtimes: containerd's CRI sandbox directories (root and state) name the sandbox, gone or not");

	ok = true;
	mw_docker_version(&rt);
	CHECK_STR(rt.docker_version, "20.10.24");
	CHECK_STR(rt.docker_how, "dpkg: docker.io 20.10.24+dfsg1-1+deb12u1 installed /usr/sbin/dockerd, the executable of dockerd pid 300");
	CHECK_INT(mw_version_at_least(rt.docker_version, 24, 0), 0);
	CHECK_INT(mw_version_at_least("24.0.7", 24, 0), 1);
	CHECK_INT(mw_version_at_least("25.0", 24, 0), 1);
	CHECK_INT(mw_version_at_least("v24", 24, 0), -1);
	mw_runtimes_free(&rt);
	/* no dockerd at all: said so */
	snprintf(proc, sizeof(proc), "%s/proc", fixtures);
	mw_runtimes_init(&rt, proc);
	mw_docker_version(&rt);
	CHECK_STR(rt.docker_version, "");
	CHECK_STR(rt.docker_how, "no dockerd process");
	mw_runtimes_free(&rt);
	report(ok, "runtimes: dockerd's version from the dpkg package that owns its executable");
}

static void test_rows_at(void)
{
	struct mw_table tbl;
	struct mw_ns *ns = NULL;
	struct mw_procscan scan;
	const struct mw_ns *row;
	char err[160], path[4096];
	bool ok = true;
	int n = -1;

	if (!mw_table_parse(&tbl, fixture("runtimes/debugfs/namespaces"), err, sizeof(err)))
		n = mw_parse_namespaces(&tbl, &ns, err, sizeof(err));
	CHECK_INT(n, 6);
	snprintf(path, sizeof(path), "%s/runtimes/proc", fixtures);
	CHECK(!mw_proc_scan(path, false, &scan), "scan");
	if (n == 6) {
		/* runc's namespace had the number first and is gone */
		row = mw_row_at(ns, n, 4026532301ULL, MW_NONE);
		CHECK(row && !strcmp(row->state, "live"), "the live row is not the one now");
		row = mw_row_at(ns, n, 4026532301ULL, 1795742980250000LL);
		CHECK(row && !strcmp(row->state, "live"), "the live row is not the one at the failure");
		row = mw_row_at(ns, n, 4026532301ULL, 1795742899500000LL);
		CHECK(row && !strcmp(row->state, "gone"), "before the container was born, its number was runc's");
		CHECK(mw_who_at(&scan, ns, n, 4026532301ULL, 1795742980250000LL), "the container hidden");
		CHECK(!mw_who_at(&scan, ns, n, 4026532301ULL, 1795742899500000LL),
		      "the container named for a namespace of before its birth");
		CHECK(mw_who_now(&scan, ns, n, 4026532301ULL), "the container hidden now");
		CHECK(!mw_who_now(&scan, ns, n, 4026532400ULL), "a gone helper names someone");
	}
	mw_proc_free(&scan);
	free(ns);
	mw_table_free(&tbl);
	report(ok, "rows: a live namespace is not hidden behind a gone row of the same number");
}

static void test_explain_docker(void)
{
	struct mw_table ns_tbl, ev_tbl, g_tbl;
	struct mw_ns *ns = NULL;
	struct mw_event *ev = NULL;
	struct mw_growth *g = NULL;
	struct mw_procscan scan;
	struct mw_runtimes rt;
	struct mw_mountinfo mi;
	struct mw_loops lp;
	struct mw_explain_in in = { 0 };
	char err[160], path[4096], *text = NULL;
	size_t len = 0;
	FILE *out;
	bool ok = true;
	int i;

	mw_table_parse(&ns_tbl, fixture("runtimes/debugfs/namespaces"), err, sizeof(err));
	mw_table_parse(&ev_tbl, fixture("runtimes/debugfs/events"), err, sizeof(err));
	mw_table_parse(&g_tbl, fixture("runtimes/debugfs/growth"), err, sizeof(err));
	in.nns = mw_parse_namespaces(&ns_tbl, &ns, err, sizeof(err));
	in.nev = mw_parse_events(&ev_tbl, &ev, err, sizeof(err));
	in.ngrowth = mw_parse_growth(&g_tbl, &g, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/runtimes/proc", fixtures);
	mw_proc_scan(path, false, &scan);
	mw_runtimes_init(&rt, path);
	for (i = 0; i < scan.nwho; i++)
		mw_runtime_from_cgroup(&rt, &scan.who[i].cg, &scan.who[i].ctr);
	CHECK_INT(loops_of("runtimes/proc/1234/mountinfo", &mi, &lp), 0);
	for (i = 0; i < lp.nloops; i++)
		lp.loops[i].fed_by = 4026531841ULL;
	in.ns = ns;
	in.ev = ev;
	in.growth = g;
	in.events_total = 4;
	in.scan = &scan;
	in.rt = &rt;
	in.loops_now = &lp;
	in.now_us = 1795743000000000LL;
	out = open_memstream(&text, &len);
	mw_explain(out, &in);
	fclose(out);
	static const char *const want[] = {
		"3 of them runc's silent fallback, which no command reported (see below).",
		"The failure a command reported, 2026-11-27 01:29:40 (19s ago):",
		"  dockerd (pid 300), in namespace 4026531841 (host, pids 1,300,310 init),",
		"  asked for 26 mounts in namespace 4026532301 (docker container my-mount-max (4d0c1e2f3a4b, image busybox), pid 1234 sleep).",
		"  The call: mount(\"/\", \"/srv/docker/overlay2/" DOCKER_LAYER "/merged/rootfs\", flags 0x5000 MS_BIND|MS_REC)",
		"  Its target lies in the files of docker container my-mount-max (4d0c1e2f3a4b, image busybox).",
		"  222 mounted + 78 pending + 26 requested = 326 > 300: over by 26.",
		"  The step that failed would have taken it from 222 to about 418 mounts (x1.88",
		"  it grew x1.79 to x1.88 per step.",
		"  which is live: not a restart loop (its namespace did not come and go); its mounts",
		"  the container's root is a slave of that mount (peer group 11, whose member lives in",
		"  This dockerd is 20.10.24 (dpkg: docker.io 20.10.24+dfsg1-1+deb12u1 installed /usr/sbin/dockerd, the executable of dockerd pid 300).",
		"  Docker 24.0 fixed it (moby PR #44210): docker cp works in a mount namespace of its own.",
		"Silent fallbacks: 3 of the 4 events were runc init binding its own binary",
		"Now: namespace 4026532301 is live: 222 mounts of 300 (74.0%), peak 222, 4 ENOSPC so far.",
		"  - Upgrade docker to 24.0 or later; until then, do not docker cp into a container that has /",
	};
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		char line[512];

		snprintf(line, sizeof(line), "\n%s\n", want[k]);
		CHECK(strstr(text, line), "missing line: %s", want[k]);
	}
	CHECK(!strstr(text, "restart loop:"), "called a restart loop");
	CHECK(!strstr(text, "No process in /proc lives in it"), "the container's sleep not seen");
	CHECK(!strstr(text, "Last failure"), "a fallback reported as the failure");
	report(ok, "explain: the docker cp incident, dockerd's failure, the container named, the fix");
	free(text);
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	mw_runtimes_free(&rt);
	mw_proc_free(&scan);
	free(ns);
	free(ev);
	free(g);
	mw_table_free(&ns_tbl);
	mw_table_free(&ev_tbl);
	mw_table_free(&g_tbl);
}

static void test_fed_loop(void)
{
	struct mw_mountinfo mi;
	struct mw_loops lp;
	bool ok = true;
	int i, found = -1;

	CHECK_INT(loops_of("runtimes/proc/1234/mountinfo", &mi, &lp), 0);
	for (i = 0; i < lp.nloops; i++)
		if (lp.loops[i].group == 11)
			found = i;
	CHECK(found >= 0, "the loop on docker's overlay mount not found");
	if (found >= 0) {
		CHECK_STR(lp.loops[found].outer, "/");
		CHECK_STR(lp.loops[found].inner, "/rootfs/srv/docker/overlay2/" DOCKER_LAYER "/merged");
		CHECK_INT(lp.loops[found].members, 0);
		CHECK_INT(lp.loops[found].factor, 8);	/* grep -c master:11 */
		CHECK_INT(lp.loops[found].nested, 7);
	}
	mw_loops_free(&lp);
	mw_mountinfo_free(&mi);
	report(ok, "loops: receivers that are slaves of a group whose member lives in another namespace");
}

/* A fixture's tables, as cmd_explain reads them, for the stories. */
struct fx_case {
	struct mw_table ns_tbl, ev_tbl, g_tbl;
	struct mw_ns *ns;
	struct mw_event *ev;
	struct mw_growth *g;
	struct mw_procscan scan;
	struct mw_runtimes rt;
	char proc[4096], root[4096];
	struct mw_explain_in in;
};

static void fx_load(struct fx_case *f, const char *dir)
{
	char rel[512], err[160];

	memset(f, 0, sizeof(*f));
	snprintf(rel, sizeof(rel), "%s/debugfs/namespaces", dir);
	mw_table_parse(&f->ns_tbl, fixture(rel), err, sizeof(err));
	snprintf(rel, sizeof(rel), "%s/debugfs/events", dir);
	mw_table_parse(&f->ev_tbl, fixture(rel), err, sizeof(err));
	snprintf(rel, sizeof(rel), "%s/%s/debugfs/growth", fixtures, dir);
	if (!access(rel, R_OK)) {	/* an older module kept no growth */
		snprintf(rel, sizeof(rel), "%s/debugfs/growth", dir);
		mw_table_parse(&f->g_tbl, fixture(rel), err, sizeof(err));
	}
	f->in.nns = mw_parse_namespaces(&f->ns_tbl, &f->ns, err, sizeof(err));
	f->in.nev = mw_parse_events(&f->ev_tbl, &f->ev, err, sizeof(err));
	if (f->g_tbl.text)
		f->in.ngrowth = mw_parse_growth(&f->g_tbl, &f->g, err, sizeof(err));
	snprintf(f->proc, sizeof(f->proc), "%s/%s/proc", fixtures, dir);
	mw_proc_scan(f->proc, false, &f->scan);
	mw_runtimes_init(&f->rt, f->proc);
	for (int i = 0; i < f->scan.nwho; i++)
		mw_runtime_from_cgroup(&f->rt, &f->scan.who[i].cg,
				       &f->scan.who[i].ctr);
	mw_sysroot_of(f->proc, f->root, sizeof(f->root));
	f->in.ns = f->ns;
	f->in.ev = f->ev;
	f->in.growth = f->g;
	f->in.scan = &f->scan;
	f->in.rt = &f->rt;
	f->in.sysroot = f->root;
	f->in.events_total = f->in.nev;
}

static void fx_free(struct fx_case *f)
{
	mw_runtimes_free(&f->rt);
	mw_proc_free(&f->scan);
	free(f->ns);
	free(f->ev);
	free(f->g);
	mw_table_free(&f->ns_tbl);
	mw_table_free(&f->ev_tbl);
	mw_table_free(&f->g_tbl);
}

/* The names of the stories that fit, comma-joined. */
static void matched(const struct mw_explain_in *in, char *buf, size_t len)
{
	struct mw_case c;
	size_t used = 0;

	mw_case_read(&c, in, 0);
	buf[0] = '\0';
	for (int i = 0; i < c.nmatched && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? "," : "",
				 c.matched[i]->name);
}

/*
 * The accounting audit on a recorded table (fixtures/audit): no kernel here
 * has an accounting bug, so the drifting and the wrapped counter are
 * written by hand against the processes of fixtures/proc.
 */
/* containerd's meta.db in the CRI restart loop, and its failed container */
#define CRI_LOOP_META "real/cri-loop/proc/180/root/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db"
#define CRI_LOOP_FAILED "99631641bc10e9c1b9904d4ef7e5970bb4d9029364771f2da3e0ece32cee883b"
#define CRI_LOOP_SANDBOX "f4df80c4816c0b6550e33cc9c614a26336fc7ffa0ffafc161fa9cc7e98ee62de"

/* a protobuf Any of @json as containerd's metadata store keeps it */
static size_t cri_any(char *buf, const char *json)
{
	static const char url[] = "github.com/containerd/cri/pkg/store/container/Metadata";
	size_t n = 0, len = strlen(json);

	buf[n++] = 0x0a;
	buf[n++] = sizeof(url) - 1;
	memcpy(buf + n, url, sizeof(url) - 1);
	n += sizeof(url) - 1;
	buf[n++] = 0x12;
	buf[n++] = (char)(0x80 | (len & 0x7f));
	buf[n++] = (char)(len >> 7);
	memcpy(buf + n, json, len);
	return n + len;
}

static void test_cri_meta(void)
{
	char any[4096], path[4096], *db;
	struct mw_cri_meta m;
	size_t n, len, i;
	bool ok = true;

	n = cri_any(any, "{\"Version\":\"v1\",\"Metadata\":{\"ID\":\"x\",\"Name\":\"loop_restart-loop_shop_u_3\","
		    "\"Config\":{\"metadata\":{\"name\":\"loop\",\"attempt\":3},\"image\":{\"image\":\"b\"}},\"LogPath\":\"\"}}"
		    "                                                                                ");
	CHECK(mw_cri_meta_any(any, n, &m), "a whole record not read");
	CHECK_STR(m.name, "loop");
	CHECK_INT(m.attempt, 3);
	/* Go's JSON leaves out an attempt of 0 */
	n = cri_any(any, "{\"Version\":\"v1\",\"Metadata\":{\"Config\":{\"metadata\":{\"name\":\"web\"}}}}"
		    "                                                                                          ");
	CHECK(mw_cri_meta_any(any, n, &m) && m.attempt == 0, "attempt 0 omitted: not 0");
	n = cri_any(any, "{\"Version\":\"v1\",\"Metadata\":{\"Config\":{\"metadata\":{\"name\":\"web\",\"attempt\":-1}}}}"
		    "                                                                              ");
	CHECK(!mw_cri_meta_any(any, n, &m), "a negative attempt taken");
	n = cri_any(any, "{\"Version\":\"v1\",\"Metadata\":{\"Config\":{}}}"
		    "                                                                                                    ");
	CHECK(!mw_cri_meta_any(any, n, &m), "a record without Config.metadata taken");
	CHECK(!mw_cri_meta_any(any, n - 20, &m), "a cut Any taken");
	CHECK(!mw_cri_meta_any("\x12\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12, &m), "an endless varint taken");
	CHECK(!mw_cri_meta_any("\x0b\x01", 2, &m), "a group wire type taken");
	CHECK(!mw_cri_meta_any("", 0, &m), "nothing taken");
	report(ok, "cri_meta: the CRI's metadata in a protobuf Any: name and attempt, 0 when Go omits it; cut or odd bytes refused");

	ok = true;
	snprintf(path, sizeof(path), "%s/%s", fixtures, CRI_LOOP_META);
	db = mw_read_file(path, &len);
	CHECK(db, "no %s", path);
	/* crictl inspect: loop, attempt 5; inspectp: restart-loop, attempt 0 */
	CHECK(db && mw_cri_meta(db, len, CRI_LOOP_FAILED, &m), "the failed container not found");
	CHECK_STR(m.name, "loop");
	CHECK_STR(m.kind, "container");
	CHECK_INT(m.attempt, 5);
	CHECK(db && mw_cri_meta(db, len, CRI_LOOP_SANDBOX, &m), "the sandbox not found");
	CHECK_STR(m.name, "restart-loop");
	CHECK_STR(m.kind, "sandbox");
	CHECK_INT(m.attempt, 0);
	report(ok, "cri_meta: containerd 1.6.20's meta.db (cri-loop): the failed container loop at attempt 5, its sandbox at 0, as crictl inspect and inspectp say");

	ok = true;
	for (i = 0; db && i < len; i += 97) {
		char saved = db[i];

		/* every record read from a damaged file is still a whole one */
		db[i] = (char)(saved ^ 0x5a);
		if (mw_cri_meta(db, len, CRI_LOOP_FAILED, &m))
			CHECK(m.attempt >= 0 && m.attempt < 100 && m.name[0], "byte %zu: attempt %" PRId64, i, m.attempt);
		db[i] = saved;
		if (i < 8192)
			mw_cri_meta(db, i, CRI_LOOP_FAILED, &m);
	}
	CHECK(db && !mw_cri_meta(db, 4096, CRI_LOOP_FAILED, &m), "a cut meta.db named the container");
	CHECK(db && !mw_cri_meta(db, len, "../" CRI_LOOP_FAILED, &m), "an id of no container named");
	free(db);
	report(ok, "cri_meta: a damaged or cut meta.db: no crash, no record unless whole");
}

static void test_audit(void)
{
	static const char *const want[] = { "ok", "drift:+3", "wrapped", NULL };
	struct mw_table tbl = { 0 };
	struct mw_procscan scan;
	struct mw_ns *rows = NULL;
	char dir[2048], path[4096], err[160] = "", word[32];
	const char *got;
	struct mw_audit a;
	bool ok = true;
	char *text;
	int n, i;

	snprintf(dir, sizeof(dir), "%s/audit/debugfs", fixtures);
	snprintf(path, sizeof(path), "%s/namespaces", dir);
	text = mw_read_file(path, NULL);
	CHECK(text && !mw_table_parse(&tbl, text, err, sizeof(err)), "table: %s", err);
	n = mw_parse_namespaces(&tbl, &rows, err, sizeof(err));
	CHECK_INT(n, 4);
	snprintf(path, sizeof(path), "%s/proc", fixtures);
	CHECK(!mw_proc_scan(path, false, &scan), "scan failed");
	mw_audit_namespaces(rows, n, &scan, path, dir);
	for (i = 0; i < n && i < 4; i++) {
		got = mw_audit_word(&rows[i].audit, word, sizeof(word));
		CHECK(want[i] ? got && !strcmp(got, want[i]) : !got,
		      "namespace %" PRIu64 ": %s, want %s", rows[i].ns,
		      got ? got : "(none)", want[i] ? want[i] : "(none)");
	}
	if (n == 4) {
		CHECK_INT(rows[1].audit.counter, 497);
		CHECK_INT(rows[1].audit.counted, 494);
		CHECK(mw_audit_is_bug(&rows[1].audit) &&
		      mw_audit_is_bug(&rows[2].audit) &&
		      !mw_audit_is_bug(&rows[0].audit), "bugs are drift and wrapped");
	}
	/* read twice around the count: moved, it is churn, never drift */
	mw_audit_classify(&a, 40, 0, 38, 41, 0);
	CHECK_INT(a.verdict, MW_AUDIT_CHURN);
	mw_audit_classify(&a, 40, 2, 40, 40, 0);
	CHECK_INT(a.verdict, MW_AUDIT_CHURN);
	mw_audit_classify(&a, 40, 2, 40, 40, 2);
	CHECK_STR(mw_audit_word(&a, word, sizeof(word)), "leak:2");
	mw_audit_classify(&a, 40, 0, 43, 40, 0);
	CHECK_STR(mw_audit_word(&a, word, sizeof(word)), "drift:-3");
	mw_audit_classify(&a, 40, 0, MW_NONE, 40, 0);
	CHECK_INT(a.verdict, MW_AUDIT_NONE);
	CHECK(mw_audit_wrapped(4294967295LL, 0) && mw_audit_wrapped(5, 4294967290LL) &&
	      !mw_audit_wrapped(99999, 1) && !mw_audit_wrapped(MW_NONE, 0),
	      "wrapped counters as count_mounts() sees them");
	free(rows);
	mw_table_free(&tbl);
	mw_proc_free(&scan);
	report(ok, "audit: ok, drift and wrapped on a recorded table; churn is no drift; leak");
}

static void test_story_match(void)
{
	struct fx_case f;
	char got[256];
	bool ok = true;

	fx_load(&f, "loop");
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "loop-in-place");
	f.in.ev = &f.ev[1];
	f.in.nev = 1;
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "loop-in-place,foreign-namespace");
	f.in.ev = &f.ev[0];
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "big-namespace");
	fx_free(&f);
	fx_load(&f, "lowered");
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "lowered-limit");
	fx_free(&f);
	fx_load(&f, "real/docker");
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "docker-cp,runc-fallback");
	fx_free(&f);
	fx_load(&f, "real/podman");
	matched(&f.in, got, sizeof(got));
	CHECK_STR(got, "restart-loop,loop-in-place");
	fx_free(&f);
	report(ok, "stories: which fit the loop, the foreign event, a namespace full on its own, a lowered limit, docker cp, a restart loop");
}

/* sysctl.d(5): sorted by name across directories, /etc hides /usr/lib, sysctl.conf last */
static void test_sysctl_conf(void)
{
	struct mw_sysctl_set set;
	char root[4096];
	bool ok = true;

	snprintf(root, sizeof(root), "%s/lowered", fixtures);
	CHECK(mw_sysctl_setting(root, "fs.mount-max", &set), "fs.mount-max not found");
	CHECK_STR(set.file, "/etc/sysctl.d/90-mount-max.conf");
	CHECK_INT(set.line, 2);
	CHECK_STR(set.value, "10");
	CHECK(mw_sysctl_setting(root, "kernel.pid_max", &set), "kernel.pid_max not found");
	CHECK_STR(set.file, "/usr/lib/sysctl.d/50-pid-max.conf");
	CHECK_STR(set.value, "4194304");
	CHECK(!mw_sysctl_setting(root, "fs.nr_open", &set), "a key no file sets found");
	mw_sysroot_of("/proc", root, sizeof(root));
	CHECK_STR(root, "");
	mw_sysroot_of("a/b/proc", root, sizeof(root));
	CHECK_STR(root, "a/b");
	report(ok, "sysctl.d: the file and line that set a key at boot, in systemd-sysctl's order");
}

/* fix --apply's refusals: a step acts only on what the plan was made from */
static void test_fix_checks(void)
{
	struct mw_fix fix;
	char proc[4096], root[4096], err[512];
	bool ok = true;

	snprintf(proc, sizeof(proc), "%s/lowered/proc", fixtures);
	mw_sysroot_of(proc, root, sizeof(root));
	memset(&fix, 0, sizeof(fix));
	fix.kind = MW_FIX_MOUNT;
	fix.pid = 177;
	fix.ns = 4026531841ULL;
	snprintf(fix.path, sizeof(fix.path), "/run/lock");
	CHECK(mw_fix_check(&fix, proc, root, err, sizeof(err)), "refused: %s", err);
	fix.ns = 4026532179ULL;
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "pid in another namespace accepted");
	CHECK_STR(err, "pid 177 no longer lives in mount namespace 4026532179");
	fix.ns = 4026531841ULL;
	fix.pid = 4242;
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "a dead pid accepted");
	fix.pid = 1;
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "pid 1 accepted");
	fix.pid = 177;
	snprintf(fix.path, sizeof(fix.path), "/run/lock/sub");
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "a path that is no mount accepted");
	CHECK_STR(err, "/run/lock/sub is no longer a mount in namespace 4026531841");
	memset(&fix, 0, sizeof(fix));
	fix.kind = MW_FIX_CONF;
	snprintf(fix.key, sizeof(fix.key), "fs.mount-max");
	snprintf(fix.file, sizeof(fix.file), "/etc/sysctl.d/90-mount-max.conf");
	fix.line = 2;
	fix.from = 10;
	CHECK(mw_fix_check(&fix, proc, root, err, sizeof(err)), "refused: %s", err);
	fix.from = 20;
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "a line that changed accepted");
	CHECK_STR(err, "/etc/sysctl.d/90-mount-max.conf line 2 no longer sets fs.mount-max = 20");
	fix.line = 0;
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "a file of ours that exists accepted");
	memset(&fix, 0, sizeof(fix));
	fix.kind = MW_FIX_SYSCTL;
	snprintf(fix.key, sizeof(fix.key), "fs.mount-max");
	CHECK(mw_fix_check(&fix, proc, root, err, sizeof(err)), "refused: %s", err);
	snprintf(fix.key, sizeof(fix.key), "fs.no-such-limit");
	CHECK(!mw_fix_check(&fix, proc, root, err, sizeof(err)), "an unreadable sysctl accepted");
	report(ok, "fix --apply: refuses a pid gone or in another namespace, pid 1, a path no longer a mount, a changed line");
}

int main(int argc, char **argv)
{
	const char *start = getenv("TAP_START");

	if (argc > 1)
		fixtures = argv[1];
	test_no = start ? atoi(start) - 1 : 0;
	test_namespaces();
	test_reordered();
	test_events();
	test_bad_tables();
	test_status();
	test_numbers();
	test_cgroups();
	test_cgroup_junk();
	test_proc_scan();
	test_explain();
	test_loops();
	test_json();
	test_escapes();
	test_event_columns();
	test_label_escapes();
	test_runtimes();
	test_rows_at();
	test_fed_loop();
	test_explain_docker();
	test_story_match();
	test_audit();
	test_cri_meta();
	test_sysctl_conf();
	test_fix_checks();
	return failed ? 1 : 0;
}
