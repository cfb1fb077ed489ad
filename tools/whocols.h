/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The columns that say who lives in a namespace, defined once for every
 * table that shows them (ns, loops and its repeats) and for the labels of
 * metrics (whocols.c). A view whose table has them holds the namespace's
 * who (or NULL) as its first member: that is what their getters read.
 */
#ifndef MNTWATCH_WHOCOLS_H
#define MNTWATCH_WHOCOLS_H

#include "output.h"

void mw_who_pids(const void *row, struct cell *c);
void mw_who_nproc(const void *row, struct cell *c);
void mw_who_comm(const void *row, struct cell *c);
void mw_who_container(const void *row, struct cell *c);
void mw_who_runtime_cell(const void *row, struct cell *c);
void mw_who_pod(const void *row, struct cell *c);
void mw_who_unit(const void *row, struct cell *c);
void mw_who_held_by(const void *row, struct cell *c);
void mw_who_name(const void *row, struct cell *c);
void mw_who_image(const void *row, struct cell *c);
void mw_who_pod_ns(const void *row, struct cell *c);
void mw_who_pod_name(const void *row, struct cell *c);
void mw_who_pod_uid(const void *row, struct cell *c);
void mw_who_ctr_name(const void *row, struct cell *c);
void mw_who_ctr_type(const void *row, struct cell *c);
void mw_who_attempt(const void *row, struct cell *c);

#define WHO_PIDS { "PIDS", "pids", 4, COL_DEFAULT, "processes living in the namespace (first few)", mw_who_pids }
#define WHO_NPROC { "NPROC", "nr_pids", 5, COL_RIGHT, "number of processes living in the namespace", mw_who_nproc }
#define WHO_COMM { "COMM", "comm", 4, COL_DEFAULT, "command name of its lowest pid", mw_who_comm }
#define WHO_CONTAINER { "CONTAINER", "container", 12, COL_DEFAULT | COL_ID12, "container id (12 characters; JSON: full)", mw_who_container }
#define WHO_RUNTIME { "RUNTIME", "runtime", 7, 0, "docker, containerd, crio or podman, when the cgroup says", mw_who_runtime_cell }
#define WHO_POD { "POD", "pod", 3, COL_DEFAULT, "Kubernetes pod, namespace/name, else its uid (JSON: the uid)", mw_who_pod }
#define WHO_UNIT { "UNIT", "unit", 4, 0, "systemd unit (.service or .scope) of its lowest pid", mw_who_unit }
#define WHO_HELD_BY { "HELD-BY", "held_by", 7, COL_DEFAULT, "what keeps it alive: pids, nsfs bind mounts, fd-of-PID, listns", mw_who_held_by }
#define WHO_NAME { "NAME", "name", 4, COL_DEFAULT, "container name, from its runtime's state (docker, podman, CRI)", mw_who_name }
#define WHO_IMAGE { "IMAGE", "image", 5, 0, "the container's image, as its runtime recorded it", mw_who_image }
#define WHO_POD_NS { "POD-NS", "pod_namespace", 6, 0, "Kubernetes namespace of its pod (CRI annotations)", mw_who_pod_ns }
#define WHO_POD_NAME { "POD-NAME", "pod_name", 8, 0, "Kubernetes name of its pod (CRI annotations)", mw_who_pod_name }
#define WHO_POD_UID { "POD-UID", "pod_uid", 7, 0, "Kubernetes pod uid: the cgroup's, else its runtime's annotations", mw_who_pod_uid }
#define WHO_CTR_NAME { "CTR-NAME", "container_name", 8, 0, "the container's name in its pod spec (CRI annotations, kubelet labels)", mw_who_ctr_name }
#define WHO_CTR_TYPE { "CTR-TYPE", "container_type", 8, 0, "sandbox or container, as the CRI annotations say", mw_who_ctr_type }
#define WHO_ATTEMPT { "ATTEMPT", "attempt", 7, COL_RIGHT, "restart attempt, where its runtime records it (restartCount, CRI metadata)", mw_who_attempt }

#endif
