/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model/tlb.h - the per-task software TLB (model/tlb.c).
 *
 * Each task (a host thread acting as a CPU) caches translations of its mm in
 * a small direct-mapped TLB.  The software MMU (model/cpu.c) fills it from
 * the page tables and uses it before walking them, so a PTE change that is
 * not followed by a flush leaves a stale translation a test can observe.
 *
 * Locking: tlb->lock protects the entries.  The owning task holds it from
 * lookup (or page walk + fill) until the memory access through the entry is
 * complete, which makes the access atomic with respect to a shootdown, as an
 * instruction is with respect to a flush IPI.  Flushers take their CPU's
 * mm->tlb_tasks_lock, then the tlb->lock of each task that may hold an
 * entry: one that caches none and is not in an access is skipped, as the
 * kernel sends no IPI to a CPU not in the mm's cpumask.  Never take a
 * page-table lock, the folio lock or mmap_lock while holding tlb->lock.
 */
#ifndef _MODEL_TLB_H
#define _MODEL_TLB_H

#include <linux/types.h>
#include <linux/spinlock_types.h>
#include <linux/list.h>

#define MODEL_TLB_ENTRIES	64	/* power of two */

/* Entry flags: what the PTE allowed (and had set) when it was cached. */
#define MODEL_TLB_VALID		0x1
#define MODEL_TLB_WRITE		0x2	/* PTE writable */
#define MODEL_TLB_DIRTY		0x4	/* D already set: a write needs no walk */

struct model_tlb_entry {
	unsigned long vpn;		/* virtual page number */
	unsigned long pfn;
	unsigned int flags;
};

struct mm_struct;

struct model_tlb {
	spinlock_t lock;
	struct mm_struct *mm;		/* attached mm, NULL if none */
	struct list_head node;		/* in mm->tlb_tasks */
	struct model_tlb_entry e[MODEL_TLB_ENTRIES];
	unsigned int nr_valid;		/* entries with MODEL_TLB_VALID */
	unsigned long hits;
	unsigned long misses;
	unsigned long shootdowns;	/* flushes that removed an entry */
};

struct task_struct;

/*
 * model_tlb_attach() - make @tsk's TLB one that flushes of @mm must reach.
 * Empties the TLB.  Call when @tsk starts running on @mm (task enter).
 */
void model_tlb_attach(struct task_struct *tsk, struct mm_struct *mm);
/* model_tlb_detach() - stop tracking @tsk for its mm and empty its TLB. */
void model_tlb_detach(struct task_struct *tsk);

/*
 * model_tlb_lookup() - look @addr up in @tlb (lock held).  On a hit copies the
 * entry to @out and counts a hit; on a miss counts a miss.
 */
bool model_tlb_lookup(struct model_tlb *tlb, unsigned long addr,
		      struct model_tlb_entry *out);
/* model_tlb_fill() - cache @addr -> @pfn with MODEL_TLB_* @flags (lock held). */
void model_tlb_fill(struct model_tlb *tlb, unsigned long addr,
		    unsigned long pfn, unsigned int flags);
/* model_tlb_invalidate() - drop a cached @addr from @tlb (lock held). */
void model_tlb_invalidate(struct model_tlb *tlb, unsigned long addr);

#endif /* _MODEL_TLB_H */
