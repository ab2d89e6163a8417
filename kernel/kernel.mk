# SPDX-License-Identifier: GPL-2.0
#
# make kernel-check   our mm/migrate_device.c in a real Linux 6.12 kernel:
#                     build stock and ours, boot both under QEMU, run the
#                     kernel's hmm-tests (THP madvise and always), compare
# make kernel-bench   in-guest migration cost, ours/stock (QEMU -icount)
# make kernel-diff    the scenario corpus (+ GEN=N SEED=S generated scripts)
#                     on the model and in the guest on stock and ours; one
#                     row per script, non-zero if model or ours != stock
# make model-diff     the model alone again on the last kernel-diff's scripts,
#                     against the kernels' transcripts kept from it (seconds)
# make kernel-clean   drop the kernel cache directory
#
# Everything kernel-side lives in $(DEVMIG_KCACHE), outside the repository.

DEVMIG_KCACHE  ?= $(HOME)/.cache/devmig-kernel
DEVMIG_SUBJECT ?= $(CURDIR)/mm/migrate_device.c
DEVMIG_JOBS    ?= 2

KCHECK_ENV = DEVMIG_KCACHE='$(DEVMIG_KCACHE)' DEVMIG_SUBJECT='$(DEVMIG_SUBJECT)' \
	DEVMIG_JOBS='$(DEVMIG_JOBS)'

.PHONY: kernel-check kernel-bench kernel-diff model-diff kernel-clean

kernel-check:
	@$(KCHECK_ENV) bash kernel/kcheck.sh check

kernel-bench:
	@$(KCHECK_ENV) bash kernel/kcheck.sh bench

GEN  ?= 0
SEED ?= 1

kernel-diff: $(BUILD)/devmig $(BUILD)/devmig-static
	@$(KCHECK_ENV) GEN='$(GEN)' SEED='$(SEED)' bash kernel/kdiff.sh '$(BUILD)'

model-diff: $(BUILD)/devmig
	@$(KCHECK_ENV) bash kernel/kdiff.sh --model-only '$(BUILD)'

kernel-clean:
	rm -rf '$(DEVMIG_KCACHE)'
