/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm.h - the core memory-management interface, as mm/migrate_device.c and
 * the rest of the model see it.
 *
 * Implementations: page_alloc.c (pages), swap.c (folio_put), pgtable.c
 * (page-table allocation and locks), rmap.c, memory.c (faults,
 * vm_normal_page), mmap.c and vma.c (VMAs), gup.c (get/pin_user_pages).
 */
#ifndef _LINUX_MM_H
#define _LINUX_MM_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/atomic.h>
#include <linux/mmdebug.h>
#include <linux/mm_types.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/page_ref.h>
#include <linux/gfp.h>
#include <linux/pgtable.h>
#include <linux/mmap_lock.h>
#include <linux/sched.h>
#include <linux/err.h>
#include <model/race.h>
#include <asm/memory_model.h>
#include <asm/cacheflush.h>

/* vm_flags. */
#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_GROWSDOWN	0x00000100UL
#define VM_UFFD_MISSING	0x00000200UL
#define VM_PFNMAP	0x00000400UL
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_LOCKONFAULT	0x00080000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_SYNC		0x00800000UL
#define VM_ARCH_1	0x01000000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_MERGEABLE	0x80000000UL

#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
/* VMAs that are not plain memory: never merged, migrated or populated. */
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)

/* Protection for a VMA's flags (x86 protection_map, model/pgtable.c). */
pgprot_t vm_get_page_prot(unsigned long vm_flags);

/**
 * struct vm_fault - one page fault being handled
 * @vma: the faulting VMA
 * @gfp_mask: allocation context for the fault
 * @pgoff: page offset of @address within the VMA's object
 * @address: faulting address, page aligned
 * @real_address: faulting address as accessed
 * @flags: FAULT_FLAG_*
 * @pmd: PMD entry covering @address
 * @pud: PUD entry covering @address
 * @orig_pte: the PTE seen when the fault started
 * @cow_page: page for copy-on-write faults
 * @page: page the handler works on (device-private: the faulting page)
 * @pte: mapped PTE slot, or NULL
 * @ptl: lock of @pte's table
 * @prealloc_pte: preallocated page table
 */
struct vm_fault {
	struct vm_area_struct *vma;
	gfp_t gfp_mask;
	pgoff_t pgoff;
	unsigned long address;
	unsigned long real_address;
	unsigned int flags;
	pmd_t *pmd;
	pud_t *pud;
	union {
		pte_t orig_pte;
		pmd_t orig_pmd;
	};
	struct page *cow_page;
	struct page *page;
	pte_t *pte;
	spinlock_t *ptl;
	pgtable_t prealloc_pte;
};

extern const struct vm_operations_struct vma_dummy_vm_ops;

vm_fault_t filemap_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
			     pgoff_t end_pgoff);

/* VMA predicates. */
static inline bool vma_is_anonymous(struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline void vma_set_anonymous(struct vm_area_struct *vma)
{
	vma->vm_ops = NULL;
}

static inline bool vma_is_accessible(struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline unsigned long vma_pages(struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* Does [@start, @end) lie within @vma? */
static inline bool range_in_vma(struct vm_area_struct *vma,
				unsigned long start, unsigned long end)
{
	return vma && vma->vm_start <= start && end <= vma->vm_end;
}

static inline pgoff_t linear_page_index(struct vm_area_struct *vma,
					unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}

static inline void vm_flags_init(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags = flags;
}

/* Per-VMA lock (FAULT_FLAG_VMA_LOCK faults). */
static inline bool vma_start_read(struct vm_area_struct *vma)
{
	return down_read_trylock(&vma->vm_lock);
}

static inline void vma_end_read(struct vm_area_struct *vma)
{
	up_read(&vma->vm_lock);
}

/* mmap.c */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_intersection(struct mm_struct *mm,
					     unsigned long start,
					     unsigned long end);
void exit_mmap(struct mm_struct *mm);

/* memory.c */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags, void *regs);
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);
struct folio *vm_normal_folio(struct vm_area_struct *vma, unsigned long addr,
			      pte_t pte);
struct file;
unsigned long vm_mmap(struct file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flag,
		      unsigned long offset);
int vm_insert_page(struct vm_area_struct *vma, unsigned long addr,
		   struct page *page);
void zap_page_range_single(struct vm_area_struct *vma, unsigned long address,
			   unsigned long size, void *details);

/* gup.c */
#define FOLL_WRITE		0x01
#define FOLL_GET		0x02
#define FOLL_DUMP		0x04
#define FOLL_FORCE		0x08
#define FOLL_NOWAIT		0x10
#define FOLL_NOFAULT		0x20
#define FOLL_HWPOISON		0x40
#define FOLL_ANON		0x80
#define FOLL_LONGTERM		0x100
#define FOLL_SPLIT_PMD		0x200
#define FOLL_PCI_P2PDMA		0x400
#define FOLL_INTERRUPTIBLE	0x800
#define FOLL_HONOR_NUMA_FAULT	0x1000
#define FOLL_PIN		0x2000000	/* internal: pin, don't get */
#define FOLL_REMOTE		0x4000000	/* internal: another task's mm */

long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
int get_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
long pin_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);
void unpin_folio(struct folio *folio);

