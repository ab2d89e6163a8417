// SPDX-License-Identifier: GPL-2.0
/*
 * percpu-refcount.c - the slow paths of percpu_ref (lib/percpu-refcount.c):
 * set-up, and the kill that folds the per-CPU counters into the shared
 * count.  See include/linux/percpu-refcount.h.
 */
#include <linux/kernel.h>
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/percpu-refcount.h>

/*
 * Added to the shared count while the kill folds the CPUs' counters into
 * it one by one: some of them may be negative, and the count must not
 * pass through zero (and release) before the last is in.
 */
#define PERCPU_REF_BIAS		(LONG_MAX / 2)

/**
 * percpu_ref_init() - a live ref holding the initial reference
 * @ref: the ref
 * @release: called when the count reaches zero after the kill
 * @flags: unused: every ref starts live, counted per CPU
 * @gfp: for the per-CPU counters
 *
 * Return: 0, or -ENOMEM.
 */
int percpu_ref_init(struct percpu_ref *ref, percpu_ref_func_t *release,
		    unsigned int flags, gfp_t gfp)
{
	(void)flags;
	ref->cpu = kcalloc(NR_CPUS, sizeof(*ref->cpu), gfp);
	if (!ref->cpu)
		return -ENOMEM;
	atomic_long_set(&ref->count, 1);
	ref->dead = false;
	ref->release = release;
	return 0;
}

void percpu_ref_exit(struct percpu_ref *ref)
{
	kfree(ref->cpu);
	ref->cpu = NULL;
}

/**
 * percpu_ref_kill() - fail live gets from now on and drop the initial ref
 * @ref: a live ref
 *
 * A get or put that ran on a CPU before its counter was folded is in the
 * sum; one after it goes to the shared count.  Either way it is counted
 * once, and the release runs when the last reference goes.
 */
void percpu_ref_kill(struct percpu_ref *ref)
{
	int cpu;

	if (WARN_ON_ONCE(percpu_ref_is_dying(ref)))
		return;
	__atomic_store_n(&ref->dead, true, __ATOMIC_RELEASE);
	atomic_long_add(PERCPU_REF_BIAS, &ref->count);
	for_each_possible_cpu(cpu)
		atomic_long_add(atomic_long_xchg(&ref->cpu[cpu].count,
						 PERCPU_REF_FOLDED),
				&ref->count);
	if (atomic_long_sub_and_test(PERCPU_REF_BIAS + 1, &ref->count) &&
	    ref->release)
		ref->release(ref);
}
