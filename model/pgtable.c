// SPDX-License-Identifier: GPL-2.0
/*
 * pgtable.c - page-table pages, their locks, and the PTE operations that
 * need a TLB flush (mm/pgtable-generic.c, mm/memory.c's __p?d_alloc,
 * arch/x86/mm/pgtable.c and pgprot.c).
 *
 * Tables are ordinary pages of model RAM, zeroed, marked PageTable, with
 * their own split lock in struct page (page->ptl): a PTE table's lock guards
 * its 512 PTEs, a PMD table's lock guards its PMD entries (pmd_lock()).
 * Upper levels are populated under mm->page_table_lock.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/swapops.h>
#include <asm/pgalloc.h>
#include <asm/tlbflush.h>

/* x86 protection_map, indexed by VM_READ | VM_WRITE | VM_EXEC | VM_SHARED. */
static const pgprot_t protection_map[16] = {
	[VM_NONE]					= PAGE_NONE,
	[VM_READ]					= PAGE_READONLY,
	[VM_WRITE]					= PAGE_COPY,
	[VM_WRITE | VM_READ]				= PAGE_COPY,
	[VM_EXEC]					= PAGE_READONLY_EXEC,
	[VM_EXEC | VM_READ]				= PAGE_READONLY_EXEC,
	[VM_EXEC | VM_WRITE]				= PAGE_COPY_EXEC,
	[VM_EXEC | VM_WRITE | VM_READ]			= PAGE_COPY_EXEC,
	[VM_SHARED]					= PAGE_NONE,
	[VM_SHARED | VM_READ]				= PAGE_READONLY,
	[VM_SHARED | VM_WRITE]				= PAGE_SHARED,
	[VM_SHARED | VM_WRITE | VM_READ]		= PAGE_SHARED,
	[VM_SHARED | VM_EXEC]				= PAGE_READONLY_EXEC,
	[VM_SHARED | VM_EXEC | VM_READ]			= PAGE_READONLY_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE]		= PAGE_SHARED_EXEC,
	[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ]	= PAGE_SHARED_EXEC,
};

/**
 * vm_get_page_prot() - PTE protection bits for a VMA's flags
 * @vm_flags: VM_* flags
 *
 * Private writable mappings get read-only PTEs: the first write faults and
 * copies (or reuses) the page.
 */
pgprot_t vm_get_page_prot(unsigned long vm_flags)
{
	return protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];
}

/* One zeroed page-table page owned by @mm; NULL if memory is short. */
static struct page *pgtable_page_alloc(struct mm_struct *mm,
					struct fault_site *site)
{
	struct page *page;

	if (fault_site_fails(site, true))
		return NULL;
	/* The page comes from the allocator, as the site's own attempt. */
	page = alloc_pages_at(GFP_KERNEL | __GFP_ZERO | __GFP_NOFAIL |
			      __GFP_NOWARN, 0, NULL);
	if (!page)
		return NULL;
	__SetPageTable(page);
	page->pt_mm = mm;
	spin_lock_init(ptlock_ptr(page));
	if (mm)
		atomic_long_add(PAGE_SIZE, &mm->pgtables_bytes);
	return page;
}

static void pgtable_page_free(struct mm_struct *mm, struct page *page)
{
	VM_BUG_ON_PAGE(!PageTable(page), page);
	VM_BUG_ON_PAGE(spin_is_locked(ptlock_ptr(page)), page);
	__ClearPageTable(page);
	page->pt_mm = NULL;
	page->private = 0;
	INIT_LIST_HEAD(&page->lru);
	if (mm)
		atomic_long_sub(PAGE_SIZE, &mm->pgtables_bytes);
	put_page(page);
}

/**
 * pgd_alloc() - the top-level table of a new mm
 * @mm: the mm
 *
 * Return: the table (all entries empty), or NULL.
 */
pgd_t *pgd_alloc_at(struct mm_struct *mm, struct fault_site *site)
{
	struct page *page = pgtable_page_alloc(mm, site);

	return page ? page_address(page) : NULL;
}

void pgd_free(struct mm_struct *mm, pgd_t *pgd)
{
	pgtable_page_free(mm, virt_to_page(pgd));
}

pgtable_t pte_alloc_one_at(struct mm_struct *mm, struct fault_site *site)
{
	return pgtable_page_alloc(mm, site);
}

void pte_free(struct mm_struct *mm, pgtable_t pte_page)
{
	pgtable_page_free(mm, pte_page);
}

