/* SPDX-License-Identifier: GPL-2.0 */
/* vmalloc.h - large kernel allocations (model/slab.c; can fail on demand). */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

#include <linux/types.h>
#include <linux/fault-inject.h>

/* Each call is a failure site (linux/fault-inject.h, class FAULT_KMALLOC). */
void *vmalloc_at(unsigned long size, bool zero, struct fault_site *site);
void *vmalloc_array_at(size_t n, size_t size, bool zero,
		       struct fault_site *site);
#define vmalloc(size)	\
	vmalloc_at(size, false, FAULT_SITE(FAULT_KMALLOC, "vmalloc"))
#define vzalloc(size)	\
	vmalloc_at(size, true, FAULT_SITE(FAULT_KMALLOC, "vzalloc"))
#define vmalloc_array(n, size)	\
	vmalloc_array_at(n, size, false, FAULT_SITE(FAULT_KMALLOC, "vmalloc_array"))
#define vcalloc(n, size)	\
	vmalloc_array_at(n, size, true, FAULT_SITE(FAULT_KMALLOC, "vcalloc"))
void vfree(const void *addr);

#endif /* _LINUX_VMALLOC_H */
