/* SPDX-License-Identifier: GPL-2.0 */
/* oom.h - the OOM killer's mark on an address space it is tearing down. */
#ifndef _LINUX_OOM_H
#define _LINUX_OOM_H

#include <linux/mm.h>

/*
 * Once the OOM reaper has started unmapping an mm (MMF_UNSTABLE), its page
 * tables may be missing pages that were there: refuse to populate it and
 * report a bus error to any fault instead.
 */
static inline vm_fault_t check_stable_address_space(struct mm_struct *mm)
{
	if (unlikely(test_bit(MMF_UNSTABLE, &mm->flags)))
		return VM_FAULT_SIGBUS;
	return 0;
}

#endif /* _LINUX_OOM_H */
