/* SPDX-License-Identifier: GPL-2.0 */
/* mmap_lock.h - the address-space lock (a reader/writer semaphore). */
#ifndef _LINUX_MMAP_LOCK_H
#define _LINUX_MMAP_LOCK_H

#include <linux/mm_types.h>
#include <linux/rwsem.h>
#include <linux/mmdebug.h>

static inline void mmap_init_lock(struct mm_struct *mm)
{
	init_rwsem(&mm->mmap_lock);
}

static inline void mmap_write_lock(struct mm_struct *mm)
{
	down_write(&mm->mmap_lock);
}

static inline int mmap_write_lock_killable(struct mm_struct *mm)
{
	return down_write_killable(&mm->mmap_lock);
}

static inline bool mmap_write_trylock(struct mm_struct *mm)
{
	return down_write_trylock(&mm->mmap_lock);
}

static inline void mmap_write_unlock(struct mm_struct *mm)
{
	up_write(&mm->mmap_lock);
}

static inline void mmap_write_downgrade(struct mm_struct *mm)
{
	downgrade_write(&mm->mmap_lock);
}

static inline void mmap_read_lock(struct mm_struct *mm)
{
	down_read(&mm->mmap_lock);
}

static inline int mmap_read_lock_killable(struct mm_struct *mm)
{
	return down_read_killable(&mm->mmap_lock);
}

static inline bool mmap_read_trylock(struct mm_struct *mm)
{
	return down_read_trylock(&mm->mmap_lock);
}

static inline void mmap_read_unlock(struct mm_struct *mm)
{
	up_read(&mm->mmap_lock);
}

/* Held in some mode by somebody: the model cannot tell readers apart. */
static inline void mmap_assert_locked(struct mm_struct *mm)
{
	VM_WARN_ON_ONCE(!rwsem_is_locked(&mm->mmap_lock));
}

static inline void mmap_assert_write_locked(struct mm_struct *mm)
{
	VM_WARN_ON_ONCE(!rwsem_is_write_locked_by_me(&mm->mmap_lock));
}

static inline bool mmap_lock_is_contended(struct mm_struct *mm)
{
	(void)mm;
	return false;
}

#endif /* _LINUX_MMAP_LOCK_H */
