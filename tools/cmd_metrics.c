// SPDX-License-Identifier: GPL-2.0
/* mntwatch metrics: the Prometheus text exposition, to stdout or a file. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "data.h"
#include "explain_data.h"
#include "loops.h"
#include "output.h"
#include "table.h"
#include "util.h"
#include "who.h"
#include "whocols.h"

/* Prometheus label values: backslash, quote and newline escaped. */
static void prom_label(FILE *out, const char *name, const char *value,
		       bool first)
{
	fprintf(out, "%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', out);
		if (*value == '\n')
			fputs("\\n", out);
		else if ((unsigned char)*value < ' ' || *value == 0x7f)
			/* the format escapes nothing else: no ESC, CR to a terminal */
			fputc('?', out);
		else
			fputc(*value, out);
	}
	fputc('"', out);
}

struct metric {
	const char *name, *type, *help;
	int64_t (*get)(const struct mw_ns *ns, const struct mw_who *who);
	bool scale_permille;	/* a ratio: value / 1000 */
};

static int64_t m_mounts(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->mounts; }
static int64_t m_pending(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->pending; }
static int64_t m_max(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->max; }
static int64_t m_use(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->use_permille; }
static int64_t m_peak(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->peak; }
static int64_t m_checks(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->checks; }
static int64_t m_enospc(const struct mw_ns *ns, const struct mw_who *who) { (void)who; return ns->enospc; }
static int64_t m_procs(const struct mw_ns *ns, const struct mw_who *who) { (void)ns; return who ? who->npids : 0; }
static int64_t m_last_fail(const struct mw_ns *ns, const struct mw_who *who)
{
	(void)who;
	return ns->last_fail_us == MW_NONE ? MW_NONE : ns->last_fail_us / 1000000;
}

/* the audit's: none for a namespace not audited, nor, for drift, churning */
static int64_t m_audit_bug(const struct mw_ns *ns, const struct mw_who *who)
{
	(void)who;
	return ns->audit.verdict == MW_AUDIT_NONE ? MW_NONE :
	       mw_audit_is_bug(&ns->audit);
}

static int64_t m_audit_drift(const struct mw_ns *ns, const struct mw_who *who)
{
	(void)who;
	return ns->audit.verdict == MW_AUDIT_NONE ||
	       ns->audit.verdict == MW_AUDIT_CHURN ? MW_NONE :
	       ns->audit.counter - ns->audit.counted;
}

static const struct metric ns_metrics[] = {
	{ "mntwatch_namespace_mounts", "gauge", "Mounts in the mount namespace.", m_mounts, false },
	{ "mntwatch_namespace_pending_mounts", "gauge", "Copies reserved in the namespace by an attach under way.", m_pending, false },
	{ "mntwatch_namespace_mount_max", "gauge", "fs.mount-max, the per-namespace mount limit.", m_max, false },
	{ "mntwatch_namespace_use_ratio", "gauge", "(mounts + pending) / mount_max.", m_use, true },
	{ "mntwatch_namespace_peak_mounts", "gauge", "Most mounts seen in the namespace since the module was loaded.", m_peak, false },
	{ "mntwatch_namespace_limit_checks_total", "counter", "Mount limit checks for the namespace.", m_checks, false },
	{ "mntwatch_namespace_enospc_total", "counter", "Mount limit checks that failed with ENOSPC.", m_enospc, false },
	{ "mntwatch_namespace_last_enospc_timestamp_seconds", "gauge", "Time of the last ENOSPC in the namespace.", m_last_fail, false },
	{ "mntwatch_namespace_processes", "gauge", "Processes living in the namespace.", m_procs, false },
	{ "mntwatch_namespace_accounting_bug", "gauge", "1: the kernel's mount counter drifted from mountinfo, wrapped, or left pending copies (a kernel bug, not a full namespace).", m_audit_bug, false },
	{ "mntwatch_namespace_accounting_drift", "gauge", "The kernel's mount counter minus the mounts mountinfo shows in the namespace.", m_audit_drift, false },
};

