/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names Kubernetes gives a container, as the CRI runtimes' annotations
 * and the kubelet's labels carry them (kube.c).
 */
#ifndef MNTWATCH_KUBE_H
#define MNTWATCH_KUBE_H

#include "container.h"
#include "json.h"

void mw_kube_names(const struct mw_json *doc, int obj, struct mw_container *c);

#endif
