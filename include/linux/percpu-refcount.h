/* SPDX-License-Identifier: GPL-2.0 */
/*
 * percpu-refcount.h - a reference count that can be killed: after
 * percpu_ref_kill() live gets fail, and the release callback runs when the
 * count reaches zero (model/percpu-refcount.c).
 *
 * While the ref is live, a get or put counts on the calling CPU's own
 * counter, on a cache line of its own, so that CPUs taking references at
 * once write no shared line; one CPU's counter means nothing alone (a
 * reference taken on one CPU may be dropped on another).  The kill folds
 * the CPUs' counters into one shared atomic count, and from then on every
 * get and put goes there and the release runs at zero.  The kernel waits
 * for an RCU grace period before folding, so that no per-CPU update is in
 * flight; the model has no grace periods, so each CPU's counter is taken
 * by one exchange that also marks it folded, and an update that finds it
 * folded goes to the shared count instead.
 */
#ifndef _LINUX_PERCPU_REFCOUNT_H
#define _LINUX_PERCPU_REFCOUNT_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/gfp_types.h>
#include <linux/sched.h>

struct percpu_ref;
typedef void (percpu_ref_func_t)(struct percpu_ref *ref);

/* A CPU's counter once the kill has folded it into the shared count. */
#define PERCPU_REF_FOLDED	LONG_MIN

struct percpu_ref_cpu {
	atomic_long_t count;
} ____cacheline_aligned_in_smp;

struct percpu_ref {
	atomic_long_t count;		/* the whole count, once folded */
	struct percpu_ref_cpu *cpu;	/* NR_CPUS counters */
	bool dead;
	percpu_ref_func_t *release;
};

int percpu_ref_init(struct percpu_ref *ref, percpu_ref_func_t *release,
		    unsigned int flags, gfp_t gfp);
void percpu_ref_exit(struct percpu_ref *ref);
void percpu_ref_kill(struct percpu_ref *ref);

/* Add @nr on this CPU's counter; false if the kill has folded it. */
static inline bool percpu_ref_cpu_add(struct percpu_ref *ref, long nr)
{
	atomic_long_t *count = &ref->cpu[smp_processor_id()].count;
	long old = atomic_long_read(count);

	do {
		if (old == PERCPU_REF_FOLDED)
			return false;
	} while (!atomic_long_try_cmpxchg(count, &old, old + nr));
	return true;
}

static inline void percpu_ref_get_many(struct percpu_ref *ref, unsigned long nr)
{
	if (!percpu_ref_cpu_add(ref, nr))
		atomic_long_add(nr, &ref->count);
}

static inline void percpu_ref_put_many(struct percpu_ref *ref, unsigned long nr)
{
	if (percpu_ref_cpu_add(ref, -(long)nr))
		return;
	if (atomic_long_sub_and_test(nr, &ref->count) && ref->release)
		ref->release(ref);
}

static inline void percpu_ref_put(struct percpu_ref *ref)
{
	percpu_ref_put_many(ref, 1);
}

static inline bool percpu_ref_is_dying(struct percpu_ref *ref)
{
	return __atomic_load_n(&ref->dead, __ATOMIC_ACQUIRE);
}

/*
 * A reference unless the ref was killed.  A folded counter also fails it:
 * only a kill folds, and it marks the ref dead first.
 */
static inline bool percpu_ref_tryget_live(struct percpu_ref *ref)
{
	return !percpu_ref_is_dying(ref) && percpu_ref_cpu_add(ref, 1);
}

#endif /* _LINUX_PERCPU_REFCOUNT_H */