static pmd_t *pmd_alloc_one(struct mm_struct *mm, unsigned long addr,
			    struct fault_site *site)
{
	struct page *page = pgtable_page_alloc(mm, site);

	(void)addr;
	return page ? page_address(page) : NULL;
}

void pmd_free(struct mm_struct *mm, pmd_t *pmd)
{
	pgtable_page_free(mm, virt_to_page(pmd));
}

static pud_t *pud_alloc_one(struct mm_struct *mm, unsigned long addr,
			    struct fault_site *site)
{
	struct page *page = pgtable_page_alloc(mm, site);

	(void)addr;
	return page ? page_address(page) : NULL;
}

void pud_free(struct mm_struct *mm, pud_t *pud)
{
	pgtable_page_free(mm, virt_to_page(pud));
}

/* The P4D level is folded into the PGD: there is nothing to allocate. */
int __p4d_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address)
{
	(void)mm; (void)pgd; (void)address;
	return 0;
}

/*
 * The __p?d_alloc() functions allocate first, then install under the lock
 * only if nobody else did meanwhile; the loser frees its page.
 */
int __pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long address,
		struct fault_site *site)
{
	pud_t *new = pud_alloc_one(mm, address, site);

	if (!new)
		return -ENOMEM;
	spin_lock(&mm->page_table_lock);
	if (!p4d_present(p4dp_get(p4d))) {
		p4d_populate(mm, p4d, new);
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (new)
		pud_free(mm, new);
	return 0;
}

int __pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address,
		struct fault_site *site)
{
	pmd_t *new = pmd_alloc_one(mm, address, site);
	spinlock_t *ptl;

	if (!new)
		return -ENOMEM;
	ptl = pud_lock(mm, pud);
	if (!pud_present(pudp_get(pud))) {
		pud_populate(mm, pud, new);
		new = NULL;
	}
	spin_unlock(ptl);
	if (new)
		pmd_free(mm, new);
	return 0;
}

/**
 * __pte_alloc() - give an empty PMD entry a PTE table
 * @mm: the mm
 * @pmd: the entry
 *
 * Return: 0 (also if someone else installed a table, or a huge PMD,
 * meanwhile), or -ENOMEM.
 */
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd, struct fault_site *site)
{
	pgtable_t new = pte_alloc_one_at(mm, site);
	spinlock_t *ptl;

	if (!new)
		return -ENOMEM;
	ptl = pmd_lock(mm, pmd);
	if (likely(pmd_none(pmdp_get(pmd)))) {
		/* pmd_populate()'s release store publishes the zeroed table. */
		pmd_populate(mm, pmd, new);
		new = NULL;
	}
	spin_unlock(ptl);
	if (new)
		pte_free(mm, new);
	return 0;
}

/*
 * A huge PMD keeps a PTE table in reserve from the moment it is mapped, so
 * that splitting it never needs memory.  The tables hang off the struct
 * page of the PMD table holding the entry (its lock is the PMD lock),
 * chained through the same field of each deposited table.
 */

/**
 * pgtable_trans_huge_deposit() - keep @pgtable for splitting the huge PMD @pmdp
 * @mm: the mm
 * @pmdp: the entry (PMD lock held)
 * @pgtable: an empty PTE table from pte_alloc_one()
 */
void pgtable_trans_huge_deposit(struct mm_struct *mm, pmd_t *pmdp,
				pgtable_t pgtable)
{
	struct page *pmd_table = virt_to_page(pmdp);

	VM_WARN_ON_ONCE(!spin_is_locked(pmd_lockptr(mm, pmdp)));
	pgtable->pmd_huge_pte = pmd_table->pmd_huge_pte;
	pmd_table->pmd_huge_pte = pgtable;
}

/**
 * pgtable_trans_huge_withdraw() - take back a table kept by a deposit
 * @mm: the mm
 * @pmdp: the entry (PMD lock held)
 *
 * Return: one table deposited under the same PMD table.  Any of them will
 * do: they are all empty.
 */
pgtable_t pgtable_trans_huge_withdraw(struct mm_struct *mm, pmd_t *pmdp)
{
	struct page *pmd_table = virt_to_page(pmdp);
	pgtable_t pgtable = pmd_table->pmd_huge_pte;

	VM_WARN_ON_ONCE(!spin_is_locked(pmd_lockptr(mm, pmdp)));
	BUG_ON(!pgtable);
	pmd_table->pmd_huge_pte = pgtable->pmd_huge_pte;
	pgtable->pmd_huge_pte = NULL;
	return pgtable;
}

