/* SPDX-License-Identifier: GPL-2.0 */
/* vmalloc.h - large kernel allocations (model/slab.c; can fail on demand). */
#ifndef _LINUX_VMALLOC_H
#define _LINUX_VMALLOC_H

#include <linux/types.h>

void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *vmalloc_array(size_t n, size_t size);
void *vcalloc(size_t n, size_t size);
void vfree(const void *addr);

#endif /* _LINUX_VMALLOC_H */