/*
 * A small folio counts a FOLL_PIN pin as this many references, so a
 * refcount at or above it says "possibly pinned for DMA".
 */
#define GUP_PIN_COUNTING_BIAS	(1U << 10)

/* Folio identity. */
static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline struct folio *pfn_folio(unsigned long pfn)
{
	return page_folio(pfn_to_page(pfn));
}

static inline unsigned int folio_order(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return 0;
	return folio->_flags_1 & 0xff;
}

static inline long folio_nr_pages(const struct folio *folio)
{
	return 1L << folio_order(folio);
}

static inline unsigned long folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline bool folio_test_pmd_mappable(const struct folio *folio)
{
	return folio_order(folio) >= HPAGE_PMD_ORDER;
}

static inline unsigned int compound_order(const struct page *page)
{
	return folio_order(page_folio(page));
}

static inline void *page_address(const struct page *page)
{
	return __va(page_to_pfn(page) << PAGE_SHIFT);
}

#define lowmem_page_address(page)	page_address(page)

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

static inline struct folio *virt_to_folio(const void *x)
{
	return page_folio(virt_to_page(x));
}

/* References. */
static inline void folio_get(struct folio *folio)
{
	VM_BUG_ON_FOLIO(folio_ref_count(folio) <= 0, folio);
	folio_ref_inc(folio);
}

static inline void get_page(struct page *page)
{
	folio_get(page_folio(page));
}

/* Free a folio whose last reference just went (model/swap.c). */
void __folio_put(struct folio *folio);

static inline void folio_put(struct folio *folio)
{
	if (folio_ref_dec_and_test(folio))
		__folio_put(folio);
}

static inline void folio_put_refs(struct folio *folio, int refs)
{
	if (folio_ref_sub_and_test(folio, refs))
		__folio_put(folio);
}

static inline void put_page(struct page *page)
{
	folio_put(page_folio(page));
}

struct folio_batch;
void folios_put_refs(struct folio_batch *folios, unsigned int *refs);
void folios_put(struct folio_batch *folios);
void release_pages(struct page **pages, int nr);

/*
 * Take a reference on @page unless it is free, and return its folio.  The
 * caller knows @page is not a tail page (or does not care if it becomes one).
 */
static inline struct folio *folio_get_nontail_page(struct page *page)
{
	if (unlikely(!get_page_unless_zero(page)))
		return NULL;
	return (struct folio *)page;
}

static inline bool try_get_page(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (WARN_ON_ONCE(folio_ref_count(folio) <= 0))
		return false;
	folio_ref_inc(folio);
	return true;
}

/* Map counts. */
static inline int page_mapcount(const struct page *page)
{
	int mapcount = atomic_read(&page->_mapcount) + 1;

	/* A huge PMD maps every page of its folio without a per-page count. */
	if (unlikely(PageTail(page) || PageHead(page)))
		mapcount += atomic_read(&page_folio(page)->_entire_mapcount) + 1;
	return mapcount;
}

static inline int folio_large_mapcount(const struct folio *folio)
{
	return atomic_read(&folio->_large_mapcount) + 1;
}

static inline int folio_mapcount(const struct folio *folio)
{
	if (likely(!folio_test_large(folio)))
		return atomic_read(&folio->_mapcount) + 1;
	return folio_large_mapcount(folio);
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) >= 1;
}

