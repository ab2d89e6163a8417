// SPDX-License-Identifier: GPL-2.0
/*
 * fork.c - duplicating an address space for fork(): dup_mmap() and the page
 * table copy of mm/memory.c (copy_page_range() and its PTE helpers).
 *
 * The child gets its own VMAs and page tables mapping the parent's pages.
 * Private writable mappings become copy-on-write in both: the parent's PTEs
 * are write-protected under the PTE lock and its TLBs flushed before fork
 * returns, so no CPU of the parent writes a page the child can already see.
 * A device-private or migration entry is copied to the child; in a
 * copy-on-write mapping a writable one becomes read-only on both sides, and
 * a device-private page gains the child's reference and mapping.
 *
 * A PMD-mapped THP (or the huge zero folio) is shared whole, read-only in
 * both (copy_huge_pmd()); other huge mappings are split and copied as PTEs.
 *
 * VMAs without an anon_vma (nothing private was ever written, or shmem) are
 * not copied at all: the child refaults them, as in the kernel.
 *
 * As in kernel/fork.c, the life of an mm_struct is here too: its creation
 * (model_mm_create(), the kernel's mm_alloc()), the allocation and copying
 * of VMAs (vm_area_alloc(), vm_area_dup()), and mmput()/__mmdrop().
 */
#include <linux/mm.h>
#include <linux/hugetlb.h>
#include <linux/rmap.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/highmem.h>
#include <linux/userfaultfd_k.h>
#include <linux/swap.h>
#include <linux/memcontrol.h>
#include <linux/slab.h>
#include <linux/sched/mm.h>
#include <linux/spinlock.h>
#include <linux/fs.h>
#include <asm/pgalloc.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include <model/process.h>

/* Why copying one PTE stopped. */
#define COPY_PTE_NEED_PAGE	1	/* pinned anon page: copy it (prealloc) */
#define COPY_PTE_EXCLUSIVE	2	/* device-exclusive: restore it first */

struct copy_ctx {
	struct vm_area_struct *dst_vma;
	struct vm_area_struct *src_vma;
	bool cow;
	long rss[NR_MM_COUNTERS];
	struct folio *prealloc;		/* for a pinned page, or NULL */
};

/*
 * Replace the parent's special entry @src_pte with the read-only @ro,
 * carrying over its uffd-wp bit and, if @soft_dirty, its soft-dirty bit.
 * Returns the new entry, which the child gets too.
 */
static pte_t share_src_entry(struct copy_ctx *c, pte_t *src_pte,
			     unsigned long addr, pte_t orig, swp_entry_t ro,
			     bool soft_dirty)
{
	pte_t pte = swp_entry_to_pte(ro);

	if (soft_dirty && pte_swp_soft_dirty(orig))
		pte = pte_swp_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(orig))
		pte = pte_swp_mkuffd_wp(pte);
	set_pte_at(c->src_vma->vm_mm, addr, src_pte, pte);
	return pte;
}

/*
 * A special entry.  Returns 0 when copied, COPY_PTE_EXCLUSIVE for an
 * exclusive entry that must be restored to a present PTE first.
 */
