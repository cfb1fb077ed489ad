# SPDX-License-Identifier: GPL-2.0
#
#   make                      module against KDIR (the running kernel's headers)
#   make KVER=LINE            module against a cached Debian cloud kernel
#                             (LINE: 5.10, 6.1, 6.12 or 7, from selftests/kernels.conf)
#   make check                host tests + the whole suite in qemu on every LINE
#   make demo                 the seed's incident with Debian 12's docker.io: docker cp
#                             until ENOSPC, then mntwatch (the runtimes root, built once)
#   make demo-mounts          the bare propagation loop (mount --rbind), start to ENOSPC
#   make bench KVER=..        the module's cost on the mount path beside bpftrace's
#                             (figures, no verdict; BENCH_ROUNDS=7 BENCH_OPS=2000)
#   make bench-tool [KVER=..] the tool's time against lsns -t mnt and one wc -l of a
#                             grown container's mountinfo, as ratios, in the runtimes
#                             root (BENCH_TOOL_LIMIT=30000 BENCH_TOOL_RUNS=5)
#   make vm-run KVER=.. SCRIPT=file   run a script in a VM with the module loaded
#                             ROOT=runtimes: on the Debian root with docker, podman and
#                             containerd (selftests/runtimes-root.sh, built once);
#                             OUT=dir: the files the script writes under $$MNTWATCH_OUT
#   make deps                 install the Debian packages the above need (selftests/deps.sh)
#   make image                the OCI image archive build/image/mntwatch-VERSION.tar: the
#                             tool, deploy/mntwatch-load, mntwatch.ko for every LINE
#                             (deploy/image/build.sh; MNTWATCH_IMAGE=repo names it)

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(CURDIR)
CACHE := $(TOP)/.cache
CC := gcc
CFLAGS := -O2 -Wall -Wextra -Werror
KERNELS = $(shell awk '!/^\#/ && NF { print $$1 }' $(TOP)/selftests/kernels.conf)
DEPS := $(TOP)/selftests/deps.sh

.PHONY: all module floor tool vm-run check demo demo-mounts bench bench-tool checkpatch clean install uninstall dkms-install deps image

ifeq ($(KVER),)
all: module tool

