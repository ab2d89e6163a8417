// SPDX-License-Identifier: GPL-2.0
/*
 * mmu_notifier.c - delivering CPU page-table invalidations to secondary
 * MMUs (mm/mmu_notifier.c).
 *
 * Each mm with subscribers has one mmu_notifier_subscriptions:
 *  - whole-mm subscribers (struct mmu_notifier) on a list;
 *  - interval subscribers on a second list (the kernel's interval tree);
 *  - invalidate_seq: odd while any invalidation is between start and end.
 *
 * An interval subscriber's own invalidate_seq is set (through
 * mmu_interval_set_seq()) to the odd value of the invalidation that hit it.
 * mmu_interval_read_begin() returns that value, after waiting until the
 * invalidation is over if one is in progress, so a snapshot taken after it
 * is stale exactly when a later invalidation changed the subscriber's seq.
 *
 * The lists are walked under list_sem (read); subscribing and unsubscribing
 * take it for write, so they wait for callbacks in flight.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/wait.h>

struct mmu_notifier_subscriptions {
	struct hlist_head list;			/* struct mmu_notifier */
	struct list_head itree;			/* struct mmu_interval_notifier */
	struct rw_semaphore list_sem;
	spinlock_t lock;			/* the two fields below */
	unsigned long invalidate_seq;		/* odd: invalidation active */
	unsigned long active_invalidate_ranges;
	wait_queue_head_t wq;			/* read_begin() waiters */
	bool released;				/* ->release() delivered */
};

/* The mm's subscriptions, created on first use (mmap_lock held for write). */
static struct mmu_notifier_subscriptions *get_subscriptions(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	if (subs)
		return subs;
	subs = kzalloc(sizeof(*subs), GFP_KERNEL);
	if (!subs)
		return NULL;
	INIT_HLIST_HEAD(&subs->list);
	INIT_LIST_HEAD(&subs->itree);
	init_rwsem(&subs->list_sem);
	spin_lock_init(&subs->lock);
	/* Even: no invalidation in progress. */
	subs->invalidate_seq = 2;
	init_waitqueue_head(&subs->wq);
	/* Release store: a reader that sees the pointer sees the fields. */
	__atomic_store_n(&mm->notifier_subscriptions, subs, __ATOMIC_RELEASE);
	return subs;
}

/**
 * __mmu_notifier_register() - subscribe @subscription to @mm
 * @subscription: ops set; registered at most once
 * @mm: the mm; mmap_lock held for write
 *
 * Takes a reference on the mm struct (mm_count) until unregistered.
 *
 * Return: 0 or -ENOMEM.
 */
int __mmu_notifier_register(struct mmu_notifier *subscription, struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs;

	mmap_assert_write_locked(mm);
	subs = get_subscriptions(mm);
	if (!subs)
		return -ENOMEM;
	mmgrab(mm);
	subscription->mm = mm;
	subscription->users = 1;
	down_write(&subs->list_sem);
	hlist_add_head(&subscription->hlist, &subs->list);
	up_write(&subs->list_sem);
	return 0;
}

/* mmu_notifier_register() - __mmu_notifier_register() taking mmap_lock itself. */
int mmu_notifier_register(struct mmu_notifier *subscription, struct mm_struct *mm)
{
	int ret;

	mmap_write_lock(mm);
	ret = __mmu_notifier_register(subscription, mm);
	mmap_write_unlock(mm);
	return ret;
}

/**
 * mmu_notifier_unregister() - end a subscription
 * @subscription: registered with @mm
 * @mm: the mm
 *
 * Calls ->release() unless the mm's teardown already did; waits for
 * callbacks in flight; drops the mm reference.
 */
void mmu_notifier_unregister(struct mmu_notifier *subscription, struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	bool release = false;

	down_write(&subs->list_sem);
	if (!hlist_unhashed(&subscription->hlist)) {
		hlist_del_init(&subscription->hlist);
		release = true;
	}
	up_write(&subs->list_sem);
	if (release && subscription->ops->release)
		subscription->ops->release(subscription, mm);
	mmdrop(mm);
}

void mmu_notifier_synchronize(void)
{
}

