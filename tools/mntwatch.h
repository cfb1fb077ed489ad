/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mntwatch(8): reads the tables of mntwatch.ko from debugfs, names the
 * processes and containers behind each mount namespace, explains ENOSPC.
 */
#ifndef MNTWATCH_H
#define MNTWATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "../module/version.h"

#define MW_VERSION		MNTWATCH_VERSION
#define MW_TABLE_FORMAT		"1"	/* the only debugfs format we read */

/* A field the module printed as "-", or that this source cannot know. */
#define MW_NONE			INT64_MIN

/* Exit codes: check(8)-style for "check", the same meaning elsewhere. */
enum {
	MW_EXIT_OK	= 0,
	MW_EXIT_WARN	= 1,
	MW_EXIT_USAGE	= 2,	/* also CRITICAL for "check" */
	MW_EXIT_ERROR	= 3,	/* UNKNOWN: cannot read what we need */
};

#define MW_COMM_LEN	32	/* TASK_COMM_LEN is 16; leave room */
#define MW_ID_LEN	72	/* container ids are 64 hex digits */
#define MW_UID_LEN	40	/* pod uids are 36 characters */
#define MW_UNIT_LEN	128
#define MW_HELD_LEN	160
#define MW_PATH_LEN	4096
#define MW_NAME_LEN	256	/* a container, image or pod name */
#define MW_CGPATH_LEN	1024
#define MW_ARG_LEN	320	/* the module keeps 255 bytes of a string, "..." */

/* --- a whitespace-separated table with a header line naming its columns */
struct mw_table {
	char *text;		/* the file, split in place */
	char **cols;		/* header names */
	int ncols;
	char ***rows;		/* rows[r][c] */
	int nrows;
};

int mw_table_parse(struct mw_table *tbl, char *text, char *err, size_t errlen);
void mw_table_free(struct mw_table *tbl);
int mw_table_col(const struct mw_table *tbl, const char *name);

/* --- the module's rows, fields the module left out are MW_NONE */
struct mw_ns {
	uint64_t ns;
	int64_t mounts, pending, max;
	int64_t use_permille;		/* (mounts + pending) / max, 0.1 % */
	int64_t peak, checks, enospc;
	int64_t last_fail_us;		/* epoch microseconds */
	int64_t last_pid, last_requested;
	char last_comm[MW_COMM_LEN];	/* "" when unknown */
	char state[8];			/* live, gone */
	const char *source;		/* "module", or "live": counted now */
	uint64_t parent;		/* copied from, 0: unknown */
	int64_t born_mounts, born_us;
};

struct mw_event {
	int64_t time_us;
	int64_t pid;
	char comm[MW_COMM_LEN];
	uint64_t caller_ns, failing_ns;
	int64_t mounts, pending, max, requested;
	int64_t result, touched, checks;
	char limit[16];			/* mount-max, mnt-namespaces */
	int64_t userns, ns_count, seq;
	/* the failing call, decoded from the module's escapes; "" unknown */
	char syscall[24];		/* mount, move_mount, ..., or a number */
	int64_t flags;			/* mount's or move_mount's, MW_NONE */
	char source[MW_ARG_LEN], target[MW_ARG_LEN];
	char cgroup[MW_ARG_LEN];	/* the caller's cgroup v2 path then */
};

/* An attach that grew a namespace: the module's growth file. */
struct mw_growth {
	uint64_t ns;
	int64_t time_s, before, after;
	uint64_t caller_ns;
	char state[8];
};

int mw_parse_growth(const struct mw_table *tbl, struct mw_growth **out,
		    char *err, size_t errlen);
bool mw_event_is_nscount(const struct mw_event *ev);
const char *mw_event_fallback(const struct mw_event *ev);
void mw_mount_flags(char *buf, size_t len, int64_t flags);

int mw_parse_namespaces(const struct mw_table *tbl, struct mw_ns **out,
			char *err, size_t errlen);
int mw_parse_events(const struct mw_table *tbl, struct mw_event **out,
		    char *err, size_t errlen);
int64_t mw_parse_time_us(const char *s);
int mw_parse_u64(const char *s, uint64_t *out);
int64_t mw_parse_opt_int(const char *s, bool *ok);
char *mw_read_file(const char *path, size_t *len);
char *mw_read_fd(int fd, size_t max, size_t *len);

/* status: "key value" lines; value is the rest of the line */
struct mw_status {
	char *text;
	char **keys, **values;
	int n;
};

int mw_status_parse(struct mw_status *st, char *text, char *err, size_t errlen);
const char *mw_status_get(const struct mw_status *st, const char *key);
int64_t mw_status_num(const struct mw_status *st, const char *key);
void mw_status_free(struct mw_status *st);

