/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmu_notifier.h - telling secondary MMUs (devices) about CPU page-table
 * changes (model/mmu_notifier.c).
 *
 * Two kinds of subscriber: an mmu_notifier sees every invalidation of its
 * mm through its ops; an mmu_interval_notifier sees only those overlapping
 * its interval, and pairs with a sequence count so a driver can tell
 * whether a snapshot it took (hmm_range_fault()) is still valid.
 */
#ifndef _LINUX_MMU_NOTIFIER_H
#define _LINUX_MMU_NOTIFIER_H

#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/compiler.h>

struct mmu_interval_notifier;
struct mmu_notifier;
struct mmu_notifier_range;

/**
 * enum mmu_notifier_event - why a range is invalidated
 * @MMU_NOTIFY_UNMAP: the range is unmapped (munmap)
 * @MMU_NOTIFY_CLEAR: PTEs are cleared (zap, split, try_to_migrate, ...)
 * @MMU_NOTIFY_PROTECTION_VMA: mprotect of the range
 * @MMU_NOTIFY_PROTECTION_PAGE: protection of individual pages changes
 * @MMU_NOTIFY_SOFT_DIRTY: soft-dirty tracking is reset
 * @MMU_NOTIFY_RELEASE: the mm is going away
 * @MMU_NOTIFY_MIGRATE: device migration; range->owner is the migrating
 *	driver, which may skip invalidating its own device pages
 * @MMU_NOTIFY_EXCLUSIVE: device-exclusive access granted (owner set) or
 *	revoked (owner NULL)
 */
enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP		= 0,
	MMU_NOTIFY_CLEAR		= 1,
	MMU_NOTIFY_PROTECTION_VMA	= 2,
	MMU_NOTIFY_PROTECTION_PAGE	= 3,
	MMU_NOTIFY_SOFT_DIRTY		= 4,
	MMU_NOTIFY_RELEASE		= 5,
	MMU_NOTIFY_MIGRATE		= 6,
	MMU_NOTIFY_EXCLUSIVE		= 7,
};

/**
 * struct mmu_notifier_range - one invalidation
 * @mm: the address space
 * @start: first address
 * @end: one past the last address
 * @flags: MMU_NOTIFIER_RANGE_*
 * @event: why
 * @owner: for MIGRATE/EXCLUSIVE, the driver that caused it
 */
struct mmu_notifier_range {
	struct mm_struct *mm;
	unsigned long start, end;
	enum mmu_notifier_event event;
	void *owner;
	unsigned int flags;
};

/* mmu_notifier_range.flags: subscribers may sleep. */
#define MMU_NOTIFIER_RANGE_BLOCKABLE	(1 << 0)

/**
 * struct mmu_notifier_ops - callbacks of a whole-mm subscriber
 * @release: the mm is being torn down (exit) or the subscriber unregistered
 *	first; after it, no more callbacks for this mm
 * @clear_flush_young: age the range in the secondary MMU; true if young
 * @clear_young: as above without flushing
 * @test_young: is the page at @address young in the secondary MMU
 * @invalidate_range_start: stop using PTEs of the range; they are about to
 *	change.  Return 0, or -EAGAIN only for a non-blockable range.
 * @invalidate_range_end: the change is done
 * @arch_invalidate_secondary_tlbs: flush the secondary TLB for the range
 * @alloc_notifier: mmu_notifier_get() constructor (unused by the model)
 * @free_notifier: mmu_notifier_put() destructor (unused by the model)
 */
struct mmu_notifier_ops {
	/* Invalidation: the callbacks a device mirror needs. */
	int (*invalidate_range_start)(struct mmu_notifier *subscription,
				      const struct mmu_notifier_range *range);
	void (*invalidate_range_end)(struct mmu_notifier *subscription,
				     const struct mmu_notifier_range *range);
	void (*arch_invalidate_secondary_tlbs)(struct mmu_notifier *subscription,
					       struct mm_struct *mm,
					       unsigned long start,
					       unsigned long end);
	void (*release)(struct mmu_notifier *subscription, struct mm_struct *mm);

	/* Access-bit aging. */
	int (*test_young)(struct mmu_notifier *subscription,
			  struct mm_struct *mm, unsigned long address);
	int (*clear_young)(struct mmu_notifier *subscription,
			   struct mm_struct *mm, unsigned long start,
			   unsigned long end);
	int (*clear_flush_young)(struct mmu_notifier *subscription,
				 struct mm_struct *mm, unsigned long start,
				 unsigned long end);

	/* Lifetime, for mmu_notifier_get()/mmu_notifier_put(). */
	struct mmu_notifier *(*alloc_notifier)(struct mm_struct *mm);
	void (*free_notifier)(struct mmu_notifier *subscription);
};

struct mmu_notifier {
	struct mm_struct *mm;
	const struct mmu_notifier_ops *ops;
	struct hlist_node hlist;	/* in the mm's subscription list */
	unsigned int users;
	struct rcu_head rcu;
};

/**
 * struct mmu_interval_notifier_ops - callbacks of an interval subscriber
 * @invalidate: the interval overlaps an invalidation; call
 *	mmu_interval_set_seq(@cur_seq) under the driver lock, stop using the
 *	range, and return true.  Return false only if the range is not
 *	blockable and the driver lock could not be taken.
 */
struct mmu_interval_notifier_ops {
	bool (*invalidate)(struct mmu_interval_notifier *interval_sub,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq);
};