/**
 * __mmu_notifier_release() - the mm is being torn down (exit_mmap())
 * @mm: the mm
 *
 * Every whole-mm subscriber gets ->release() once and leaves the list.
 */
void __mmu_notifier_release(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;
	struct mmu_notifier *sub;

	for (;;) {
		down_write(&subs->list_sem);
		sub = hlist_entry_safe(subs->list.first, struct mmu_notifier, hlist);
		if (sub)
			hlist_del_init(&sub->hlist);
		up_write(&subs->list_sem);
		if (!sub)
			break;
		if (sub->ops->release)
			sub->ops->release(sub, mm);
	}
	subs->released = true;
}

void __mmu_notifier_subscriptions_destroy(struct mm_struct *mm)
{
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	WARN_ON(!hlist_empty(&subs->list) || !list_empty(&subs->itree));
	kfree(subs);
	mm->notifier_subscriptions = NULL;
}

static bool range_overlaps(const struct mmu_interval_notifier *sub,
			   const struct mmu_notifier_range *range)
{
	return sub->interval_tree.start < range->end &&
	       sub->interval_tree.last >= range->start;
}

/**
 * __mmu_notifier_invalidate_range_start() - tell subscribers a range changes
 * @range: the range; flags say whether callbacks may block
 *
 * Return: 0, or -EAGAIN if a subscriber could not proceed without blocking
 * (only for non-blockable ranges); the invalidation is then not started.
 */
int __mmu_notifier_invalidate_range_start(struct mmu_notifier_range *range)
{
	struct mmu_notifier_subscriptions *subs = range->mm->notifier_subscriptions;
	struct mmu_interval_notifier *isub;
	struct mmu_notifier *sub;
	unsigned long cur_seq;
	int ret = 0;

	down_read(&subs->list_sem);
	spin_lock(&subs->lock);
	if (subs->active_invalidate_ranges++ == 0)
		WRITE_ONCE(subs->invalidate_seq, subs->invalidate_seq | 1);
	cur_seq = subs->invalidate_seq;
	spin_unlock(&subs->lock);

	list_for_each_entry(isub, &subs->itree, interval_tree.node) {
		if (!range_overlaps(isub, range))
			continue;
		if (!isub->ops->invalidate(isub, range, cur_seq)) {
			WARN_ON(mmu_notifier_range_blockable(range));
			ret = -EAGAIN;
			break;
		}
	}
	if (!ret) {
		hlist_for_each_entry(sub, &subs->list, hlist) {
			int r;

			if (!sub->ops->invalidate_range_start)
				continue;
			r = sub->ops->invalidate_range_start(sub, range);
			if (r) {
				WARN_ON(mmu_notifier_range_blockable(range) || r != -EAGAIN);
				ret = r;
				break;
			}
		}
	}
	up_read(&subs->list_sem);
	if (ret)
		__mmu_notifier_invalidate_range_end(range);
	return ret;
}

/*
 * End of an invalidation: when the last one in flight ends the sequence
 * becomes even again and read_begin() waiters may proceed.
 */
void __mmu_notifier_invalidate_range_end(struct mmu_notifier_range *range)
{
	struct mmu_notifier_subscriptions *subs = range->mm->notifier_subscriptions;
	struct mmu_notifier *sub;
	bool wake = false;

	down_read(&subs->list_sem);
	hlist_for_each_entry(sub, &subs->list, hlist)
		if (sub->ops->invalidate_range_end)
			sub->ops->invalidate_range_end(sub, range);
	up_read(&subs->list_sem);

	spin_lock(&subs->lock);
	if (--subs->active_invalidate_ranges == 0) {
		WRITE_ONCE(subs->invalidate_seq, subs->invalidate_seq + 1);
		wake = true;
	}
	spin_unlock(&subs->lock);
	if (wake)
		wake_up_all(&subs->wq);
}