/* The module's own counters, from status; absent without the module. */
static const struct {
	const char *name, *type, *help, *key;
} module_metrics[] = {
	{ "mntwatch_events_total", "counter", "ENOSPC events recorded since the module was loaded.", "events_total" },
	{ "mntwatch_events_overwritten_total", "counter", "ENOSPC events lost to the ring's wrap-around.", "events_overwritten" },
	{ "mntwatch_table_rows", "gauge", "Namespaces in the module's table.", "table_rows" },
	{ "mntwatch_table_evicted_total", "counter", "Namespace rows dropped from the full table.", "table_evicted" },
	{ "mntwatch_probe_missed_total", "counter", "kretprobe hits missed on count_mounts (numbers may be incomplete).", "count_nmissed" },
	{ "mntwatch_verdict_mismatch_total", "counter", "ENOSPC after a limit check the module judged to fit (its reading of the namespace is wrong).", "verdict_mismatch" },
	{ "mntwatch_memory_bytes", "gauge", "Memory the module allocated for its tables.", "memory_bytes" },
};

static void metrics_global(FILE *out, const char *name, const char *type,
			   const char *help, int64_t value)
{
	if (value == MW_NONE)
		return;
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s %" PRId64 "\n", name,
		help, name, type, name, value);
}

/* A label that is known: an unknown one is left out, not "". */
static void prom_known(FILE *out, const char *name, const char *value)
{
	if (*value)
		prom_label(out, name, value, false);
}

/*
 * "name{namespace="ID",pod="UID",container="ID",container_name=...": the
 * value follows. The labels are `ns`'s columns, from the lookup mw_load()
 * made once per namespace. namespace stays the mount namespace, as alerts
 * and dashboards read it; the pod's Kubernetes namespace is pod_namespace,
 * and no name is one of the labels a Kubernetes scrape target sets
 * (namespace, pod, container), which Prometheus would rename.
 */
static const struct {
	const char *label;
	void (*get)(const void *row, struct cell *c);	/* whocols.h */
} who_labels[] = {
	{ "pod", mw_who_pod },		/* JSON's value: the uid */
	{ "container", mw_who_container },
	{ "container_name", mw_who_name },
	{ "runtime", mw_who_runtime_cell },
	{ "image", mw_who_image },
	{ "pod_namespace", mw_who_pod_ns },
	{ "pod_name", mw_who_pod_name },
};

static void ns_series(FILE *out, const char *name, uint64_t ns,
		      const struct mw_who *who)
{
	static struct cell cell;	/* 8 KiB: not on the stack */
	char id[24];
	size_t i;

	snprintf(id, sizeof(id), "%" PRIu64, ns);
	fprintf(out, "%s{", name);
	prom_label(out, "namespace", id, true);
	for (i = 0; who && i < sizeof(who_labels) / sizeof(who_labels[0]); i++) {
		memset(&cell, 0, sizeof(cell));
		who_labels[i].get(&who, &cell);
		if (cell.kind == CELL_STR)
			prom_known(out, who_labels[i].label, cell.str);
	}
}

/*
 * From every namespace's mountinfo, module or not, 0 included: an alert
 * on "> 0" must see a namespace go back to 0 once the loop is undone.
 */
struct loop_metric {
	const char *name, *help;
	int64_t (*get)(const struct mw_loops *lp);
};

static int64_t l_loops(const struct mw_loops *lp) { return lp->nloops; }
static int64_t l_repeat(const struct mw_loops *lp) { return lp->max_repeat; }
static int64_t l_factor(const struct mw_loops *lp)
{
	int64_t most = 0;
	int i;

	for (i = 0; i < lp->nloops; i++)
		if (lp->loops[i].factor > most)
			most = lp->loops[i].factor;
	return most;
}