/* --- who lives in a namespace */
struct mw_cgroup_info {
	char container[MW_ID_LEN];	/* full id, "" if none */
	char runtime[16];		/* docker, containerd, crio, podman, "" */
	char pod[MW_UID_LEN];		/* pod uid with dashes, "" if none */
	char unit[MW_UNIT_LEN];		/* innermost systemd .service/.scope */
	char path[MW_CGPATH_LEN];	/* the cgroup v2 path, else the first */
};

void mw_cgroup_parse(const char *cgroup_file, struct mw_cgroup_info *info);
void mw_cgroup_path_parse(const char *path, struct mw_cgroup_info *info);
bool mw_is_container_id(const char *s);

/* --- a strict, bounded JSON reader (json.c) */
enum mw_json_type {
	MW_JSON_OBJECT, MW_JSON_ARRAY, MW_JSON_STRING, MW_JSON_NUMBER,
	MW_JSON_TRUE, MW_JSON_FALSE, MW_JSON_NULL,
};

/* One value; an object's members are a key (string) token, then its value. */
struct mw_json_tok {
	enum mw_json_type type;
	uint32_t start, end;	/* its bytes in the text; a string's unquoted */
	uint32_t next;		/* the token after it and all it holds */
	uint32_t count;		/* an object's members, an array's elements */
};

struct mw_json {
	const char *text;
	struct mw_json_tok *tok;	/* tok[0] is the whole document */
	int ntok;
};

#define MW_JSON_MAX_DEPTH	64
#define MW_JSON_MAX_TOKENS	(1 << 20)
#define MW_JSON_MAX_BYTES	(16 << 20)

int mw_json_parse(struct mw_json *doc, const char *text, size_t len,
		  char *err, size_t errlen);
void mw_json_free(struct mw_json *doc);
int mw_json_get(const struct mw_json *doc, int obj, const char *key);
int mw_json_index(const struct mw_json *doc, int arr, uint32_t index);
bool mw_json_string(const struct mw_json *doc, int t, char *buf, size_t len);
bool mw_json_get_string(const struct mw_json *doc, int obj, const char *key,
			char *buf, size_t len);

/* --- containers as their runtime names them, from its state on disk */
struct mw_container {
	char id[MW_ID_LEN];		/* "" unknown */
	char runtime[16];		/* docker, podman, containerd, crio */
	char name[MW_NAME_LEN];		/* "" when the runtime has none */
	char image[MW_NAME_LEN];
	char pod_namespace[MW_NAME_LEN], pod_name[MW_NAME_LEN];
	char ctr_namespace[64];		/* containerd's: k8s.io, moby, default */
	char pod_uid[MW_UID_LEN];	/* from the cgroup */
	const char *source;		/* the file that named it; NULL */
};

struct mw_daemon {
	int pid;			/* lowest pid of the daemon, 0 if none */
	char root[MW_CGPATH_LEN];	/* <proc>/<pid or 1>/root */
	char dir[MW_CGPATH_LEN];	/* data-root, state, graphroot */
	char dir2[MW_CGPATH_LEN];	/* runroot */
};

struct mw_layer {
	char layer[MW_ID_LEN];		/* docker's overlay2/<mount-id> */
	char id[MW_ID_LEN];		/* its container */
};

struct mw_named;

struct mw_runtimes {
	const char *procdir;
	bool located;
	struct mw_daemon docker, containerd, podman, crio;
	struct mw_layer *layers;	/* sorted by layer */
	int nlayers;
	bool layers_read;
	struct mw_json storage;		/* containers.json */
	char *storage_text;
	int storage_state;		/* 0 unread, 1 read, -1 unreadable */
	struct mw_named **named;	/* what events' strings named */
	int nnamed;
	bool version_read;
	char docker_version[64];	/* upstream, "20.10.24"; "" unknown */
	char docker_how[MW_PATH_LEN + 160];	/* how it was read, or not */
};

void mw_runtimes_init(struct mw_runtimes *rt, const char *procdir);
void mw_runtimes_free(struct mw_runtimes *rt);
bool mw_runtime_lookup(struct mw_runtimes *rt, const char *runtime,
		       const char *id, struct mw_container *c);
bool mw_runtime_from_cgroup(struct mw_runtimes *rt,
			    const struct mw_cgroup_info *cg,
			    struct mw_container *c);
bool mw_runtime_by_path(struct mw_runtimes *rt, const char *path,
			struct mw_container *c);
const struct mw_container *mw_cgroup_container(struct mw_runtimes *rt,
						const char *cgroup);
const struct mw_container *mw_path_container(struct mw_runtimes *rt,
					     const char *path);
void mw_docker_version(struct mw_runtimes *rt);
int mw_version_at_least(const char *version, int major, int minor);