static inline bool page_mapped(const struct page *page)
{
	return folio_mapped(page_folio(page));
}

static inline void page_mapcount_reset(struct page *page)
{
	atomic_set(&page->_mapcount, -1);
}

/* Pins. */
static inline bool folio_maybe_dma_pinned(const struct folio *folio)
{
	if (folio_test_large(folio))
		return atomic_read(&folio->_pincount) > 0;
	return (unsigned int)folio_ref_count(folio) >= GUP_PIN_COUNTING_BIAS;
}

static inline bool page_maybe_dma_pinned(const struct page *page)
{
	return folio_maybe_dma_pinned(page_folio(page));
}

static inline bool folio_needs_cow_for_dma(struct vm_area_struct *vma,
					   struct folio *folio)
{
	if (!test_bit(MMF_HAS_PINNED, &vma->vm_mm->flags))
		return false;
	return folio_maybe_dma_pinned(folio);
}

/*
 * References a folio is expected to hold for what it is: one per page for
 * the swap cache or page cache, one for PG_private, one per mapping.
 * Anything above that (plus what the caller holds) is a pin.
 */
static inline int folio_expected_ref_count(const struct folio *folio)
{
	const int order = folio_order(folio);
	int ref_count = 0;

	if (WARN_ON_ONCE(folio_test_slab(folio)))
		return 0;

	if (folio_test_anon(folio)) {
		ref_count += folio_test_swapcache(folio) << order;
	} else if (folio->mapping) {
		ref_count += 1 << order;
		if (folio_test_private(folio))
			ref_count++;
	}
	return ref_count + folio_mapcount(folio);
}

/* Device-coherent pages must move out of the way of a long-term pin. */
bool folio_is_longterm_pinnable(struct folio *folio);

/* Zero page. */
static inline bool is_zero_page(const struct page *page)
{
	return page_to_pfn(page) == zero_pfn;
}

static inline bool is_zero_folio(const struct folio *folio)
{
	return is_zero_page(&folio->page);
}

/* Page cache / mapping (model/filemap.c, page_alloc.c). */
struct address_space *folio_mapping(struct folio *folio);
bool folio_mark_dirty(struct folio *folio);
bool set_page_dirty(struct page *page);
void folio_copy(struct folio *dst, struct folio *src);
int folio_mc_copy(struct folio *dst, struct folio *src);

/*
 * The swap cache is indexed by swap offset (swp_offset(folio->swap), the
 * low 58 bits: swapops.h cannot be included here).
 */
static inline pgoff_t folio_index(const struct folio *folio)
{
	if (unlikely(folio_test_swapcache(folio)))
		return folio->swap.val & ((1UL << (BITS_PER_LONG - 1 - 5)) - 1);
	return folio->index;
}

/* Per-mm counters. */
static inline unsigned long get_mm_counter(struct mm_struct *mm, int member)
{
	long v = atomic_long_read(&mm->rss_stat[member]);

	return v < 0 ? 0 : v;
}

static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	atomic_long_add(value, &mm->rss_stat[member]);
}

static inline void inc_mm_counter(struct mm_struct *mm, int member)
{
	atomic_long_inc(&mm->rss_stat[member]);
}

static inline void dec_mm_counter(struct mm_struct *mm, int member)
{
	atomic_long_dec(&mm->rss_stat[member]);
}