static const struct loop_metric loop_metrics[] = {
	{ "mntwatch_namespace_propagation_loops", "Peer groups that propagate into themselves in the namespace (mntwatch loops).", l_loops },
	{ "mntwatch_namespace_loop_factor", "Mounts that one more mount on the namespace's worst loop lands on; 0 without a loop.", l_factor },
	{ "mntwatch_namespace_mountpoint_repeats", "Mounts on the namespace's most repeated mountpoint.", l_repeat },
};

/*
 * Health for an alert on absent or stale data: what wrote the exposition
 * for which kernel, and when. The release comes from --proc, so a node's
 * copied tree names its own kernel; the module's version only when loaded.
 */
static void write_health(FILE *out, const char *procdir, const struct data *d)
{
	char path[4096], release[256] = "";
	const char *module_version = d->module ?
		mw_status_get(&d->status, "version") : NULL;
	struct utsname uts;
	char *text;

	snprintf(path, sizeof(path), "%s/sys/kernel/osrelease", procdir);
	text = mw_read_file(path, NULL);
	if (text) {
		snprintf(release, sizeof(release), "%s", text);
		release[strcspn(release, "\n")] = '\0';
		free(text);
	}
	if (!release[0] && !uname(&uts))
		snprintf(release, sizeof(release), "%s", uts.release);
	fprintf(out, "# HELP mntwatch_build_info mntwatch's version, the kernel's release and the loaded module's version; 1.\n"
		"# TYPE mntwatch_build_info gauge\nmntwatch_build_info{");
	prom_label(out, "version", MNTWATCH_VERSION, true);
	prom_label(out, "kernel", release, false);
	if (module_version)
		prom_label(out, "module_version", module_version, false);
	fprintf(out, "} 1\n");
	fprintf(out, "# HELP mntwatch_last_write_timestamp_seconds When mntwatch wrote these metrics (with --output: the last successful write of the file).\n"
		"# TYPE mntwatch_last_write_timestamp_seconds gauge\nmntwatch_last_write_timestamp_seconds %lld\n",
		(long long)time(NULL));
}

/*
 * Whether mntwatch fix has proven commands left, for each namespace the
 * last failure of a failing namespace would be given back in (a restart
 * loop's: the host's); alerts can tell a node a person can fix from one to
 * look at, and from one already given back.
 */
static void write_fix_known(FILE *out, const char *procdir, struct data *d)
{
	struct mw_plan *plan = malloc(sizeof(*plan));
	uint64_t *done = calloc(d->nns + 1, sizeof(*done));
	const struct mw_ns *row;
	int i, j, n = 0;

	for (i = 0; plan && done && i < d->nns; i++) {
		if (d->ns[i].enospc == MW_NONE || d->ns[i].enospc <= 0 ||
		    !mw_fix_plan_of(procdir, d, d->ns[i].ns, plan))
			continue;
		for (j = 0; j < n && done[j] != plan->ns; j++)
			;
		/* a gone namespace is no longer a series */
		row = mw_row_at(d->ns, d->nns, plan->ns, MW_NONE);
		if (j < n || !row || !strcmp(row->state, "gone"))
			continue;
		if (!n)
			fprintf(out, "# HELP mntwatch_namespace_fix_known 1 if mntwatch fix has commands a test has run for the namespace's last ENOSPC, 0 if not (none known, or given back since).\n"
				"# TYPE mntwatch_namespace_fix_known gauge\n");
		done[n++] = plan->ns;
		ns_series(out, "mntwatch_namespace_fix_known", plan->ns,
			  mw_who_now(&d->scan, d->ns, d->nns, plan->ns));
		fprintf(out, "} %d\n", plan->known && plan->nsteps);
	}
	free(plan);
	free(done);
}

