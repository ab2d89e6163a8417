// SPDX-License-Identifier: GPL-2.0
/*
 * peek.c - what a process's memory holds, seen from outside: the bytes
 * behind each page of a range wherever they are (a system page, a THP, the
 * zero page, a device-private page's storage, a device-coherent page, the
 * page cache of a shared mapping), found by walking the page tables under
 * their locks without faulting, migrating or setting accessed/dirty bits.
 *
 * The kernel has no such call (/proc/PID/mem faults pages in); checkers
 * need one to compare memory with a shadow copy after every step without
 * changing where the pages are.  A device-private page's data lives with
 * its device: the caller passes the driver's answer to "which page holds
 * this device page's bytes" (for the mirror device,
 * dmirror_device_backing_page()).
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/highmem.h>
#include <linux/swapops.h>
#include <linux/memremap.h>
#include <model/process.h>
#include <devmig.h>
#include "internal.h"

typedef void *(*peek_device_data_t)(void *device_page);

/* The page holding the bytes of the page-table entry at @pte, or NULL. */
static struct page *peek_pte(struct vm_area_struct *vma, unsigned long addr,
			     pte_t pte, peek_device_data_t device_data,
			     int *state)
{
	swp_entry_t entry;
	struct folio *folio;

	*state = DEVMIG_PEEK_DATA;
	if (pte_present(pte))
		return is_zero_pfn(pte_pfn(pte)) ? NULL : pfn_to_page(pte_pfn(pte));
	if (pte_none(pte)) {
		/* Shared memory keeps its data in the page cache. */
		if (!vma->vm_file)
			return NULL;
		folio = filemap_get_folio(vma->vm_file->f_mapping,
					  linear_page_index(vma, addr));
		if (IS_ERR(folio))
			return NULL;
		folio_put(folio);	/* the cache still holds it */
		return folio_page(folio, linear_page_index(vma, addr) - folio->index);
	}
	entry = pte_to_swp_entry(pte);
	if (is_device_private_entry(entry) && device_data)
		return device_data(pfn_swap_entry_to_page(entry));
	if (is_device_exclusive_entry(entry))
		return pfn_swap_entry_to_page(entry);
	*state = DEVMIG_PEEK_UNKNOWN;	/* migration or swap entry */
	return NULL;
}

/* One page at @addr of @mm (mmap_lock held) into @buf; its state. */
static int peek_page(struct mm_struct *mm, unsigned long addr, void *buf,
		     peek_device_data_t device_data)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	struct page *page = NULL;
	spinlock_t *ptl;
	pmd_t *pmdp, pmd;
	pte_t *ptep;
	int state = DEVMIG_PEEK_DATA;

	if (!vma)
		return DEVMIG_PEEK_NONE;
	pmdp = mm_find_pmd(mm, addr);
	pmd = pmdp ? pmdp_get(pmdp) : __pmd(0);
	if (pmd_none(pmd)) {
		page = peek_pte(vma, addr, __pte(0), device_data, &state);
	} else if (pmd_trans_huge(pmd)) {
		if (!is_huge_zero_pmd(pmd))
			page = pmd_page(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	} else if (!pmd_present(pmd)) {
		state = DEVMIG_PEEK_UNKNOWN;
	} else {
		ptep = pte_offset_map_lock(mm, pmdp, addr, &ptl);
		if (!ptep)
			return DEVMIG_PEEK_UNKNOWN;
		page = peek_pte(vma, addr, ptep_get(ptep), device_data,
				&state);
		if (page)
			memcpy(buf, page_address(page), PAGE_SIZE);
		pte_unmap_unlock(ptep, ptl);
		if (!page && state == DEVMIG_PEEK_DATA)
			memset(buf, 0, PAGE_SIZE);
		return state;
	}
	if (page)
		memcpy(buf, page_address(page), PAGE_SIZE);
	else if (state == DEVMIG_PEEK_DATA)
		memset(buf, 0, PAGE_SIZE);
	return state;
}

/**
 * devmig_peek() - the bytes a process's memory holds, without touching it
 * @proc: the process
 * @addr: page-aligned start
 * @buf: receives @npages pages
 * @state: receives one DEVMIG_PEEK_* per page
 * @npages: number of pages
 * @device_data: the page holding a device-private page's bytes (its
 *	driver's answer), or NULL: such pages are then DEVMIG_PEEK_UNKNOWN
 *
 * Return: 0, or -EINVAL for a misaligned address.
 */
int devmig_peek(struct devmig_proc *proc, unsigned long addr, void *buf,
		unsigned char *state, unsigned long npages,
		void *(*device_data)(void *device_page))
{
	struct mm_struct *mm = devmig_proc_mm(proc);
	unsigned long i;

	if (offset_in_page(addr))
		return -EINVAL;
	mmap_read_lock(mm);
	for (i = 0; i < npages; i++)
		state[i] = peek_page(mm, addr + i * PAGE_SIZE,
				     (char *)buf + i * PAGE_SIZE, device_data);
	mmap_read_unlock(mm);
	return 0;
}
