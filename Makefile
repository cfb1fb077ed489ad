# SPDX-License-Identifier: GPL-2.0
#
#   make                      module against KDIR (the running kernel's headers)
#   make KVER=6.1|6.12        module against a cached Debian cloud kernel
#   make check                host tests + kselftests in qemu on 6.1 and 6.12
#   make demo                 the propagation-loop incident, start to ENOSPC
#   make bench KVER=..        the module's cost on the mount path (figures, no verdict)
#   make vm-run KVER=.. SCRIPT=file   run a script in a VM with the module loaded

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(CURDIR)
CACHE := $(TOP)/.cache
CC := gcc
CFLAGS := -O2 -Wall -Wextra -Werror
KERNELS := 6.1 6.12

.PHONY: all module tool vm-run check demo bench checkpatch clean

ifeq ($(KVER),)
all: module tool

module:
	@test -d $(KDIR) || { echo "make: no kernel headers at $(KDIR); install them or use KVER=6.1|6.12" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules
else
KDIR_CACHED = $(shell $(TOP)/selftests/fetch-kernel.sh $(KVER))
BUILD := $(TOP)/build/$(KVER)

all: module

# a build directory per kernel, so 6.1 and 6.12 objects never mix
module:
	@kdir="$(KDIR_CACHED)"; test -n "$$kdir" || exit 1; \
	mkdir -p $(BUILD)/src/module && \
	cp $(TOP)/Kbuild $(BUILD)/src/ && \
	cp $(TOP)/module/*.c $(TOP)/module/*.h $(BUILD)/src/module/ && \
	$(MAKE) -C $$kdir/build M=$(BUILD)/src modules && \
	cp $(BUILD)/src/mntwatch.ko $(BUILD)/mntwatch.ko
endif

tool:
	$(MAKE) -C tools

# static binaries for the VM's busybox initramfs
build/bin/mntwatch: tools/*.c tools/mntwatch.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -D_GNU_SOURCE -std=gnu11 -static -o $@ tools/mntwatch.c tools/table.c tools/who.c tools/explain.c tools/util.c

build/bin/mntwatch_test: selftests/mntwatch_test.c
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -I$$(selftests/fetch-kernel.sh source)/tools/testing/selftests -o $@ $<

build/bin/btf_resolve: selftests/btf_resolve.c module/btf.c module/btf.h
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -o $@ selftests/btf_resolve.c module/btf.c

# the user's script runs after the module is loaded, from a generated wrapper
vm-run:
	@test -n "$(KVER)" -a -n "$(SCRIPT)" || { echo "usage: make vm-run KVER=6.1|6.12 SCRIPT=file" >&2; exit 2; }
	@test -f "$(SCRIPT)" || { echo "make vm-run: $(SCRIPT) not found" >&2; exit 2; }
	@$(MAKE) --no-print-directory -s module KVER=$(KVER) >&2
	@$(MAKE) --no-print-directory -s build/bin/mntwatch_test build/bin/mntwatch >&2
	@{ echo 'insmod "$$MNTWATCH_KO" || exit 1'; echo 'cd /tmp'; cat $(SCRIPT); } >build/vm-run-$(KVER).sh
	@selftests/vmtest.sh -k $(KVER) -m build/$(KVER)/mntwatch.ko -b build/bin/mntwatch_test \
		-b build/bin/mntwatch -s build/vm-run-$(KVER).sh

check:
	@selftests/check.sh $(KERNELS)

demo: build/bin/mntwatch
	@$(MAKE) --no-print-directory -s module KVER=6.12 >&2
	@selftests/vmtest.sh -k 6.12 -m build/6.12/mntwatch.ko -b build/bin/mntwatch -s selftests/demo.sh

build/bin/mount_bench: selftests/mount_bench.c
	@mkdir -p build/bin
	$(CC) $(CFLAGS) -static -o $@ $<

bench: build/bin/mount_bench
	@$(MAKE) --no-print-directory -s module KVER=$(or $(KVER),6.12) >&2
	@selftests/vmtest.sh -k $(or $(KVER),6.12) -m build/$(or $(KVER),6.12)/mntwatch.ko \
		-b build/bin/mount_bench -t 1200 -s selftests/bench.sh

checkpatch:
	@perl $$(selftests/fetch-kernel.sh source)/scripts/checkpatch.pl --no-tree --strict --ignore LINUX_VERSION_CODE -f module/*.c module/*.h

clean:
	rm -rf build
	$(MAKE) -C tools clean
	@test ! -d $(KDIR) || $(MAKE) -C $(KDIR) M=$(TOP) clean