static void write_metrics(FILE *out, const char *procdir, struct data *d)
{
	size_t m;
	int i;

	fprintf(out, "# HELP mntwatch_module_loaded 1 if mntwatch.ko's tables were read, 0 if counted from /proc.\n"
		"# TYPE mntwatch_module_loaded gauge\nmntwatch_module_loaded %d\n",
		d->module);
	for (m = 0; m < sizeof(ns_metrics) / sizeof(ns_metrics[0]); m++) {
		const struct metric *mt = &ns_metrics[m];
		bool header = false;

		for (i = 0; i < d->nns; i++) {
			const struct mw_ns *ns = &d->ns[i];
			const struct mw_who *who;
			int64_t v;

			/* a gone namespace is no longer a series */
			if (!strcmp(ns->state, "gone"))
				continue;
			who = mw_who_find(&d->scan, ns->ns);
			v = mt->get(ns, who);
			if (v == MW_NONE)
				continue;
			if (!header) {
				fprintf(out, "# HELP %s %s\n# TYPE %s %s\n",
					mt->name, mt->help, mt->name, mt->type);
				header = true;
			}
			ns_series(out, mt->name, ns->ns, who);
			if (mt->scale_permille)
				fprintf(out, "} %" PRId64 ".%03" PRId64 "\n",
					v / 1000, v % 1000);
			else
				fprintf(out, "} %" PRId64 "\n", v);
		}
	}
	for (m = 0; m < sizeof(loop_metrics) / sizeof(loop_metrics[0]); m++) {
		const struct loop_metric *mt = &loop_metrics[m];

		if (!d->nmounts)
			break;
		fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", mt->name,
			mt->help, mt->name);
		for (i = 0; i < d->nmounts; i++) {
			ns_series(out, mt->name, d->mounts[i].ns, d->mounts[i].who);
			fprintf(out, "} %" PRId64 "\n", mt->get(&d->mounts[i].found));
		}
	}
	write_health(out, procdir, d);
	if (!d->module)
		return;
	write_fix_known(out, procdir, d);
	for (m = 0; m < sizeof(module_metrics) / sizeof(module_metrics[0]); m++)
		metrics_global(out, module_metrics[m].name, module_metrics[m].type,
			       module_metrics[m].help,
			       mw_status_num(&d->status, module_metrics[m].key));
}

/* node_exporter must never read half a file: temp file, fsync, rename. */
static int write_atomically(const char *path, const char *procdir,
			    struct data *d)
{
	char tmp[4096];
	FILE *out;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		mw_warnx("cannot create %s: %s", tmp, strerror(errno));
		return MW_EXIT_ERROR;
	}
	fchmod(fd, 0644);
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	write_metrics(out, procdir, d);
	if (fflush(out) || fsync(fd) || ferror(out)) {
		mw_warnx("cannot write %s: %s", tmp, strerror(errno));
		fclose(out);
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	fclose(out);
	if (rename(tmp, path)) {
		mw_warnx("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		return MW_EXIT_ERROR;
	}
	return MW_EXIT_OK;
}

static int cmd_metrics(const struct opts *o)
{
	struct data d;
	int ret = mw_load(o, &d, true, false);

	if (!ret)
		ret = mw_load_loops(o, &d);
	if (!ret) {
		if (o->output)
			ret = write_atomically(o->output, o->procdir, &d);
		else
			write_metrics(stdout, o->procdir, &d);
	}
	mw_data_free(&d);
	return ret;
}

static const struct cmd_option metrics_options[] = {
	{ "output", OPT_OUTPUT, required_argument, TAKES_OUTPUT,
	  "--output FILE is an option of %s; columns are chosen with -o LIST",
	  "      --output FILE      metrics: write FILE atomically (temp file + rename)" },
	{ NULL },
};

const struct cmd metrics_command = {
	.name = "metrics",
	.run = cmd_metrics,
	.help = "  metrics    Prometheus text exposition",
	.takes = TAKES_OUTPUT,
	.options = metrics_options,
};