static int copy_nonpresent_pte(struct copy_ctx *c, pte_t *dst_pte,
			       pte_t *src_pte, unsigned long addr)
{
	pte_t orig = ptep_get(src_pte), pte = orig;
	swp_entry_t entry = pte_to_swp_entry(orig);
	struct folio *folio;
	struct page *page;

	if (is_migration_entry(entry)) {
		folio = pfn_swap_entry_folio(entry);
		c->rss[mm_counter(folio)]++;
		/*
		 * Whatever the page comes back as, it is shared with the
		 * child now: neither side may get it writable or exclusive.
		 */
		if (c->cow && !is_readable_migration_entry(entry)) {
			entry = make_readable_migration_entry(swp_offset(entry));
			pte = share_src_entry(c, src_pte, addr, orig, entry, true);
		}
	} else if (is_device_private_entry(entry)) {
		page = pfn_swap_entry_to_page(entry);
		folio = page_folio(page);
		/* The child's entry is a mapping: a reference and a map. */
		c->rss[mm_counter(folio)]++;
		folio_get(folio);
		/* Device-private pages cannot be pinned: this cannot fail. */
		folio_try_dup_anon_rmap_pte(folio, page, c->src_vma);
		/* Soft-dirty is not kept: no checkpointing with a device. */
		if (c->cow && is_writable_device_private_entry(entry)) {
			entry = make_readable_device_private_entry(swp_offset(entry));
			pte = share_src_entry(c, src_pte, addr, orig, entry, false);
		}
	} else if (is_device_exclusive_entry(entry)) {
		return COPY_PTE_EXCLUSIVE;
	} else if (!non_swap_entry(entry) || is_hwpoison_entry(entry)) {
		/* The model has no swap: copy whatever it is verbatim. */
	}
	if (!userfaultfd_wp(c->dst_vma))
		pte = pte_swp_clear_uffd_wp(pte);
	set_pte_at(c->dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * The parent's page is pinned while exclusive: sharing it would let the
 * pinned copy and the CPU's diverge, so the child gets its own copy now.
 */
static void copy_present_page(struct copy_ctx *c, pte_t *dst_pte,
			      unsigned long addr, struct page *page)
{
	struct folio *new = c->prealloc;
	pte_t pte;

	c->prealloc = NULL;
	copy_highpage(&new->page, page);
	__folio_mark_uptodate(new);
	folio_add_new_anon_rmap(new, c->dst_vma, addr, RMAP_EXCLUSIVE);
	folio_add_lru_vma(new, c->dst_vma);
	c->rss[MM_ANONPAGES]++;
	pte = mk_pte(&new->page, c->dst_vma->vm_page_prot);
	pte = pte_mkdirty(pte);
	if (c->dst_vma->vm_flags & VM_WRITE)
		pte = pte_mkwrite(pte, c->dst_vma);
	set_pte_at(c->dst_vma->vm_mm, addr, dst_pte, pte);
}

/* Returns 0, or COPY_PTE_NEED_PAGE when a preallocated page is needed. */
static int copy_present_pte(struct copy_ctx *c, pte_t *dst_pte,
			    pte_t *src_pte, unsigned long addr)
{
	struct vm_area_struct *src_vma = c->src_vma;
	pte_t pte = ptep_get(src_pte);
	struct folio *folio = NULL;
	struct page *page;

	page = vm_normal_page(src_vma, addr, pte);
	if (page)
		folio = page_folio(page);
	if (folio && folio_test_anon(folio)) {
		folio_get(folio);
		if (folio_try_dup_anon_rmap_pte(folio, page, src_vma)) {
			folio_put(folio);
			if (!c->prealloc)
				return COPY_PTE_NEED_PAGE;
			copy_present_page(c, dst_pte, addr, page);
			return 0;
		}
		c->rss[MM_ANONPAGES]++;
	} else if (folio) {
		folio_get(folio);
		folio_dup_file_rmap_pte(folio, page);
		c->rss[mm_counter_file(folio)]++;
	}

	if (c->cow && pte_write(pte)) {
		ptep_set_wrprotect(src_vma->vm_mm, addr, src_pte);
		pte = pte_wrprotect(pte);
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	if (!userfaultfd_wp(c->dst_vma))
		pte = pte_clear_uffd_wp(pte);
	set_pte_at(c->dst_vma->vm_mm, addr, dst_pte, pte);
	return 0;
}

/*
 * Restore a device-exclusive entry in the parent so it can be copied as a
 * present PTE.  Only a trylock: fork must not wait for a device.
 */
static int try_restore_exclusive_pte(struct copy_ctx *c, pte_t *src_pte,
				     unsigned long addr)
{
	swp_entry_t entry = pte_to_swp_entry(ptep_get(src_pte));
	struct page *page = pfn_swap_entry_to_page(entry);
	struct folio *folio = page_folio(page);

	if (!folio_trylock(folio))
		return -EBUSY;
	restore_exclusive_pte(c->src_vma, page, addr, src_pte);
	folio_unlock(folio);
	return 0;
}

static void copy_flush_rss(struct copy_ctx *c)
{
	int i;

	for (i = 0; i < NR_MM_COUNTERS; i++) {
		if (c->rss[i])
			add_mm_counter(c->dst_vma->vm_mm, i, c->rss[i]);
		c->rss[i] = 0;
	}
}

static int copy_pte_range(struct copy_ctx *c, pmd_t *dst_pmd, pmd_t *src_pmd,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = c->dst_vma->vm_mm;
	struct mm_struct *src_mm = c->src_vma->vm_mm;
	spinlock_t *src_ptl, *dst_ptl;
	pte_t *src_start, *dst_start, *src_pte, *dst_pte;
	int ret = 0, why;

	if (pte_alloc(dst_mm, dst_pmd))
		return -ENOMEM;
again:
	dst_start = pte_offset_map_lock(dst_mm, dst_pmd, addr, &dst_ptl);
	if (!dst_start)
		return -ENOMEM;
	src_start = pte_offset_map_lock(src_mm, src_pmd, addr, &src_ptl);
	if (!src_start) {
		pte_unmap_unlock(dst_start, dst_ptl);
		return 0;	/* the source table went away: nothing to copy */
	}
	why = 0;
	for (src_pte = src_start, dst_pte = dst_start; addr < end;
	     addr += PAGE_SIZE, src_pte++, dst_pte++) {
		pte_t val = ptep_get(src_pte);

		if (pte_none(val))
			continue;
		if (!pte_present(val)) {
			why = copy_nonpresent_pte(c, dst_pte, src_pte, addr);
			if (why != COPY_PTE_EXCLUSIVE)
				continue;
			if (try_restore_exclusive_pte(c, src_pte, addr)) {
				ret = -EBUSY;
				break;
			}
			why = 0;
		}
		why = copy_present_pte(c, dst_pte, src_pte, addr);
		if (why)
			break;
	}
	pte_unmap_unlock(src_start, src_ptl);
	pte_unmap_unlock(dst_start, dst_ptl);
	copy_flush_rss(c);
	if (ret)
		return ret;
	if (why == COPY_PTE_NEED_PAGE) {
		/* Allocate without the locks held, then redo this PTE. */
		c->prealloc = vma_alloc_folio(GFP_HIGHUSER_MOVABLE, 0,
					      c->dst_vma, addr);
		if (!c->prealloc)
			return -ENOMEM;
		if (mem_cgroup_charge(c->prealloc, dst_mm, GFP_KERNEL)) {
			folio_put(c->prealloc);
			c->prealloc = NULL;
			return -ENOMEM;
		}
		goto again;
	}
	return 0;
}

static int copy_pmd_range(struct copy_ctx *c, pud_t *dst_pud, pud_t *src_pud,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = c->dst_vma->vm_mm;
	pmd_t *src_pmd, *dst_pmd;
	unsigned long next;
	int ret;

	dst_pmd = pmd_alloc(dst_mm, dst_pud, addr);
	if (!dst_pmd)
		return -ENOMEM;
	src_pmd = pmd_offset(src_pud, addr);
	do {
		pmd_t val = pmdp_get(src_pmd);

		next = pmd_addr_end(addr, end);
		if (pmd_none(val))
			continue;
		if (pmd_trans_huge(val) && vma_is_anonymous(c->src_vma)) {
			ret = copy_huge_pmd(dst_mm, c->src_vma->vm_mm, dst_pmd,
					    src_pmd, addr, c->dst_vma, c->src_vma);
			if (ret == -ENOMEM)
				return ret;
			if (!ret)
				continue;
			/* -EAGAIN: split (it may be pinned), copy its PTEs. */
		} else if (pmd_trans_huge(val) || pmd_devmap(val) ||
			   is_swap_pmd(val)) {
			/* Other huge mappings are copied as PTEs. */
			split_huge_pmd(c->src_vma, src_pmd, addr);
		}
		ret = copy_pte_range(c, dst_pmd, src_pmd, addr, next);
		if (ret)
			return ret;
	} while (dst_pmd++, src_pmd++, addr = next, addr != end);
	return 0;
}

/**
 * copy_page_range() - copy the page tables of @src_vma into @dst_vma
 * @dst_vma: the child's VMA (same range, in the child's mm)
 * @src_vma: the parent's VMA
 *
 * Context: mmap_lock of both mms held for write.
 * Return: 0, -ENOMEM, or -EBUSY when a device-exclusive entry's page could
 * not be locked (the caller fails the fork with -ENOMEM).
 */
int copy_page_range(struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	struct copy_ctx c = {
		.dst_vma = dst_vma,
		.src_vma = src_vma,
		.cow = is_cow_mapping(src_vma->vm_flags),
	};
	struct mmu_notifier_range range;
	unsigned long addr = src_vma->vm_start, end = src_vma->vm_end, next;
	pgd_t *src_pgd, *dst_pgd;
	p4d_t *src_p4d, *dst_p4d;
	pud_t *src_pud, *dst_pud;
	int ret = 0;

	/* Nothing but what a fault would bring back: let the child fault. */
	if (!(src_vma->vm_flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)) &&
	    !src_vma->anon_vma)
		return 0;
	if (is_vm_hugetlb_page(src_vma))
		return copy_hugetlb_page_range(dst_mm, src_mm, dst_vma, src_vma);

	if (c.cow) {
		/* Mirrors of the parent must drop write access too. */
		mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0,
					src_mm, addr, end);
		mmu_notifier_invalidate_range_start(&range);
	}
	for (; addr < end; addr = next) {
		next = pud_addr_end(addr, end);
		src_pgd = pgd_offset(src_mm, addr);
		src_p4d = p4d_offset(src_pgd, addr);
		if (p4d_none(p4dp_get(src_p4d)))
			continue;
		src_pud = pud_offset(src_p4d, addr);
		if (pud_none(pudp_get(src_pud)))
			continue;
		dst_pgd = pgd_offset(dst_mm, addr);
		dst_p4d = p4d_alloc(dst_mm, dst_pgd, addr);
		dst_pud = dst_p4d ? pud_alloc(dst_mm, dst_p4d, addr) : NULL;
		if (!dst_pud) {
			ret = -ENOMEM;
			break;
		}
		ret = copy_pmd_range(&c, dst_pud, src_pud, addr, next);
		if (ret)
			break;
	}
	if (c.prealloc)
		folio_put(c.prealloc);
	if (c.cow) {
		/* Write-protected PTEs must not stay writable in any TLB. */
		flush_tlb_range(src_vma, src_vma->vm_start, src_vma->vm_end);
		mmu_notifier_invalidate_range_end(&range);
	}
	return ret;
}

/**
 * model_dup_mm() - dup_mmap(): give @mm a copy of @oldmm's VMAs and mappings
 * @oldmm: the parent's address space
 * @mm: the child's, freshly created and empty
 *
 * Return: 0, or -ENOMEM (the child is then partially built; the caller
 * drops it with mmput(), which unmaps whatever was copied).
 */
int model_dup_mm(struct mm_struct *oldmm, struct mm_struct *mm)
{
	struct vm_area_struct *mpnt, *tmp;
	int ret = 0;

	mmap_write_lock(oldmm);
	mmap_write_lock(mm);
	list_for_each_entry(mpnt, &oldmm->mmap, vm_list) {
		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		/* Its PTEs are about to be write-protected. */
		model_vma_start_write(mpnt);
		tmp = model_vma_copy(mpnt, mm);
		if (!tmp) {
			ret = -ENOMEM;
			break;
		}
		model_vma_link(mm, tmp);
		if (tmp->vm_flags & VM_WIPEONFORK)
			continue;
		ret = copy_page_range(tmp, mpnt);
		if (ret) {
			ret = -ENOMEM;
			break;
		}
	}
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	return ret;
}

/**
 * model_mm_create() - allocate and initialise an empty address space
 *
 * Return: the mm with mm_users == mm_count == 1, registered with the model
 * (model_mm_register()) for the invariant checker, or
 * NULL if the top-level page table could not be allocated.
 */
struct mm_struct *model_mm_create(void)
{
	struct mm_struct *mm = kzalloc(sizeof(*mm), GFP_KERNEL);
	int i;

	if (!mm)
		return NULL;
	mm->pgd = pgd_alloc(mm);
	if (!mm->pgd) {
		kfree(mm);
		return NULL;
	}
	mmap_init_lock(mm);
	mmu_notifier_subscriptions_init(mm);
	INIT_LIST_HEAD(&mm->mmap);
	atomic_set(&mm->mm_users, 1);
	atomic_set(&mm->mm_count, 1);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		atomic_long_set(&mm->rss_stat[i], 0);
	spin_lock_init(&mm->page_table_lock);
	for (i = 0; i < NR_CPUS; i++)
		spin_lock_init(&mm->tlb_tasks_lock[i].lock);
	INIT_LIST_HEAD(&mm->tlb_tasks);
	mm->task_size = TASK_SIZE;
	mm->mmap_base = MODEL_MMAP_BASE;
	model_mm_register(mm);
	return mm;
}

/*
 * The operations of a file VMA whose ->mmap() sets none: no ->fault, so a
 * hole in it is a SIGBUS, never anonymous memory.
 */
const struct vm_operations_struct vma_dummy_vm_ops;

/*
 * model_vma_alloc() - an empty VMA of @mm (vm_area_alloc()), not linked.
 * As vma_init(): a VMA is a file VMA until vma_set_anonymous().
 */
struct vm_area_struct *model_vma_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = kzalloc(sizeof(*vma), GFP_KERNEL);

	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	vma->vm_ops = &vma_dummy_vm_ops;
	init_rwsem(&vma->vm_lock);
	INIT_LIST_HEAD(&vma->vm_list);
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	return vma;
}