/* Which rss counter a mapped folio is charged to. */
static inline int mm_counter_file(struct folio *folio)
{
	return folio_test_swapbacked(folio) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

static inline int mm_counter(struct folio *folio)
{
	return folio_test_anon(folio) ? MM_ANONPAGES : mm_counter_file(folio);
}

/* Resident pages: every counter but the swap entries. */
static inline unsigned long get_mm_rss(struct mm_struct *mm)
{
	unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
	unsigned long file = get_mm_counter(mm, MM_FILEPAGES);

	return anon + file + get_mm_counter(mm, MM_SHMEMPAGES);
}

/*
 * Page-table allocation and locking (model/pgtable.c).  Allocating a level
 * is a failure site named by the caller (asm/pgalloc.h).
 */
int __p4d_alloc(struct mm_struct *mm, pgd_t *pgd, unsigned long address);
int __pud_alloc(struct mm_struct *mm, p4d_t *p4d, unsigned long address,
		struct fault_site *site);
int __pmd_alloc(struct mm_struct *mm, pud_t *pud, unsigned long address,
		struct fault_site *site);
int __pte_alloc(struct mm_struct *mm, pmd_t *pmd, struct fault_site *site);

static inline p4d_t *p4d_alloc(struct mm_struct *mm, pgd_t *pgd,
			       unsigned long address)
{
	if (unlikely(pgd_none(*pgd)) && __p4d_alloc(mm, pgd, address))
		return NULL;
	return p4d_offset(pgd, address);
}

static inline pud_t *pud_alloc_at(struct mm_struct *mm, p4d_t *p4d,
				  unsigned long address, struct fault_site *site)
{
	if (unlikely(p4d_none(p4dp_get(p4d))) &&
	    __pud_alloc(mm, p4d, address, site))
		return NULL;
	return pud_offset(p4d, address);
}
#define pud_alloc(mm, p4d, address)	\
	pud_alloc_at(mm, p4d, address, PGTABLE_SITE("pud_alloc"))

static inline pmd_t *pmd_alloc_at(struct mm_struct *mm, pud_t *pud,
				  unsigned long address, struct fault_site *site)
{
	if (unlikely(pud_none(pudp_get(pud))) &&
	    __pmd_alloc(mm, pud, address, site))
		return NULL;
	return pmd_offset(pud, address);
}
#define pmd_alloc(mm, pud, address)	\
	pmd_alloc_at(mm, pud, address, PGTABLE_SITE("pmd_alloc"))

/* Non-zero on failure; a huge or populated PMD is left alone. */
#define pte_alloc(mm, pmd)						\
	(unlikely(pmd_none(pmdp_get(pmd))) &&				\
	 __pte_alloc(mm, pmd, PGTABLE_SITE("pte_alloc")))

/* The split lock of a page-table page. */
static inline spinlock_t *ptlock_ptr(struct page *page)
{
	return &page->ptl;
}

static inline spinlock_t *pte_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	return ptlock_ptr(pmd_page(pmdp_get(pmd)));
}

static inline spinlock_t *pmd_lockptr(struct mm_struct *mm, pmd_t *pmd)
{
	(void)mm;
	return ptlock_ptr(virt_to_page(pmd));
}

static inline spinlock_t *__pmd_lock(struct mm_struct *mm, pmd_t *pmd)
{
	spinlock_t *ptl = pmd_lockptr(mm, pmd);

	spin_lock(ptl);
	return ptl;
}

/* A race point (model/race.h) before the lock is taken. */
#define pmd_lock(mm, pmd)						\
	(race_point(RACE_POINT("pmd_lock")), __pmd_lock(mm, pmd))

static inline spinlock_t *pud_lock(struct mm_struct *mm, pud_t *pud)
{
	(void)pud;
	spin_lock(&mm->page_table_lock);
	return &mm->page_table_lock;
}

pte_t *__pte_offset_map(pmd_t *pmd, unsigned long addr, pmd_t *pmdvalp);
pte_t *__pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			     unsigned long addr, spinlock_t **ptlp);
pte_t *pte_offset_map_lock_at(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp,
			      const struct race_point *rp);
pte_t *pte_offset_map_nolock(struct mm_struct *mm, pmd_t *pmd,
			     unsigned long addr, spinlock_t **ptlp);

static inline pte_t *pte_offset_map(pmd_t *pmd, unsigned long addr)
{
	return __pte_offset_map(pmd, addr, NULL);
}

/*
 * A race point (model/race.h) before the PMD is read: a test may make the
 * call fail there, as it does when the PMD changes under the caller.
 */
#define pte_offset_map_lock(mm, pmd, addr, ptlp)			\
	pte_offset_map_lock_at(mm, pmd, addr, ptlp,			\
			       RACE_POINT("pte_offset_map_lock"))

static inline void pte_unmap(pte_t *pte)
{
	(void)pte;
}

#define pte_unmap_unlock(pte, ptl)	do {		\
	spin_unlock(ptl);				\
	pte_unmap(pte);					\
} while (0)

/* Unmapping helpers the core uses. */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin,
			 loff_t holelen, int even_cows);

#define offset_in_page(p)	((unsigned long)(p) & ~PAGE_MASK)

#include <linux/huge_mm.h>
#include <asm/pgalloc.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>

#endif /* _LINUX_MM_H */
