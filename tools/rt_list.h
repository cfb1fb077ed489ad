/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The container runtimes mntwatch names containers of, one line each, in
 * the order an id of unknown runtime is looked up: adding a runtime is its
 * file rt_NAME.c (a struct mw_runtime_ops mw_rt_NAME) and a line here.
 * Included with MW_RUNTIME(name) defined; no include guard, on purpose.
 */
MW_RUNTIME(docker)
MW_RUNTIME(podman)
MW_RUNTIME(crio)
MW_RUNTIME(containerd)