/*
 * model_vma_copy_fields() - a VMA of @mm with @orig's range, flags and
 * anon_vma (vm_area_dup()); the file reference and anon_vma chain are the
 * caller's to add.
 */
static struct vm_area_struct *
model_vma_copy_fields(struct vm_area_struct *orig, struct mm_struct *mm)
{
	struct vm_area_struct *vma = model_vma_alloc(mm);

	if (!vma)
		return NULL;
	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vma->vm_flags = orig->vm_flags;
	vma->vm_page_prot = orig->vm_page_prot;
	vma->vm_ops = orig->vm_ops;
	/* Shared by a split; anon_vma_fork() replaces it in a fork child. */
	vma->anon_vma = orig->anon_vma;
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_file = NULL;	/* referenced by model_vma_link_file() */
	vma->vm_private_data = orig->vm_private_data;
	vma->model_private = orig->model_private;
	return vma;
}

/**
 * model_vma_copy() - a copy of @orig in @mm, not linked anywhere
 * @orig: the VMA to copy
 * @mm: @orig's own address space (a split), or a fork child's
 *
 * In the same mm the copy shares @orig's anon_vma hierarchy
 * (anon_vma_clone(), as __split_vma()); in a child it gets an anon_vma of
 * its own chained to the parent's (anon_vma_fork(), as dup_mmap()), so the
 * parent's anon pages are found in the child by rmap walks.
 *
 * Return: the copy (vm_ops->open already called) or NULL on ENOMEM.
 */
