/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu-refcount.h - a reference count that can be killed: after
 * percpu_ref_kill() live gets fail, and the release callback runs when the
 * count reaches zero.  The model keeps one atomic counter (no per-CPU part);
 * the initial reference is dropped by the kill.
 */
#ifndef _LINUX_PERCPU_REFCOUNT_H
#define _LINUX_PERCPU_REFCOUNT_H

#include <linux/types.h>
#include <linux/atomic.h>

struct percpu_ref;
typedef void (percpu_ref_func_t)(struct percpu_ref *ref);

struct percpu_ref {
	atomic_long_t count;
	bool dead;
	percpu_ref_func_t *release;
};

static inline int percpu_ref_init(struct percpu_ref *ref,
				  percpu_ref_func_t *release,
				  unsigned int flags, gfp_t gfp)
{
	(void)flags; (void)gfp;
	atomic_long_set(&ref->count, 1);
	ref->dead = false;
	ref->release = release;
	return 0;
}

static inline void percpu_ref_exit(struct percpu_ref *ref)
{
	(void)ref;
}

static inline void percpu_ref_put_many(struct percpu_ref *ref, unsigned long nr)
{
	if (atomic_long_sub_and_test(nr, &ref->count) && ref->release)
		ref->release(ref);
}

static inline void percpu_ref_put(struct percpu_ref *ref)
{
	percpu_ref_put_many(ref, 1);
}

static inline void percpu_ref_get_many(struct percpu_ref *ref, unsigned long nr)
{
	atomic_long_add(nr, &ref->count);
}

static inline void percpu_ref_get(struct percpu_ref *ref)
{
	percpu_ref_get_many(ref, 1);
}

/* A reference unless the count was killed (or already zero). */
static inline bool percpu_ref_tryget_live(struct percpu_ref *ref)
{
	if (__atomic_load_n(&ref->dead, __ATOMIC_ACQUIRE))
		return false;
	return atomic_long_inc_not_zero(&ref->count);
}

static inline bool percpu_ref_tryget(struct percpu_ref *ref)
{
	return atomic_long_inc_not_zero(&ref->count);
}

static inline bool percpu_ref_is_dying(struct percpu_ref *ref)
{
	return __atomic_load_n(&ref->dead, __ATOMIC_ACQUIRE);
}

static inline void percpu_ref_kill(struct percpu_ref *ref)
{
	__atomic_store_n(&ref->dead, true, __ATOMIC_RELEASE);
	percpu_ref_put(ref);
}

static inline void percpu_ref_reinit(struct percpu_ref *ref)
{
	atomic_long_set(&ref->count, 1);
	__atomic_store_n(&ref->dead, false, __ATOMIC_RELEASE);
}

#endif /* _LINUX_PERCPU_REFCOUNT_H */