/**
 * __pte_offset_map() - the PTE for @addr in the table @pmd points to
 * @pmd: a PMD entry
 * @addr: the address
 * @pmdvalp: if not NULL, receives the PMD value the table was found from
 *
 * Return: the PTE pointer, or NULL if @pmd has no PTE table: empty, a huge
 * or devmap leaf, a migration entry, or garbage (which is cleared).
 */
pte_t *__pte_offset_map(pmd_t *pmd, unsigned long addr, pmd_t *pmdvalp)
{
	pmd_t pmdval = pmdp_get_lockless(pmd);

	if (pmdvalp)
		*pmdvalp = pmdval;
	if (unlikely(pmd_none(pmdval) || is_pmd_migration_entry(pmdval)))
		return NULL;
	if (unlikely(pmd_trans_huge(pmdval) || pmd_devmap(pmdval)))
		return NULL;
	if (unlikely(pmd_bad(pmdval))) {
		pr_err("bad pmd %#lx\n", pmd_val(pmdval));
		pmd_clear(pmd);
		return NULL;
	}
	return (pte_t *)__va(pmd_pfn(pmdval) << PAGE_SHIFT) + pte_index(addr);
}

/**
 * __pte_offset_map_lock() - map and lock the PTE for @addr
 * @mm: the mm
 * @pmd: the PMD entry above it
 * @addr: the address
 * @ptlp: receives the lock taken
 *
 * The table is looked up without a lock, so it is checked again once its
 * lock is held: if the PMD changed meanwhile (the table was freed or
 * replaced), start over.
 *
 * Return: the PTE with *@ptlp held, or NULL (no lock) if there is no table.
 */
pte_t *__pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			     unsigned long addr, spinlock_t **ptlp)
{
	spinlock_t *ptl;
	pmd_t pmdval;
	pte_t *pte;

	(void)mm;
	for (;;) {
		pte = __pte_offset_map(pmd, addr, &pmdval);
		if (unlikely(!pte))
			return NULL;
		ptl = ptlock_ptr(pmd_page(pmdval));
		spin_lock(ptl);
		if (likely(pmd_same(pmdval, pmdp_get_lockless(pmd)))) {
			*ptlp = ptl;
			return pte;
		}
		pte_unmap_unlock(pte, ptl);
	}
}

/*
 * pte_offset_map_lock() (linux/mm.h): __pte_offset_map_lock() behind the
 * caller's race point (model/race.h), where a test may make it fail.
 */
pte_t *pte_offset_map_lock_at(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp,
			      const struct race_point *rp)
{
	if (race_point(rp))
		return NULL;
	return __pte_offset_map_lock(mm, pmd, addr, ptlp);
}

/* As __pte_offset_map(), also returning (but not taking) the table's lock. */
pte_t *pte_offset_map_nolock(struct mm_struct *mm, pmd_t *pmd,
			     unsigned long addr, spinlock_t **ptlp)
{
	pmd_t pmdval;
	pte_t *pte;

	(void)mm;
	pte = __pte_offset_map(pmd, addr, &pmdval);
	if (likely(pte))
		*ptlp = ptlock_ptr(pmd_page(pmdval));
	return pte;
}

/**
 * ptep_clear_flush() - clear a PTE and shoot down its translation
 * @vma: the VMA
 * @address: the address the PTE maps
 * @ptep: the PTE (table lock held)
 *
 * Return: the old PTE.  Once this returns no task can still reach the old
 * page through a cached translation (if the PTE was accessible at all).
 */
pte_t ptep_clear_flush(struct vm_area_struct *vma, unsigned long address,
		       pte_t *ptep)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t pte = ptep_get_and_clear(mm, address, ptep);

	if (pte_accessible(mm, pte))
		flush_tlb_page(vma, address);
	return pte;
}

int ptep_clear_flush_young(struct vm_area_struct *vma, unsigned long address,
			   pte_t *ptep)
{
	int young = ptep_test_and_clear_young(vma, address, ptep);

	if (young)
		flush_tlb_page(vma, address);
	return young;
}

/*
 * Relaxing access rights (setting A/D or W on an entry for the same page)
 * needs no flush on x86: a stale, stricter TLB entry just faults again.
 */
int ptep_set_access_flags(struct vm_area_struct *vma, unsigned long address,
			  pte_t *ptep, pte_t entry, int dirty)
{
	int changed = !pte_same(ptep_get(ptep), entry);

	(void)vma; (void)address;
	if (changed && dirty)
		set_pte(ptep, entry);
	return changed;
}
