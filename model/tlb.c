// SPDX-License-Identifier: GPL-2.0
/*
 * tlb.c - per-task software TLBs and their shootdown (arch/x86/mm/tlb.c).
 *
 * A flush walks the tasks attached to the mm and invalidates matching
 * entries in each one's TLB under that TLB's lock, before returning: the
 * synchronous IPI of the kernel.  A task in the middle of an access holds
 * its TLB lock, so the flush waits for the access to finish, as an IPI
 * waits for the instruction.  See include/model/tlb.h for the rules.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <asm/tlbflush.h>
#include <model/tlb.h>
#include <model/model.h>

static inline struct model_tlb_entry *tlb_slot(struct model_tlb *tlb,
					       unsigned long vpn)
{
	return &tlb->e[vpn & (MODEL_TLB_ENTRIES - 1)];
}

/* Drop a valid entry (lock held). */
static void tlb_drop(struct model_tlb *tlb, struct model_tlb_entry *e)
{
	e->flags = 0;
	WRITE_ONCE(tlb->nr_valid, tlb->nr_valid - 1);
}

static void tlb_clear(struct model_tlb *tlb)
{
	unsigned int i;

	for (i = 0; i < MODEL_TLB_ENTRIES; i++)
		tlb->e[i].flags = 0;
	WRITE_ONCE(tlb->nr_valid, 0);
}

/* Changing @mm's task list: every CPU's lock on it, in order. */
static void tlb_tasks_lock_all(struct mm_struct *mm)
{
	int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock(&mm->tlb_tasks_lock[cpu].lock);
}

static void tlb_tasks_unlock_all(struct mm_struct *mm)
{
	int cpu;

	for (cpu = NR_CPUS; cpu-- > 0;)
		spin_unlock(&mm->tlb_tasks_lock[cpu].lock);
}

void model_tlb_attach(struct task_struct *tsk, struct mm_struct *mm)
{
	struct model_tlb *tlb = &tsk->tlb;

	tlb_tasks_lock_all(mm);
	spin_lock(&tlb->lock);
	tlb_clear(tlb);
	tlb->mm = mm;
	list_add(&tlb->node, &mm->tlb_tasks);
	spin_unlock(&tlb->lock);
	tlb_tasks_unlock_all(mm);
	tsk->mm = mm;
	tsk->active_mm = mm;
}

void model_tlb_detach(struct task_struct *tsk)
{
	struct model_tlb *tlb = &tsk->tlb;
	struct mm_struct *mm = tlb->mm;

	if (!mm)
		return;
	tlb_tasks_lock_all(mm);
	spin_lock(&tlb->lock);
	list_del_init(&tlb->node);
	tlb_clear(tlb);
	tlb->mm = NULL;
	spin_unlock(&tlb->lock);
	tlb_tasks_unlock_all(mm);
	tsk->mm = NULL;
	tsk->active_mm = NULL;
}

bool model_tlb_lookup(struct model_tlb *tlb, unsigned long addr,
		      struct model_tlb_entry *out)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct model_tlb_entry *e = tlb_slot(tlb, vpn);

	if ((e->flags & MODEL_TLB_VALID) && e->vpn == vpn) {
		*out = *e;
		tlb->hits++;
		return true;
	}
	tlb->misses++;
	return false;
}

void model_tlb_fill(struct model_tlb *tlb, unsigned long addr,
		    unsigned long pfn, unsigned int flags)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct model_tlb_entry *e = tlb_slot(tlb, vpn);

	if (!(e->flags & MODEL_TLB_VALID))
		WRITE_ONCE(tlb->nr_valid, tlb->nr_valid + 1);
	e->vpn = vpn;
	e->pfn = pfn;
	e->flags = flags | MODEL_TLB_VALID;
}

void model_tlb_invalidate(struct model_tlb *tlb, unsigned long addr)
{
	unsigned long vpn = addr >> PAGE_SHIFT;
	struct model_tlb_entry *e = tlb_slot(tlb, vpn);

	if ((e->flags & MODEL_TLB_VALID) && e->vpn == vpn)
		tlb_drop(tlb, e);
}