struct mw_who {
	uint64_t ns;
	int *pids;			/* ascending */
	int npids, pids_cap;
	char comm[MW_COMM_LEN];		/* of the lowest pid */
	struct mw_cgroup_info cg;	/* of the lowest pid in a container */
	struct mw_container ctr;	/* named by its runtime, if known */
	bool host;			/* the namespace of pid 1 */
	int64_t mounts;			/* counted live, MW_NONE if unread */
	char held_by[MW_HELD_LEN];	/* nsfs bind mounts, "fd-of-PID", comma-joined */
	char nsfile[MW_PATH_LEN];	/* an nsfs file of it we can open; "" */
	int nsfd;			/* from listns(), open until freed; -1 */
};

struct mw_procscan {
	struct mw_who *who;
	int nwho;
	int unreadable;			/* processes we could not look into */
	int64_t mount_max;		/* /proc/sys/fs/mount-max */
};

int mw_proc_scan(const char *procdir, bool count_mounts,
		 struct mw_procscan *scan);
struct mw_who *mw_who_get(struct mw_procscan *scan, uint64_t ns);
int64_t mw_count_mountinfo_text(const char *text);
int64_t mw_count_nsfile(const char *nsfile);
int64_t mw_who_count(const char *procdir, const struct mw_who *who);

/* --- every mount namespace: processes, nsfs bind mounts, open fds, listns() */
int mw_census(const char *procdir, struct mw_procscan *scan, bool count);
char *mw_ns_mountinfo(const char *nsfile);
void mw_proc_free(struct mw_procscan *scan);
const struct mw_who *mw_who_find(const struct mw_procscan *scan, uint64_t ns);
const struct mw_ns *mw_row_at(const struct mw_ns *rows, int nrows,
			      uint64_t id, int64_t when_us);
const struct mw_who *mw_who_at(const struct mw_procscan *scan,
			       const struct mw_ns *rows, int nrows,
			       uint64_t id, int64_t when_us);
const struct mw_who *mw_who_now(const struct mw_procscan *scan,
				const struct mw_ns *rows, int nrows,
				uint64_t id);
int64_t mw_count_mountinfo(const char *path);
void mw_who_label(const struct mw_who *who, bool brief, char *buf,
		  size_t len);
const char *mw_who_container_id(const struct mw_who *who);
const char *mw_who_runtime(const struct mw_who *who);
void mw_container_label(const struct mw_container *c, bool brief, char *buf,
			size_t len);

/* --- propagation loops, from one namespace's mountinfo */
struct mw_mount {
	uint64_t id, parent;
	const char *dev;		/* major:minor */
	const char *root, *mountpoint;	/* with mountinfo's octal escapes */
	uint64_t shared, master;	/* peer group ids, 0 for none */
};

struct mw_mountinfo {
	char *text;
	struct mw_mount *mounts;
	int n;
};

int mw_mountinfo_parse(struct mw_mountinfo *mi, char *text);
void mw_mountinfo_free(struct mw_mountinfo *mi);

/* A peer group that propagates into itself. */
struct mw_loop {
	uint64_t group;		/* the peer group id (shared:N) */
	const char *outer;	/* mountpoint of the member it starts from */
	const char *inner;	/* first receiver mounted beneath it */
	int64_t nested;		/* receivers mounted beneath a member */
	int64_t factor;		/* mounts here that one more mount on it lands on */
	int64_t members;	/* shared:N here; 0: all in another namespace */
	uint64_t fed_by;	/* then: a namespace holding a member; 0 */
};

struct mw_repeat {
	const char *mountpoint;
	int64_t count;
};

#define MW_REPEAT_MIN	4	/* two doublings; a host mounts a path twice at most */
#define MW_REPEAT_WARN	16	/* four doublings: check warns */
#define MW_REPEAT_TOP	3

struct mw_loops {
	struct mw_loop *loops;
	int nloops;
	struct mw_repeat top[MW_REPEAT_TOP];	/* mounted MW_REPEAT_MIN+ times */
	int ntop;
	int64_t max_repeat;	/* most mounts on one mountpoint */
};

int mw_loops_find(const struct mw_mountinfo *mi, struct mw_loops *lp);
void mw_loops_free(struct mw_loops *lp);

/* --- explain */
struct mw_explain_in {
	const struct mw_ns *ns;
	int nns;
	const struct mw_event *ev;
	int nev;
	int64_t events_total, events_overwritten;
	const struct mw_procscan *scan;
	int64_t now_us;
	const struct mw_loops *loops_now;	/* failing namespace's; NULL: unread */
	const struct mw_growth *growth;
	int ngrowth;
	struct mw_runtimes *rt;		/* names containers; NULL: by cgroup only */
};

void mw_explain(FILE *out, const struct mw_explain_in *in);

/* --- small helpers shared by the output code */
void mw_sanitize(char *dst, size_t len, const char *src);
void mw_unescape(char *dst, size_t len, const char *src);
void mw_escape(char *dst, size_t len, const char *src);
void mw_format_ago(char *buf, size_t len, int64_t then_us, int64_t now_us);
void mw_format_time(char *buf, size_t len, int64_t time_us);

#endif