struct vm_area_struct *model_vma_copy(struct vm_area_struct *orig,
				      struct mm_struct *mm)
{
	struct vm_area_struct *vma = model_vma_copy_fields(orig, mm);
	int err = 0;

	if (!vma)
		return NULL;
	if (mm == orig->vm_mm)
		err = anon_vma_clone(vma, orig);
	else if (!(orig->vm_flags & VM_WIPEONFORK))
		err = anon_vma_fork(vma, orig);
	if (err) {
		kfree(vma);
		return NULL;
	}
	model_vma_link_file(vma, orig->vm_file, mm == orig->vm_mm ? NULL : orig);
	if (vma->vm_ops && vma->vm_ops->open)
		vma->vm_ops->open(vma);
	return vma;
}

/**
 * mmput() - drop a user of @mm; the last one tears the address space down
 * @mm: the address space
 */
void mmput(struct mm_struct *mm)
{
	if (!atomic_dec_and_test(&mm->mm_users))
		return;
	exit_mmap(mm);
	model_mm_unregister(mm);
	mmdrop(mm);
}

/**
 * __mmdrop() - free the mm_struct once its last reference is gone
 * @mm: the address space, already torn down by exit_mmap()
 */
void __mmdrop(struct mm_struct *mm)
{
	mmu_notifier_subscriptions_destroy(mm);
	pgd_free(mm, mm->pgd);
	kfree(mm);
}