/* [start, last] inclusive, as the kernel's interval tree nodes. */
struct interval_tree_node {
	struct list_head node;		/* model: in the mm's interval list */
	unsigned long start;
	unsigned long last;
};

struct mmu_interval_notifier {
	struct interval_tree_node interval_tree;
	const struct mmu_interval_notifier_ops *ops;
	struct mm_struct *mm;
	unsigned long invalidate_seq;
};

int mmu_notifier_register(struct mmu_notifier *subscription,
			  struct mm_struct *mm);
int __mmu_notifier_register(struct mmu_notifier *subscription,
			    struct mm_struct *mm);
void mmu_notifier_unregister(struct mmu_notifier *subscription,
			     struct mm_struct *mm);
void mmu_notifier_synchronize(void);

int mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub,
				 struct mm_struct *mm, unsigned long start,
				 unsigned long length,
				 const struct mmu_interval_notifier_ops *ops);
int mmu_interval_notifier_insert_locked(struct mmu_interval_notifier *interval_sub,
					struct mm_struct *mm, unsigned long start,
					unsigned long length,
					const struct mmu_interval_notifier_ops *ops);
void mmu_interval_notifier_remove(struct mmu_interval_notifier *interval_sub);
unsigned long mmu_interval_read_begin(struct mmu_interval_notifier *interval_sub);

/* From ->invalidate(), under the driver lock: the snapshot is now stale. */
static inline void mmu_interval_set_seq(struct mmu_interval_notifier *interval_sub,
					unsigned long cur_seq)
{
	WRITE_ONCE(interval_sub->invalidate_seq, cur_seq);
}

/* Under the driver lock: true if the snapshot from @seq must be retaken. */
static inline bool mmu_interval_read_retry(struct mmu_interval_notifier *interval_sub,
					   unsigned long seq)
{
	return READ_ONCE(interval_sub->invalidate_seq) != seq;
}

/* Lockless early check; false answers are not final. */
static inline bool mmu_interval_check_retry(struct mmu_interval_notifier *interval_sub,
					    unsigned long seq)
{
	return READ_ONCE(interval_sub->invalidate_seq) != seq;
}

static inline bool mmu_notifier_range_blockable(const struct mmu_notifier_range *range)
{
	return range->flags & MMU_NOTIFIER_RANGE_BLOCKABLE;
}

static inline bool mm_has_notifiers(struct mm_struct *mm)
{
	return unlikely(__atomic_load_n(&mm->notifier_subscriptions, __ATOMIC_ACQUIRE));
}

int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range);
void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range);
void __mmu_notifier_release(struct mm_struct *mm);
void __mmu_notifier_subscriptions_destroy(struct mm_struct *mm);

static inline void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	if (mm_has_notifiers(range->mm)) {
		range->flags |= MMU_NOTIFIER_RANGE_BLOCKABLE;
		__mmu_notifier_invalidate_range_start(range);
	}
}

/* Returns -EAGAIN if a subscriber could not proceed without blocking. */
static inline int mmu_notifier_invalidate_range_start_nonblock(struct mmu_notifier_range *range)
{
	int ret = 0;

	if (mm_has_notifiers(range->mm)) {
		range->flags &= ~MMU_NOTIFIER_RANGE_BLOCKABLE;
		ret = __mmu_notifier_invalidate_range_start(range);
	}
	return ret;
}

static inline void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	if (mm_has_notifiers(range->mm))
		__mmu_notifier_invalidate_range_end(range);
}

static inline void mmu_notifier_release(struct mm_struct *mm)
{
	if (mm_has_notifiers(mm))
		__mmu_notifier_release(mm);
}

/* A new mm starts with no subscribers; the table is made on first use. */
static inline void mmu_notifier_subscriptions_init(struct mm_struct *mm)
{
	mm->notifier_subscriptions = NULL;
}

static inline void mmu_notifier_subscriptions_destroy(struct mm_struct *mm)
{
	if (!mm_has_notifiers(mm))
		return;
	__mmu_notifier_subscriptions_destroy(mm);
}

/* Describe an invalidation before passing it to _start() and _end(). */
static inline void mmu_notifier_range_init(struct mmu_notifier_range *range,
					   enum mmu_notifier_event event,
					   unsigned int flags,
					   struct mm_struct *mm,
					   unsigned long start,
					   unsigned long end)
{
	*range = (struct mmu_notifier_range) {
		.mm	= mm,
		.start	= start,
		.end	= end,
		.event	= event,
		.flags	= flags,
		.owner	= NULL,
	};
}

static inline void mmu_notifier_range_init_owner(struct mmu_notifier_range *range,
						 enum mmu_notifier_event event,
						 unsigned int flags,
						 struct mm_struct *mm,
						 unsigned long start,
						 unsigned long end, void *owner)
{
	mmu_notifier_range_init(range, event, flags, mm, start, end);
	range->owner = owner;
}

static inline int mmu_notifier_clear_flush_young(struct mm_struct *mm,
						 unsigned long start,
						 unsigned long end)
{
	(void)mm; (void)start; (void)end;
	return 0;
}

static inline int mmu_notifier_test_young(struct mm_struct *mm,
					  unsigned long address)
{
	(void)mm; (void)address;
	return 0;
}

#define ptep_clear_flush_young_notify ptep_clear_flush_young

#endif /* _LINUX_MMU_NOTIFIER_H */
