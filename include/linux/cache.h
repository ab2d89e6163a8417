/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cache.h - cache-line size and alignment (model).
 *
 * The kernel keeps each CPU's data in its own per-CPU area; the model keeps
 * it in arrays indexed by CPU, so an element must fill whole cache lines or
 * two host threads working on neighbouring CPUs write the same line.
 */
#ifndef _LINUX_CACHE_H
#define _LINUX_CACHE_H

#include <linux/compiler.h>

#define L1_CACHE_BYTES			64	/* x86-64 */
#define SMP_CACHE_BYTES			L1_CACHE_BYTES
#define ____cacheline_aligned		__aligned(SMP_CACHE_BYTES)
#define ____cacheline_aligned_in_smp	____cacheline_aligned

#endif /* _LINUX_CACHE_H */
