// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's baseline: the same two kretprobes mntwatch registers, with
 * handlers that do nothing. What a mount costs with this loaded is the floor
 * of any kretprobe-based tool; mntwatch's own work is what it adds on top.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/string.h>

static int floor_handler(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static struct kretprobe count_probe = {
	.kp.symbol_name = "count_mounts",
	.entry_handler = floor_handler,
	.handler = floor_handler,
	.data_size = 48,	/* as much as mntwatch keeps per call */
};

static struct kretprobe attach_probe = {
	.kp.symbol_name = "attach_recursive_mnt",
	.entry_handler = floor_handler,
	.handler = floor_handler,
};

static int __init floor_init(void)
{
	int err;

	err = register_kretprobe(&attach_probe);
	if (err == -ENOENT) {
		/* 6.18 and later have only gcc's clone, as mntwatch finds */
		memset(&attach_probe.kp, 0, sizeof(attach_probe.kp));
		attach_probe.kp.symbol_name = "attach_recursive_mnt.isra.0";
		err = register_kretprobe(&attach_probe);
	}
	if (err) {
		pr_err("cannot probe attach_recursive_mnt (%d)\n", err);
		return err;
	}
	err = register_kretprobe(&count_probe);
	if (err) {
		pr_err("cannot probe count_mounts (%d)\n", err);
		goto out_attach;
	}
	return 0;

out_attach:
	unregister_kretprobe(&attach_probe);
	return err;
}

static void __exit floor_exit(void)
{
	unregister_kretprobe(&count_probe);
	unregister_kretprobe(&attach_probe);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_DESCRIPTION("mntwatch benchmark baseline: two empty kretprobes");
MODULE_LICENSE("GPL");
