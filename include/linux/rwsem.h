/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rwsem.h - reader/writer semaphores over host rwlocks.  The counters exist
 * only so that "is it held?" assertions (mmap_assert_locked()) can be made.
 */
#ifndef _LINUX_RWSEM_H
#define _LINUX_RWSEM_H

#include <linux/types.h>
#include <host/host.h>

struct rw_semaphore {
	struct host_rwlock lock;
	long readers;		/* number of read holders */
	unsigned long writer;	/* host thread id of the write holder, or 0 */
};

#define __RWSEM_INITIALIZER(name)	{ .readers = 0, .writer = 0 }
#define DECLARE_RWSEM(name)		struct rw_semaphore name = __RWSEM_INITIALIZER(name)

static inline void init_rwsem(struct rw_semaphore *sem)
{
	host_rwlock_init(&sem->lock);
	sem->readers = 0;
	sem->writer = 0;
}

static inline void down_read(struct rw_semaphore *sem)
{
	host_rwlock_rdlock(&sem->lock);
	__atomic_fetch_add(&sem->readers, 1, __ATOMIC_RELAXED);
}

static inline int down_read_trylock(struct rw_semaphore *sem)
{
	if (!host_rwlock_tryrdlock(&sem->lock))
		return 0;
	__atomic_fetch_add(&sem->readers, 1, __ATOMIC_RELAXED);
	return 1;
}

static inline int down_read_killable(struct rw_semaphore *sem)
{
	down_read(sem);
	return 0;
}

static inline void up_read(struct rw_semaphore *sem)
{
	__atomic_fetch_sub(&sem->readers, 1, __ATOMIC_RELAXED);
	host_rwlock_unlock(&sem->lock);
}

static inline void down_write(struct rw_semaphore *sem)
{
	host_rwlock_wrlock(&sem->lock);
	__atomic_store_n(&sem->writer, host_thread_id(), __ATOMIC_RELAXED);
}

static inline int down_write_trylock(struct rw_semaphore *sem)
{
	if (!host_rwlock_trywrlock(&sem->lock))
		return 0;
	__atomic_store_n(&sem->writer, host_thread_id(), __ATOMIC_RELAXED);
	return 1;
}

static inline int down_write_killable(struct rw_semaphore *sem)
{
	down_write(sem);
	return 0;
}

static inline void up_write(struct rw_semaphore *sem)
{
	__atomic_store_n(&sem->writer, 0, __ATOMIC_RELAXED);
	host_rwlock_unlock(&sem->lock);
}

/* Atomic write -> read conversion is not needed; keep the write lock. */
static inline void downgrade_write(struct rw_semaphore *sem)
{
	(void)sem;
}

static inline bool rwsem_is_locked(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->readers, __ATOMIC_RELAXED) > 0 ||
	       __atomic_load_n(&sem->writer, __ATOMIC_RELAXED) != 0;
}

static inline bool rwsem_is_write_locked_by_me(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->writer, __ATOMIC_RELAXED) == host_thread_id();
}

#endif /* _LINUX_RWSEM_H */