static int __mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub,
					  struct mm_struct *mm,
					  struct mmu_notifier_subscriptions *subs,
					  unsigned long start, unsigned long length,
					  const struct mmu_interval_notifier_ops *ops)
{
	unsigned long last;

	if (length == 0 || __builtin_add_overflow(start, length - 1, &last))
		return -EOVERFLOW;
	interval_sub->mm = mm;
	interval_sub->ops = ops;
	interval_sub->interval_tree.start = start;
	interval_sub->interval_tree.last = last;
	mmgrab(mm);

	down_write(&subs->list_sem);
	spin_lock(&subs->lock);
	/*
	 * Inserted during an invalidation: the first read_begin() must wait
	 * for it (same odd seq); otherwise any seq that is not current works.
	 */
	if (subs->active_invalidate_ranges)
		interval_sub->invalidate_seq = subs->invalidate_seq;
	else
		interval_sub->invalidate_seq = subs->invalidate_seq - 1;
	list_add_tail(&interval_sub->interval_tree.node, &subs->itree);
	spin_unlock(&subs->lock);
	up_write(&subs->list_sem);
	return 0;
}

/**
 * mmu_interval_notifier_insert() - subscribe to invalidations of a range
 * @interval_sub: the subscription
 * @mm: the mm
 * @start: first address
 * @length: bytes
 * @ops: callbacks
 *
 * Takes mmap_lock (write) to create the mm's subscription state if needed.
 *
 * Return: 0, -ENOMEM, or -EOVERFLOW for an empty or wrapping range.
 */
int mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub,
				 struct mm_struct *mm, unsigned long start,
				 unsigned long length,
				 const struct mmu_interval_notifier_ops *ops)
{
	struct mmu_notifier_subscriptions *subs;

	subs = __atomic_load_n(&mm->notifier_subscriptions, __ATOMIC_ACQUIRE);
	if (!subs) {
		mmap_write_lock(mm);
		subs = get_subscriptions(mm);
		mmap_write_unlock(mm);
		if (!subs)
			return -ENOMEM;
	}
	return __mmu_interval_notifier_insert(interval_sub, mm, subs, start,
					      length, ops);
}

/* As mmu_interval_notifier_insert(), with mmap_lock held for write. */
int mmu_interval_notifier_insert_locked(struct mmu_interval_notifier *interval_sub,
					struct mm_struct *mm, unsigned long start,
					unsigned long length,
					const struct mmu_interval_notifier_ops *ops)
{
	struct mmu_notifier_subscriptions *subs;

	mmap_assert_write_locked(mm);
	subs = get_subscriptions(mm);
	if (!subs)
		return -ENOMEM;
	return __mmu_interval_notifier_insert(interval_sub, mm, subs, start,
					      length, ops);
}

/**
 * mmu_interval_notifier_remove() - end an interval subscription
 * @interval_sub: an inserted subscription
 *
 * Waits for callbacks in flight; afterwards ->invalidate() is never called
 * again for it.  Drops the mm reference taken at insertion.
 */
void mmu_interval_notifier_remove(struct mmu_interval_notifier *interval_sub)
{
	struct mm_struct *mm = interval_sub->mm;
	struct mmu_notifier_subscriptions *subs = mm->notifier_subscriptions;

	down_write(&subs->list_sem);
	list_del_init(&interval_sub->interval_tree.node);
	up_write(&subs->list_sem);
	mmdrop(mm);
}

/* The subscriber's sequence; drivers store it under their own lock only. */
static unsigned long interval_seq(const struct mmu_interval_notifier *sub)
{
	return READ_ONCE(sub->invalidate_seq);
}

static bool seq_moved(struct mmu_notifier_subscriptions *subs, unsigned long seq)
{
	return READ_ONCE(subs->invalidate_seq) != seq;
}

/**
 * mmu_interval_read_begin() - start a snapshot of the interval's range
 * @interval_sub: the subscription
 *
 * If an invalidation that hit this interval is still in progress, waits
 * for it to end first.
 *
 * Return: the sequence to pass to mmu_interval_read_retry().
 */
unsigned long mmu_interval_read_begin(struct mmu_interval_notifier *interval_sub)
{
	struct mmu_notifier_subscriptions *subs = interval_sub->mm->notifier_subscriptions;
	unsigned long seq;
	bool busy;

	spin_lock(&subs->lock);
	seq = interval_seq(interval_sub);
	busy = seq == subs->invalidate_seq;
	spin_unlock(&subs->lock);
	if (busy)
		wait_event(subs->wq, seq_moved(subs, seq));
	return seq;
}
