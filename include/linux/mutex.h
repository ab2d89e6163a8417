/* SPDX-License-Identifier: GPL-2.0 */
/* mutex.h - sleeping locks over host mutexes. */
#ifndef _LINUX_MUTEX_H
#define _LINUX_MUTEX_H

#include <linux/types.h>
#include <linux/bug.h>
#include <host/host.h>

/* @owner is the host thread id of the holder (0: free), for assertions. */
struct mutex {
	struct host_mutex lock;
	unsigned long owner;
};

/* glibc's static pthread initialisers are all-zero (checked in host.c). */
#define __MUTEX_INITIALIZER(name)	{ .owner = 0 }
#define DEFINE_MUTEX(name)		struct mutex name = __MUTEX_INITIALIZER(name)

static inline void mutex_init(struct mutex *m)
{
	host_mutex_init(&m->lock);
	m->owner = 0;
}

static inline void mutex_destroy(struct mutex *m)
{
	host_mutex_destroy(&m->lock);
}

static inline void mutex_lock(struct mutex *m)
{
	host_mutex_lock(&m->lock);
	__atomic_store_n(&m->owner, host_thread_id(), __ATOMIC_RELAXED);
}

static inline int mutex_lock_interruptible(struct mutex *m)
{
	mutex_lock(m);
	return 0;
}

static inline bool mutex_trylock(struct mutex *m)
{
	if (!host_mutex_trylock(&m->lock))
		return false;
	__atomic_store_n(&m->owner, host_thread_id(), __ATOMIC_RELAXED);
	return true;
}

static inline void mutex_unlock(struct mutex *m)
{
	__atomic_store_n(&m->owner, 0, __ATOMIC_RELAXED);
	host_mutex_unlock(&m->lock);
}

static inline bool mutex_is_locked(struct mutex *m)
{
	return __atomic_load_n(&m->owner, __ATOMIC_RELAXED) != 0;
}

#define lockdep_assert_held_mutex(m)	WARN_ON(!mutex_is_locked(m))

#endif /* _LINUX_MUTEX_H */
