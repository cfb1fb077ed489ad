// SPDX-License-Identifier: GPL-2.0
/*
 * mntwatch: explains "mount: no space left on device" by recording, per
 * mount namespace, the mount accounting that fs.mount-max is checked against.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include "mntwatch.h"

/*
 * The largest tables the module allocates at load, and that every file can
 * still be read at: about 92 MB in all (module/README.md, "Loading it").
 */
#define MW_EVENTS_LIMIT 16384
#define MW_NS_MIN 16
#define MW_NS_LIMIT SZ_64K
#define MW_HISTORY_LIMIT 64

static unsigned int events_max = 256;
module_param(events_max, uint, 0444);
MODULE_PARM_DESC(events_max, "ENOSPC events kept (1..16384, default 256)");

static unsigned int ns_max = 4096;
module_param(ns_max, uint, 0444);
MODULE_PARM_DESC(ns_max, "namespace rows kept (16..65536, default 4096)");

static unsigned int growth_history = 4;
module_param(growth_history, uint, 0444);
MODULE_PARM_DESC(growth_history, "attaches that grew it kept per namespace (1..64, default 4)");

static char *btf_path = "/sys/kernel/btf/vmlinux";
module_param(btf_path, charp, 0444);
MODULE_PARM_DESC(btf_path, "BTF to resolve field offsets from");

static char *offsets = "";
module_param(offsets, charp, 0444);
MODULE_PARM_DESC(offsets, "field=bytes,... overriding BTF (see status)");

static char *count_symbol = "count_mounts";
module_param(count_symbol, charp, 0444);
MODULE_PARM_DESC(count_symbol, "function checking fs.mount-max");

static char *attach_symbol = "attach_recursive_mnt";
module_param(attach_symbol, charp, 0444);
MODULE_PARM_DESC(attach_symbol, "function attaching a mount tree");

static char *free_symbol = MW_FREE_SYMBOL;
module_param(free_symbol, charp, 0444);
MODULE_PARM_DESC(free_symbol, "function freeing a namespace (\"\": none)");

static int __init mntwatch_init(void)
{
	int err;

	if (!events_max || events_max > MW_EVENTS_LIMIT) {
		pr_err("events_max=%u is outside 1..%u\n", events_max,
		       MW_EVENTS_LIMIT);
		return -EINVAL;
	}
	if (ns_max < MW_NS_MIN || ns_max > MW_NS_LIMIT) {
		pr_err("ns_max=%u is outside %u..%u\n", ns_max, MW_NS_MIN,
		       MW_NS_LIMIT);
		return -EINVAL;
	}
	if (!growth_history || growth_history > MW_HISTORY_LIMIT) {
		pr_err("growth_history=%u is outside 1..%u\n", growth_history,
		       MW_HISTORY_LIMIT);
		return -EINVAL;
	}
	/* the probes read kernel memory, which confidentiality mode forbids */
	err = security_locked_down(LOCKDOWN_KPROBES);
	if (err) {
		pr_err("kernel is locked down against kprobes (%d)\n", err);
		return err;
	}

	err = mw_offsets_init(btf_path, offsets, count_symbol);
	if (err)
		return err;
	err = mw_kread_init();
	if (err)
		return err;
	err = mw_mount_max_init();
	if (err)
		return err;
	err = mw_table_init(ns_max, growth_history);
	if (err)
		return err;
	err = mw_events_init(events_max);
	if (err)
		goto out_table;
	err = mw_probes_init(count_symbol, attach_symbol, free_symbol);
	if (err)
		goto out_events;
	mw_nsprobes_init();
	/* last: a reader may hold a file open from here on (debugfs.c) */
	err = mw_debugfs_init();
	if (err)
		goto out_probes;
	pr_info("watching %s and %s\n", count_symbol, attach_symbol);
	return 0;

out_probes:
	mw_probes_exit();
out_events:
	mw_events_exit();
out_table:
	mw_table_exit();
	return err;
}

static void __exit mntwatch_exit(void)
{
	mw_debugfs_exit();
	mw_probes_exit();
	mw_events_exit();
	mw_table_exit();
}

module_init(mntwatch_init);
module_exit(mntwatch_exit);
MODULE_DESCRIPTION("Explains fs.mount-max ENOSPC per mount namespace");
MODULE_AUTHOR("mntwatch developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(MNTWATCH_VERSION);