module:
	@test -d $(KDIR) || { echo "make: no kernel headers at $(KDIR); install them or use KVER=$(firstword $(KERNELS))|..." >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules
else
KDIR_CACHED = $(shell $(TOP)/selftests/fetch-kernel.sh $(KVER))
BUILD := $(TOP)/build/$(KVER)

all: module

# kbuild with the toolchain the line's headers ask for (selftests/kbuild.sh)
KBUILD = $(TOP)/selftests/kbuild.sh $(KVER) make -C '$$KDIR/build'

# a build directory per kernel, so objects of two kernels never mix
module:
	@$(DEPS) build
	@mkdir -p $(BUILD)/src/module && \
	cp -p $(TOP)/Kbuild $(BUILD)/src/ && \
	cp -p $(TOP)/module/*.c $(TOP)/module/*.h $(BUILD)/src/module/ && \
	$(KBUILD) M=$(BUILD)/src MNTWATCH_WERROR=y modules && \
	{ cmp -s $(BUILD)/src/mntwatch.ko $(BUILD)/mntwatch.ko || cp $(BUILD)/src/mntwatch.ko $(BUILD)/mntwatch.ko; }

# the benchmark's baseline: the same kretprobes, empty handlers
floor:
	@$(DEPS) build
	@mkdir -p $(BUILD)/floor && \
	cp $(TOP)/selftests/kretprobe_floor.c $(BUILD)/floor/ && \
	echo 'obj-m := kretprobe_floor.o' >$(BUILD)/floor/Kbuild && \
	$(KBUILD) M=$(BUILD)/floor modules && \
	cp $(BUILD)/floor/kretprobe_floor.ko $(BUILD)/kretprobe_floor.ko
endif

tool:
	$(MAKE) -C tools

# static binaries for the VM's busybox initramfs
build/bin/mntwatch: tools/*.c tools/*.h tools/stories/*.c module/schema.h module/version.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -D_GNU_SOURCE -std=gnu11 -static -o $@ $(wildcard tools/*.c tools/stories/*.c)

build/bin/mntwatch_test: selftests/mntwatch_test.c module/schema.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -I$$(selftests/fetch-kernel.sh source)/tools/testing/selftests -o $@ $<

build/bin/btf_resolve: selftests/btf_resolve.c module/btf.c module/btf.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -o $@ selftests/btf_resolve.c module/btf.c

# the user's script runs after the module is loaded, from a generated wrapper;
# in the runtimes root with the scenario library, the CRI client and jq, and
# more time
ROOT ?= busybox
OUT ?=
VM_RUN_ARGS = -r $(ROOT) $(if $(OUT),-o $(OUT)) \
	$(if $(filter runtimes,$(ROOT)),-b selftests/vmlib.sh -b selftests/runtimes_lib.sh -b selftests/crictl.py \
		-b $(shell command -v jq) -t 1200)
vm-run:
	@test -n "$(KVER)" -a -n "$(SCRIPT)" || { echo "usage: make vm-run KVER=$(subst $(eval) ,|,$(KERNELS)) SCRIPT=file [ROOT=busybox|runtimes] [OUT=dir]" >&2; exit 2; }
	@case "$(ROOT)" in busybox|runtimes) ;; *) echo "make vm-run: ROOT=$(ROOT): busybox or runtimes" >&2; exit 2 ;; esac
	@test -f "$(SCRIPT)" || { echo "make vm-run: $(SCRIPT) not found" >&2; exit 2; }
	@$(DEPS) vm
	@$(MAKE) --no-print-directory -s module KVER=$(KVER) >&2
	@$(MAKE) --no-print-directory -s build/bin/mntwatch_test build/bin/mntwatch >&2
	@{ echo 'insmod "$$MNTWATCH_KO" || exit 1'; echo 'cd /tmp'; cat $(SCRIPT); } >build/vm-run-$(KVER).sh
	@selftests/vmtest.sh -k $(KVER) $(VM_RUN_ARGS) -m build/$(KVER)/mntwatch.ko -b build/bin/mntwatch_test \
		-b build/bin/mntwatch -s build/vm-run-$(KVER).sh

deps:
	@$(DEPS) all

# the modules of every line, then the archive (deploy/README.md, "Installing on a node")
IMAGE = build/image/mntwatch-$(MNTWATCH_VERSION).tar
image:
	@$(DEPS) build
	@for k in $(KERNELS); do $(MAKE) --no-print-directory -s module KVER=$$k >&2 || exit 1; done
	@$(MAKE) --no-print-directory -s build/bin/mntwatch >&2
	@deploy/image/build.sh $(IMAGE)

check:
	@$(DEPS) check
	@selftests/check.sh $(KERNELS)

# on the runtimes root, which vmtest.sh builds on first use
demo:
	@$(DEPS) vm
	@$(MAKE) --no-print-directory -s build/bin/mntwatch module KVER=6.12 >&2
	@selftests/vmtest.sh -k 6.12 -r runtimes -m build/6.12/mntwatch.ko -b build/bin/mntwatch -t 1200 -s selftests/demo.sh

demo-mounts:
	@$(DEPS) vm
	@$(MAKE) --no-print-directory -s build/bin/mntwatch module KVER=6.12 >&2
	@selftests/vmtest.sh -k 6.12 -m build/6.12/mntwatch.ko -b build/bin/mntwatch -s selftests/demo_mounts.sh

build/bin/ns_churn: selftests/ns_churn.c selftests/vmbin.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -o $@ $<

build/bin/detached_mounts: selftests/detached_mounts.c selftests/vmbin.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -o $@ $<

build/bin/hold_open: selftests/hold_open.c selftests/vmbin.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -o $@ $<

build/bin/mount_bench: selftests/mount_bench.c selftests/vmbin.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -o $@ $<

# one vCPU with instruction-counted time: the guest clock advances 1 ns per
# instruction, so ratios do not move with the host's load; bpftrace's
# libraries (LLVM, clang: 200 MB) need the larger guest
BENCH_QEMU_ARGS ?= -icount shift=0,sleep=off
BENCH_ROUNDS ?= 7
BENCH_OPS ?= 2000
# bpftrace is looked for when the recipe runs, after deps.sh installed it
bench:
	@$(DEPS) bench
	@$(MAKE) --no-print-directory -s build/bin/mount_bench build/bin/ns_churn module floor KVER=$(or $(KVER),6.12) >&2
	@bpftrace=$$(command -v bpftrace); \
	VMTEST_SMP=1 VMTEST_QEMU_ARGS="-m 2048 $(BENCH_QEMU_ARGS)" \
		VMTEST_APPEND="bench_rounds=$(BENCH_ROUNDS) bench_ops=$(BENCH_OPS) $(if $(findstring icount,$(BENCH_QEMU_ARGS)),bench_clock=icount)" \
		selftests/vmtest.sh -k $(or $(KVER),6.12) -m build/$(or $(KVER),6.12)/mntwatch.ko \
		-b build/$(or $(KVER),6.12)/kretprobe_floor.ko $${bpftrace:+-b "$$bpftrace"} \
		-b build/bin/mount_bench -b build/bin/ns_churn -b selftests/vmlib.sh -t 3600 -s selftests/bench.sh

# ratios from one run in the runtimes root (selftests/bench_tool.sh)
BENCH_TOOL_LIMIT ?= 30000
BENCH_TOOL_RUNS ?= 5
bench-tool:
	@$(DEPS) vm
	@$(MAKE) --no-print-directory -s module KVER=$(or $(KVER),6.12) >&2
	@$(MAKE) --no-print-directory -s build/bin/mntwatch >&2
	@{ echo 'insmod "$$MNTWATCH_KO" || exit 1'; echo 'cd /tmp'; \
		echo 'BENCH_TOOL_LIMIT=$(BENCH_TOOL_LIMIT) BENCH_TOOL_RUNS=$(BENCH_TOOL_RUNS)'; \
		cat selftests/bench_tool.sh; } >build/bench-tool-$(or $(KVER),6.12).sh
	@selftests/vmtest.sh -k $(or $(KVER),6.12) -r runtimes -m build/$(or $(KVER),6.12)/mntwatch.ko \
		-b selftests/vmlib.sh -b selftests/runtimes_lib.sh -b build/bin/mntwatch -t 3000 \
		-s build/bench-tool-$(or $(KVER),6.12).sh

checkpatch:
	@perl $$(selftests/fetch-kernel.sh source)/scripts/checkpatch.pl --no-tree --strict --ignore LINUX_VERSION_CODE -f module/*.c module/*.h selftests/kretprobe_floor.c

clean:
	rm -rf build
	$(MAKE) -C tools clean
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP) clean

# ---- installing on a node (deploy/README.md, "Installing on a node") ----
#
#   make install [KDIR=..|KVER=..] [INSTALL_MOD_PATH=..] [DESTDIR=..] [PREFIX=/usr/local]
#       module via the kernel's modules_install (INSTALL_MOD_PATH/lib/modules/<release>/extra,
#       then depmod), tool to $(DESTDIR)$(PREFIX)/sbin, man page to .../share/man/man8;
#       MOK_KEY=.. MOK_CERT=.. (DER) sign the installed module for Secure Boot. The kernel's own
#       CONFIG_MODULE_SIG_ALL signing is turned off: distribution headers carry no private key.
#   make uninstall   (same variables) removes exactly those files
#   make dkms-install   source to $(DKMS_SOURCE_TREE)/mntwatch-<version>, dkms add + install;
#       for the running kernel, or DKMS_KERNEL=<release> (DKMS_INSTALL_FLAGS=--kernelsourcedir=..);
#       DKMS_FLAGS passes options to every dkms call (--dkmstree=.. --installtree=.. --no-depmod)
PREFIX ?= /usr/local
INSTALL ?= install
INSTALL_MOD_DIR ?= extra
DKMS ?= dkms
DKMS_SOURCE_TREE ?= /usr/src
DKMS_FLAGS ?=
DKMS_KERNEL ?=
DKMS_INSTALL_FLAGS ?=
MNTWATCH_VERSION = $(shell sed -n 's/^\#define MNTWATCH_VERSION "\(.*\)"$$/\1/p' $(TOP)/module/version.h)
ifeq ($(KVER),)
INSTALL_KDIR = $(KDIR)
INSTALL_M = $(TOP)
else
INSTALL_KDIR = $(KDIR_CACHED)/build
INSTALL_M = $(BUILD)/src
endif
# the release the module was built for: Debian's 6.1 headers name the upstream version in
# include/config/kernel.release, so ask UTS_RELEASE, which is also the module's vermagic
MOD_RELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' $(INSTALL_KDIR)/include/generated/utsrelease.h 2>/dev/null)
MOD_INSTALL_DIR = $(INSTALL_MOD_PATH)/lib/modules/$(MOD_RELEASE)/$(INSTALL_MOD_DIR)

install: module tool
	@test -n "$(MOD_RELEASE)" || { echo "make install: no include/generated/utsrelease.h under $(INSTALL_KDIR)" >&2; exit 1; }
	@test -z "$(MOK_KEY)$(MOK_CERT)" || test -r "$(MOK_KEY)" -a -r "$(MOK_CERT)" || \
		{ echo "make install: MOK_KEY and MOK_CERT must both name readable files" >&2; exit 1; }
	$(MAKE) -C $(INSTALL_KDIR) M=$(INSTALL_M) KERNELRELEASE=$(MOD_RELEASE) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		CONFIG_MODULE_SIG_ALL= modules_install
	$(if $(MOK_KEY),$(INSTALL_KDIR)/scripts/sign-file sha256 $(MOK_KEY) $(MOK_CERT) $(MOD_INSTALL_DIR)/mntwatch.ko)
	$(INSTALL) -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	$(INSTALL) -m 0755 tools/mntwatch $(DESTDIR)$(PREFIX)/sbin/mntwatch
	sed 's/@MNTWATCH_VERSION@/$(MNTWATCH_VERSION)/' tools/mntwatch.8 >$(DESTDIR)$(PREFIX)/share/man/man8/mntwatch.8

uninstall:
	@test -n "$(MOD_RELEASE)" || { echo "make uninstall: no include/generated/utsrelease.h under $(INSTALL_KDIR)" >&2; exit 1; }
	rm -f $(MOD_INSTALL_DIR)/mntwatch.ko $(MOD_INSTALL_DIR)/mntwatch.ko.gz $(MOD_INSTALL_DIR)/mntwatch.ko.xz $(MOD_INSTALL_DIR)/mntwatch.ko.zst
	-rmdir $(MOD_INSTALL_DIR) 2>/dev/null
	@if [ -f $(INSTALL_MOD_PATH)/lib/modules/$(MOD_RELEASE)/modules.dep ] && command -v depmod >/dev/null; then \
		echo "depmod $(MOD_RELEASE)"; depmod -b "$(or $(INSTALL_MOD_PATH),/)" $(MOD_RELEASE); fi
	rm -f $(DESTDIR)$(PREFIX)/sbin/mntwatch $(DESTDIR)$(PREFIX)/share/man/man8/mntwatch.8

# DKMS builds from a copy of the sources with Kbuild only (dkms.conf); a version already
# registered is removed first, so re-running picks up changed sources.
dkms-install:
	@command -v $(DKMS) >/dev/null || { echo "make dkms-install: no $(DKMS) (apt-get install dkms)" >&2; exit 1; }
	@test -n "$(MNTWATCH_VERSION)" || { echo "make dkms-install: no MNTWATCH_VERSION in module/version.h" >&2; exit 1; }
	@if $(DKMS) status -m mntwatch -v $(MNTWATCH_VERSION) --sourcetree $(DKMS_SOURCE_TREE) $(DKMS_FLAGS) 2>/dev/null | grep -q .; then \
		echo "dkms remove mntwatch/$(MNTWATCH_VERSION) --all"; \
		$(DKMS) remove -m mntwatch -v $(MNTWATCH_VERSION) --all --sourcetree $(DKMS_SOURCE_TREE) $(DKMS_FLAGS) || exit 1; fi
	rm -rf $(DKMS_SOURCE_TREE)/mntwatch-$(MNTWATCH_VERSION)
	$(INSTALL) -d $(DKMS_SOURCE_TREE)/mntwatch-$(MNTWATCH_VERSION)/module
	$(INSTALL) -m 0644 Kbuild $(DKMS_SOURCE_TREE)/mntwatch-$(MNTWATCH_VERSION)/
	sed 's/@MNTWATCH_VERSION@/$(MNTWATCH_VERSION)/' dkms.conf >$(DKMS_SOURCE_TREE)/mntwatch-$(MNTWATCH_VERSION)/dkms.conf
	$(INSTALL) -m 0644 module/*.c module/*.h $(DKMS_SOURCE_TREE)/mntwatch-$(MNTWATCH_VERSION)/module/
	$(DKMS) add -m mntwatch -v $(MNTWATCH_VERSION) --sourcetree $(DKMS_SOURCE_TREE) $(DKMS_FLAGS)
	$(DKMS) install -m mntwatch -v $(MNTWATCH_VERSION) --sourcetree $(DKMS_SOURCE_TREE) $(DKMS_FLAGS) \
		$(if $(DKMS_KERNEL),-k $(DKMS_KERNEL)) $(DKMS_INSTALL_FLAGS)
