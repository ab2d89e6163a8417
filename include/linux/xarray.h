/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xarray.h - a sparse array of pointers indexed by unsigned long
 * (model/xarray.c: a radix tree of 64-slot nodes under one spinlock).
 *
 * Entries are pointers aligned to 4 bytes, or "value" entries (odd
 * integers).  Internal entries (low bits 10) are the tree's own and, as
 * return values, encode errors.
 */
#ifndef _LINUX_XARRAY_H
#define _LINUX_XARRAY_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/spinlock.h>
#include <linux/gfp_types.h>
#include <linux/errno.h>
#include <linux/err.h>

#define BITS_PER_XA_VALUE	(BITS_PER_LONG - 1)

/*
 * The two low bits of an entry say what it is: x1 a value entry, 10 an
 * internal entry, 00 a pointer (which users may tag in those same bits).
 */
static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

static inline bool xa_is_internal(const void *entry)
{
	return ((unsigned long)entry & 3) == 2;
}

static inline void *xa_mk_internal(unsigned long v)
{
	return (void *)((v << 2) | 2);
}

static inline unsigned long xa_to_internal(const void *entry)
{
	return (unsigned long)entry >> 2;
}

/* Two tag bits in the low bits of an aligned pointer. */
static inline unsigned int xa_pointer_tag(void *entry)
{
	return (unsigned long)entry & 3UL;
}

static inline void *xa_tag_pointer(void *p, unsigned long tag)
{
	return (void *)((unsigned long)p | tag);
}

static inline void *xa_untag_pointer(void *entry)
{
	return (void *)((unsigned long)entry & ~3UL);
}

/* Errors come back as the internal entries of -MAX_ERRNO .. -1. */
static inline bool xa_is_err(const void *entry)
{
	return unlikely(xa_is_internal(entry) &&
			entry >= xa_mk_internal(-MAX_ERRNO));
}

static inline int xa_err(void *entry)
{
	/* An arithmetic shift undoes XA_ERROR() and keeps the sign. */
	return xa_is_err(entry) ? (int)((long)entry >> 2) : 0;
}

#define XA_ERROR(errno)	((void *)(((unsigned long)(errno) << 2) | 2UL))

typedef unsigned int xa_mark_t;
#define XA_PRESENT	((xa_mark_t)8U)

struct xa_node;

struct xarray {
	spinlock_t xa_lock;
	unsigned int xa_flags;
	unsigned int xa_shift;		/* index bits below the root node */
	void *xa_head;			/* entry 0 (shift 0, no node) or a node */
};

#define XA_FLAGS_ALLOC		0x1U
#define XARRAY_INIT(name, flags) { .xa_flags = (flags) }
#define DEFINE_XARRAY(name)	struct xarray name = XARRAY_INIT(name, 0)

static inline void xa_init_flags(struct xarray *xa, unsigned int flags)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_flags = flags;
	xa->xa_shift = 0;
	xa->xa_head = NULL;
}

static inline void xa_init(struct xarray *xa)
{
	xa_init_flags(xa, 0);
}

#define xa_lock(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)		spin_unlock(&(xa)->xa_lock)
#define xa_lock_irq(xa)		spin_lock(&(xa)->xa_lock)
#define xa_unlock_irq(xa)	spin_unlock(&(xa)->xa_lock)

void *xa_load(struct xarray *xa, unsigned long index);
void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *xa_erase(struct xarray *xa, unsigned long index);
void xa_destroy(struct xarray *xa);
/* Lock held by the caller. */
void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *__xa_erase(struct xarray *xa, unsigned long index);
/* Store @entry at an empty @index: 0, -EBUSY if occupied, or -ENOMEM. */
int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);

/*
 * xa_find() - first present entry at or after *@indexp, up to @max
 * (inclusive); stores its index in *@indexp.  xa_find_after() starts after
 * *@indexp.  NULL when there is none.
 */
void *xa_find(struct xarray *xa, unsigned long *indexp, unsigned long max,
	      xa_mark_t filter);
void *xa_find_after(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter);

static inline bool xa_empty(const struct xarray *xa)
{
	return __atomic_load_n(&xa->xa_head, __ATOMIC_RELAXED) == NULL;
}

/* Visit each present entry with start <= index <= last, in index order. */
#define xa_for_each_range(xa, index, entry, start, last)		\
	for ((index) = (start),						\
	     (entry) = xa_find((xa), &(index), (last), XA_PRESENT);	\
	     (entry) != NULL;						\
	     (entry) = xa_find_after((xa), &(index), (last), XA_PRESENT))

#define xa_for_each(xa, index, entry)					\
	xa_for_each_range(xa, index, entry, 0, ULONG_MAX)

#define xa_for_each_start(xa, index, entry, start)			\
	xa_for_each_range(xa, index, entry, start, ULONG_MAX)

#endif /* _LINUX_XARRAY_H */