/* Drop every entry of @tlb in [start, end) (lock held). */
static void tlb_flush_range_locked(struct model_tlb *tlb, unsigned long start,
				   unsigned long end)
{
	unsigned long first = start >> PAGE_SHIFT, last = (end - 1) >> PAGE_SHIFT;
	unsigned long vpn;
	unsigned int i;

	/*
	 * The TLB is direct-mapped: a range shorter than the TLB can only
	 * be cached in its own slots, so look at those alone (a migration
	 * flushes page by page).
	 */
	if (last - first < MODEL_TLB_ENTRIES) {
		for (vpn = first; vpn <= last; vpn++) {
			struct model_tlb_entry *e = tlb_slot(tlb, vpn);

			if ((e->flags & MODEL_TLB_VALID) && e->vpn == vpn) {
				tlb_drop(tlb, e);
				tlb->shootdowns++;
			}
		}
		return;
	}
	for (i = 0; i < MODEL_TLB_ENTRIES; i++) {
		struct model_tlb_entry *e = &tlb->e[i];

		if ((e->flags & MODEL_TLB_VALID) && e->vpn >= first && e->vpn <= last) {
			tlb_drop(tlb, e);
			tlb->shootdowns++;
		}
	}
}

/*
 * May @tlb's task use a translation of its mm: is it in an access, or does
 * it cache an entry?  The entries an access filled are seen once its
 * unlock is (the read barrier orders the two loads).
 */
static bool tlb_in_use(struct model_tlb *tlb)
{
	if (spin_is_locked(&tlb->lock))
		return true;
	smp_rmb();
	return READ_ONCE(tlb->nr_valid);
}

/**
 * flush_tlb_mm_range() - invalidate [@start, @end) of @mm in every TLB
 * @mm: the address space
 * @start: first address
 * @end: one past the last address
 * @stride_shift: page size of the range (unused: entries are 4 KiB)
 * @freed_tables: page tables were freed (unused: no paging-structure caches)
 */
void flush_tlb_mm_range(struct mm_struct *mm, unsigned long start,
			unsigned long end, unsigned int stride_shift,
			bool freed_tables)
{
	spinlock_t *tasks_lock = &mm->tlb_tasks_lock[smp_processor_id()].lock;
	struct model_tlb *tlb;

	(void)stride_shift; (void)freed_tables;
	if (start >= end)
		return;
	spin_lock(tasks_lock);
	/*
	 * The page tables changed before the flush; the lock just taken orders
	 * that before the looks below.  A task that takes its TLB lock after
	 * them walks the tables anew (its lock is a full barrier too); one
	 * that holds it, or caches entries, is flushed under its lock.  The
	 * others are skipped, and two tasks migrating at once write no line
	 * of each other's TLB.
	 */
	smp_mb__after_spinlock();
	list_for_each_entry(tlb, &mm->tlb_tasks, node) {
		if (!tlb_in_use(tlb))
			continue;
		spin_lock(&tlb->lock);
		tlb_flush_range_locked(tlb, start, end);
		spin_unlock(&tlb->lock);
	}
	spin_unlock(tasks_lock);
}

void flush_tlb_range(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	flush_tlb_mm_range(vma->vm_mm, start, end, PAGE_SHIFT, false);
}

void flush_tlb_page(struct vm_area_struct *vma, unsigned long addr)
{
	flush_tlb_mm_range(vma->vm_mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE,
			   PAGE_SHIFT, false);
}

void flush_tlb_mm(struct mm_struct *mm)
{
	flush_tlb_mm_range(mm, 0, TASK_SIZE_MAX, PAGE_SHIFT, true);
}

static int flush_one_mm(struct mm_struct *mm, void *arg)
{
	(void)arg;
	flush_tlb_mm(mm);
	return 0;
}

void flush_tlb_all(void)
{
	model_for_each_mm(flush_one_mm, NULL);
}
