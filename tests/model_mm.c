// SPDX-License-Identifier: GPL-2.0
/*
 * model_mm.c - the process side of the model on its own, without any
 * device: mmap/munmap/mprotect, anonymous faults, copy-on-write after fork,
 * the software CPU's TLB, waiting on migration entries, hmm_range_fault()'s
 * flags, GUP reference and pin counts, and the invariant checker itself
 * (which must catch a leaked reference and a leftover folio lock, and must
 * pass after every other test).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* glibc's setjmp.h defines this its own way; the shadow headers the kernel's. */
#undef __always_inline

#include <linux/mm.h>
#include <linux/hmm.h>
#include <linux/mmu_notifier.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/sched/mm.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/ioport.h>
#include <linux/highmem.h>
#include <asm/tlbflush.h>
#include <model/model.h>
#include <model/fail.h>
#include <host/host.h>
#include "devmig.h"
#include "warn.h"
#include "internal.h"
#include "wait_for.h"

#define RW	(DEVMIG_PROT_READ | DEVMIG_PROT_WRITE)

struct mmfx {
	struct devmig_proc *proc;
	struct mm_struct *mm;
	unsigned long free0;	/* free pages before the test */
};

/* ------------------------------------------------------------------------
 * Helpers.
 */

static unsigned long nviolations;

static void report_violation(const char *msg, void *arg)
{
	(void)arg;
	nviolations++;
	print_message("invariant: %s\n", msg);
}

/* Last message seen, for tests that expect a particular violation. */
static char last_violation[256];

static void record_violation(const char *msg, void *arg)
{
	(void)arg;
	host_snprintf(last_violation, sizeof(last_violation), "%s", msg);
}

static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

static void assert_invariants(void)
{
	nviolations = 0;
	assert_int_equal(devmig_check_invariants(report_violation, NULL), 0);
}

/*
 * Exactly one invariant violated, and its description contains @needle;
 * a stale message from an earlier check cannot satisfy it.
 */
static void assert_one_violation(const char *needle)
{
	last_violation[0] = 0;
	assert_int_equal(devmig_check_invariants(record_violation, NULL), 1);
	assert_true(contains(last_violation, needle));
}

/* The PTE at @addr, read as the kernel would (pte_none() if no table). */
static pte_t t_pte(struct mm_struct *mm, unsigned long addr)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);

	if (!pmd || pmd_none(pmdp_get(pmd)))
		return __pte(0);
	return ptep_get(pte_offset_map(pmd, addr));
}

static struct page *t_page(struct mm_struct *mm, unsigned long addr)
{
	pte_t pte = t_pte(mm, addr);

	assert_true(pte_present(pte));
	return pte_page(pte);
}

static unsigned long t_map(struct mmfx *f, unsigned long npages, int prot)
{
	long addr = devmig_mmap(f->proc, npages * PAGE_SIZE, prot,
				DEVMIG_MAP_PRIVATE);

	assert_true(addr > 0);
	assert_int_equal(addr & ~PAGE_MASK, 0);
	return addr;
}

static void t_store_byte(unsigned long addr, unsigned char v)
{
	assert_int_equal(devmig_store(addr, &v, 1), 0);
}

static unsigned char t_load_byte(unsigned long addr)
{
	unsigned char v = 0xee;

	assert_int_equal(devmig_load(addr, &v, 1), 0);
	return v;
}

static void t_store_long(unsigned long addr, unsigned long v)
{
	assert_int_equal(devmig_store(addr, &v, sizeof(v)), 0);
}

static unsigned long t_load_long(unsigned long addr)
{
	unsigned long v = 0;

	assert_int_equal(devmig_load(addr, &v, sizeof(v)), 0);
	return v;
}

/* refcount == mapcount settled state of an order-0 anon page. */
static void assert_anon_page(struct page *page, int mapcount, bool exclusive)
{
	lru_add_drain_all();
	assert_true(PageAnon(page));
	assert_int_equal(page_mapcount(page), mapcount);
	assert_int_equal(page_ref_count(page), mapcount);
	assert_int_equal(PageAnonExclusive(page), exclusive);
	assert_true(PageLRU(page));
	assert_false(PageLocked(page));
}

static int setup(void **state)
{
	struct mmfx *f = host_calloc(1, sizeof(*f));

	if (!f)
		return -1;
	model_warn_take(NULL, 0);	/* a failed test's are reported */
	lru_add_drain_all();
	f->free0 = model_nr_free_pages();
	f->proc = devmig_proc_create();
	if (!f->proc)
		return -1;
	f->mm = devmig_proc_mm(f->proc);
	*state = f;
	return 0;
}

/* Every test ends with the checker passing and no page leaked by exit. */
static int teardown(void **state)
{
	struct mmfx *f = *state;
	unsigned long bad;

	nviolations = 0;
	bad = devmig_check_invariants(report_violation, NULL);
	devmig_proc_exit(f->proc);
	bad += t_warnings();
	lru_add_drain_all();
	if (model_nr_free_pages() != f->free0) {
		print_error("%ld pages leaked by the test\n",
			    (long)(f->free0 - model_nr_free_pages()));
		bad++;
	}
	host_free(f);
	return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------
 * mmap / munmap / mprotect.
 */

static void test_mmap_munmap(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 4, RW), b;
	unsigned char v;

	/* Bad arguments get the kernel's answers. */
	assert_int_equal(devmig_mmap(f->proc, 0, RW, DEVMIG_MAP_PRIVATE),
			 -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, RW, 0), -EINVAL);
	assert_int_equal(devmig_munmap(f->proc, a + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(devmig_mmap(NULL, PAGE_SIZE, RW, DEVMIG_MAP_PRIVATE),
			 -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, 0x10,
				     DEVMIG_MAP_PRIVATE), -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, RW,
				     DEVMIG_MAP_PRIVATE | DEVMIG_MAP_SHARED),
			 -EINVAL);
	assert_int_equal(devmig_task_enter(f->proc), -EBUSY);
	/* Two mappings do not overlap. */
	b = t_map(f, 4, RW);
	assert_true(b + 4 * PAGE_SIZE <= a || a + 4 * PAGE_SIZE <= b);

	t_store_byte(a, 1);
	t_store_byte(a + 3 * PAGE_SIZE, 4);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);

	/* Punch out the middle: the VMA splits, the ends keep their data. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, 2 * PAGE_SIZE),
			 0);
	assert_int_equal(devmig_load(a + PAGE_SIZE, &v, 1), -EFAULT);
	assert_int_equal(devmig_load(a + 2 * PAGE_SIZE, &v, 1), -EFAULT);
	assert_int_equal(t_load_byte(a), 1);
	assert_int_equal(t_load_byte(a + 3 * PAGE_SIZE), 4);
	mmap_read_lock(f->mm);
	assert_ptr_equal(vma_lookup(f->mm, a + PAGE_SIZE), NULL);
	assert_int_equal(vma_lookup(f->mm, a)->vm_end, a + PAGE_SIZE);
	assert_int_equal(vma_lookup(f->mm, a + 3 * PAGE_SIZE)->vm_start,
			 a + 3 * PAGE_SIZE);
	mmap_read_unlock(f->mm);

	/*
	 * Unmapping all of a PMD range frees its page table too (2 MiB
	 * mappings are PMD aligned, so no neighbour shares the table).
	 */
	{
		unsigned long c = t_map(f, PTRS_PER_PTE, RW);
		long before;

		t_store_byte(c, 9);
		before = atomic_long_read(&f->mm->pgtables_bytes);
		assert_int_equal(c & ~PMD_MASK, 0);
		assert_int_equal(devmig_munmap(f->proc, c, PMD_SIZE), 0);
		assert_true(atomic_long_read(&f->mm->pgtables_bytes) < before);
		assert_true(pte_none(t_pte(f->mm, c)));
	}

	/* Unmapping the last page frees it and its RSS. */
	assert_int_equal(devmig_munmap(f->proc, a + 3 * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_int_equal(devmig_store(a + 3 * PAGE_SIZE, &v, 1), -EFAULT);
	/* Unmapping a hole is fine. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_invariants();
}

static void test_mprotect_readonly_store_faults(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 3, RW);
	struct devmig_task_stats st0, st1;
	int n;

	t_store_long(a, 0x1111);
	t_store_long(a + PAGE_SIZE, 0x2222);
	t_store_long(a + 2 * PAGE_SIZE, 0x3333);

	/* Read-only middle page: stores fail (SIGSEGV), loads still work. */
	assert_int_equal(devmig_mprotect(f->proc, a + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_false(pte_write(t_pte(f->mm, a + PAGE_SIZE)));
	devmig_task_stats(&st0);
	assert_int_equal(devmig_store(a + PAGE_SIZE, &st0, 1), -EFAULT);
	devmig_task_stats(&st1);
	/* It was a real fault: the TLB translation was flushed by mprotect. */
	assert_true(st1.faults > st0.faults);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x2222);
	/* The pieces of the split share the anon_vma their pages point to. */
	mmap_read_lock(f->mm);
	assert_non_null(vma_lookup(f->mm, a)->anon_vma);
	assert_ptr_equal(vma_lookup(f->mm, a + 2 * PAGE_SIZE)->anon_vma,
			 vma_lookup(f->mm, a)->anon_vma);
	assert_ptr_equal(folio_anon_vma(page_folio(t_page(f->mm, a + 2 * PAGE_SIZE))),
			 vma_lookup(f->mm, a + 2 * PAGE_SIZE)->anon_vma);
	mmap_read_unlock(f->mm);
	/* Neighbours keep write access. */
	t_store_long(a, 0x4444);
	t_store_long(a + 2 * PAGE_SIZE, 0x5555);

	/* PROT_NONE: even loads fault. */
	assert_int_equal(devmig_mprotect(f->proc, a + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_NONE), 0);
	assert_int_equal(devmig_load(a + PAGE_SIZE, &st0, 1), -EFAULT);

	/* Writable again: the data survived, stores work. */
	n = f->mm->map_count;
	assert_int_equal(devmig_mprotect(f->proc, a, 3 * PAGE_SIZE, RW), 0);
	/* ... and the three pieces are one VMA again. */
	assert_int_equal(f->mm->map_count, n - 2);
	mmap_read_lock(f->mm);
	assert_int_equal(vma_lookup(f->mm, a)->vm_end, a + 3 * PAGE_SIZE);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x2222);
	t_store_long(a + PAGE_SIZE, 0x6666);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x6666);
	assert_int_equal(t_load_long(a), 0x4444);

	/*
	 * A hole in the range: -ENOMEM, but as in Linux the mapped run before
	 * the hole has changed; a range that starts in the hole changes
	 * nothing.
	 */
	assert_int_equal(devmig_munmap(f->proc, a + 2 * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(devmig_mprotect(f->proc, a + 2 * PAGE_SIZE,
					 PAGE_SIZE, DEVMIG_PROT_READ), -ENOMEM);
	t_store_long(a, 0x7777);
	assert_int_equal(devmig_mprotect(f->proc, a, 3 * PAGE_SIZE,
					 DEVMIG_PROT_READ), -ENOMEM);
	assert_int_equal(devmig_store(a, &st0, 1), -EFAULT);
	assert_int_equal(devmig_store(a + PAGE_SIZE, &st0, 1), -EFAULT);
	assert_int_equal(t_load_long(a), 0x7777);
	assert_invariants();
}

/*
 * mprotect to read-only takes write permission from migration entries (an
 * mprotect that changes nothing leaves them alone, as it does in Linux).
 */
static void test_mprotect_migration_entry(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	swp_entry_t entry;
	pte_t *ptep, saved;
	spinlock_t *ptl;
	pmd_t *pmd;

	t_store_long(a, 1);
	/*
	 * Plant a writable migration entry by hand (folio locked, as a
	 * migration would), mprotect, and look: it must be readable-exclusive.
	 */
	mmap_read_lock(f->mm);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	saved = ptep_get(ptep);
	folio_lock(page_folio(pte_page(saved)));
	set_pte_at(f->mm, a, ptep, swp_entry_to_pte(
			   make_writable_migration_entry(pte_pfn(saved))));
	pte_unmap_unlock(ptep, ptl);
	flush_tlb_range(vma_lookup(f->mm, a), a, a + PAGE_SIZE);
	mmap_read_unlock(f->mm);

	assert_int_equal(devmig_mprotect(f->proc, a, PAGE_SIZE, RW), 0);
	entry = pte_to_swp_entry(t_pte(f->mm, a));
	assert_true(is_writable_migration_entry(entry));
	assert_int_equal(devmig_mprotect(f->proc, a, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	entry = pte_to_swp_entry(t_pte(f->mm, a));
	assert_true(is_migration_entry(entry));
	assert_false(is_writable_migration_entry(entry));
	assert_true(is_readable_exclusive_migration_entry(entry));

	/* Put the PTE back as it was. */
	mmap_read_lock(f->mm);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	set_pte_at(f->mm, a, ptep, pte_wrprotect(saved));
	pte_unmap_unlock(ptep, ptl);
	folio_unlock(page_folio(pte_page(saved)));
	mmap_read_unlock(f->mm);
	assert_int_equal(t_load_long(a), 1);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * Faults.
 */

static void test_read_fault_maps_zero_page(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW), v = 0xdead;
	pte_t pte;

	assert_true(pte_none(t_pte(f->mm, a)));
	assert_int_equal(devmig_load(a, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	pte = t_pte(f->mm, a);
	assert_true(pte_present(pte));
	assert_true(is_zero_pfn(pte_pfn(pte)));
	assert_false(pte_write(pte));
	/* The zero page is not anon memory of this process. */
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);

	/* A store replaces it with a private zeroed page. */
	t_store_byte(a + 7, 0x42);
	pte = t_pte(f->mm, a);
	assert_false(is_zero_pfn(pte_pfn(pte)));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_int_equal(t_load_long(a), 0x42UL << 56);
	assert_anon_page(pte_page(pte), 1, true);
	/* The zero page itself was not written. */
	assert_int_equal(*(unsigned long *)page_address(ZERO_PAGE(0)), 0);
	assert_invariants();
}

static void test_write_fault_roundtrip_bytes(void **state)
{
	struct mmfx *f = *state;
	const unsigned long n = 3 * PAGE_SIZE;
	unsigned long a = t_map(f, 3, RW), i;
	unsigned char buf[64];

	/* Byte by byte, through three pages. */
	for (i = 0; i < n; i += 13)
		t_store_byte(a + i, (unsigned char)(i * 7 + 3));
	for (i = 0; i < n; i += 13)
		assert_int_equal(t_load_byte(a + i), (unsigned char)(i * 7 + 3));
	/* Bytes not written read as zero. */
	assert_int_equal(t_load_byte(a + 1), 0);
	/* One access straddling a page boundary. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(0xa0 + i);
	assert_int_equal(devmig_store(a + PAGE_SIZE - 32, buf, sizeof(buf)), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(devmig_load(a + PAGE_SIZE - 32, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (unsigned char)(0xa0 + i));
	/* The bytes are in the physical pages the PTEs name. */
	assert_int_equal(((unsigned char *)page_address(t_page(f->mm, a)))[13],
			 (unsigned char)(13 * 7 + 3));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 3);
	/* Outside any VMA: SIGSEGV. */
	assert_int_equal(devmig_load(a + n, buf, 1), -EFAULT);
	assert_int_equal(devmig_store(a - 1, buf, 2), -EFAULT);
	assert_invariants();
}

static void test_cow_after_fork(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW);
	struct devmig_proc *child;
	struct mm_struct *cmm;
	struct page *page, *cpage;

	t_store_long(a, 0xAAAA);
	/* Page 1 stays the zero page: shared too, without a reference. */
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	page = t_page(f->mm, a);

	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cmm = devmig_proc_mm(child);
	/* Shared, write-protected in both, counted in both. */
	assert_ptr_equal(t_page(cmm, a), page);
	assert_false(pte_write(t_pte(f->mm, a)));
	assert_false(pte_write(t_pte(cmm, a)));
	assert_anon_page(page, 2, false);
	assert_int_equal(get_mm_counter(cmm, MM_ANONPAGES), 1);
	assert_invariants();

	/* The child writes: it gets its own copy, the parent keeps A. */
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(child), 0);
	assert_int_equal(t_load_long(a), 0xAAAA);
	t_store_long(a, 0xBBBB);
	cpage = t_page(cmm, a);
	assert_ptr_not_equal(cpage, page);
	assert_anon_page(cpage, 1, true);
	t_store_long(a + PAGE_SIZE, 0xCCCC);
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(f->proc), 0);

	assert_int_equal(t_load_long(a), 0xAAAA);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	/* The parent is the last mapper: it reuses the page, no copy. */
	assert_anon_page(page, 1, false);
	t_store_long(a, 0xDDDD);
	assert_ptr_equal(t_page(f->mm, a), page);
	assert_anon_page(page, 1, true);

	devmig_task_leave();
	assert_int_equal(devmig_task_enter(child), 0);
	assert_int_equal(t_load_long(a), 0xBBBB);
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(f->proc), 0);
	assert_invariants();
	devmig_proc_exit(child);
	assert_invariants();
}

/* Shared anonymous memory is shmem: not anonymous, shared across fork. */
static void test_shared_anon_is_shmem(void **state)
{
	struct mmfx *f = *state;
	long a = devmig_mmap(f->proc, 2 * PAGE_SIZE, RW, DEVMIG_MAP_SHARED);
	struct devmig_proc *child;
	struct vm_area_struct *vma;
	struct page *page;

	assert_true(a > 0);
	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, a);
	assert_false(vma_is_anonymous(vma));
	assert_true(vma->vm_flags & VM_SHARED);
	mmap_read_unlock(f->mm);

	/* Even a read fault maps a real page (no zero page in shmem). */
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);
	assert_false(is_zero_pfn(pte_pfn(t_pte(f->mm, a + PAGE_SIZE))));
	t_store_long(a, 0x5a5a);
	page = t_page(f->mm, a);
	assert_false(PageAnon(page));
	assert_int_equal(get_mm_counter(f->mm, MM_SHMEMPAGES), 2);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);
	lru_add_drain_all();
	assert_int_equal(page_ref_count(page), 2);	/* cache + mapping */
	assert_invariants();

	/* The child shares the same pages: writes are seen both ways. */
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(child), 0);
	assert_int_equal(t_load_long(a), 0x5a5a);
	t_store_long(a + 8, 0xc0c0);
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), page);
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(f->proc), 0);
	assert_int_equal(t_load_long(a + 8), 0xc0c0);
	assert_invariants();
	devmig_proc_exit(child);
	/* Unmapping part of it: the other page and the data stay. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(t_load_long(a), 0x5a5a);
	assert_invariants();
}

/* A page pinned while exclusive is copied at fork, not shared. */
static void test_fork_copies_pinned_page(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct devmig_proc *child;
	struct page *pinned, *page;

	t_store_long(a, 0x1234);
	assert_int_equal(pin_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM,
					&pinned), 1);
	page = t_page(f->mm, a);
	assert_ptr_equal(pinned, page);

	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_ptr_not_equal(t_page(devmig_proc_mm(child), a), page);
	assert_true(PageAnonExclusive(page));
	assert_true(pte_write(t_pte(f->mm, a)));
	assert_int_equal(*(unsigned long *)page_address(
			 t_page(devmig_proc_mm(child), a)), 0x1234);
	assert_invariants();
	unpin_user_page(pinned);
	devmig_proc_exit(child);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * The TLB.
 */

/*
 * Change a PTE behind the CPU's back: with no flush the CPU keeps using the
 * old translation; after the flush it sees the new one.
 */
static void test_tlb_stale_until_flush(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct devmig_task_stats st0, st1;
	struct vm_area_struct *vma;
	struct page *other;
	pte_t *ptep, old;
	spinlock_t *ptl;
	pmd_t *pmd;

	t_store_long(a, 0x01d);
	other = alloc_page(GFP_KERNEL);
	assert_non_null(other);
	*(unsigned long *)page_address(other) = 0x7e7;

	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, a);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	old = ptep_get(ptep);
	set_pte_at(f->mm, a, ptep, mk_pte(other, vma->vm_page_prot));
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);

	devmig_task_stats(&st0);
	assert_int_equal(t_load_long(a), 0x01d);	/* stale */
	devmig_task_stats(&st1);
	assert_int_equal(st1.tlb_hits, st0.tlb_hits + 1);
	assert_int_equal(st1.faults, st0.faults);

	flush_tlb_range(vma, a, a + PAGE_SIZE);
	assert_int_equal(t_load_long(a), 0x7e7);	/* fresh */
	devmig_task_stats(&st0);
	assert_int_equal(st0.tlb_misses, st1.tlb_misses + 1);

	/* Restore, flush, and the old page is back. */
	mmap_read_lock(f->mm);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	set_pte_at(f->mm, a, ptep, old);
	pte_unmap_unlock(ptep, ptl);
	flush_tlb_range(vma, a, a + PAGE_SIZE);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_load_long(a), 0x01d);
	__free_page(other);
	assert_invariants();
}

/* The CPU sets A and D like the hardware walker. */
static void test_cpu_sets_accessed_dirty(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct vm_area_struct *vma;
	pte_t *ptep;
	pmd_t *pmd;

	t_store_long(a, 5);
	mmap_read_lock(f->mm);
	vma = vma_lookup(f->mm, a);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map(pmd, a);
	/* Age and clean it (as reclaim would), flush, then read. */
	set_pte_at(f->mm, a, ptep, pte_mkclean(pte_mkold(ptep_get(ptep))));
	flush_tlb_range(vma, a, a + PAGE_SIZE);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_load_long(a), 5);
	assert_true(pte_young(t_pte(f->mm, a)));
	assert_false(pte_dirty(t_pte(f->mm, a)));
	/* A store through the clean translation walks again to set D. */
	t_store_long(a, 6);
	assert_true(pte_dirty(t_pte(f->mm, a)));
	assert_int_equal(t_load_long(a), 6);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * Migration entries: a CPU access waits for the folio lock.
 */

struct waiter {
	struct devmig_proc *proc;
	unsigned long addr;
	unsigned long value;
	int ret;
	int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = devmig_task_enter(w->proc);
	if (!w->ret)
		w->ret = devmig_load(w->addr, &w->value, sizeof(w->value));
	devmig_task_leave();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_migration_entry_wait(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct waiter w = { .proc = f->proc, .addr = a };
	struct host_thread th;
	struct folio *folio;
	pte_t *ptep, old;
	spinlock_t *ptl;
	pmd_t *pmd;

	t_store_long(a, 0x5eed);
	folio = page_folio(t_page(f->mm, a));

	/* Half a migration: folio locked, PTE replaced by a migration entry. */
	folio_lock(folio);
	mmap_read_lock(f->mm);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	old = ptep_get(ptep);
	set_pte_at(f->mm, a, ptep, swp_entry_to_pte(
			   make_writable_migration_entry(folio_pfn(folio))));
	pte_unmap_unlock(ptep, ptl);
	flush_tlb_range(vma_lookup(f->mm, a), a, a + PAGE_SIZE);
	mmap_read_unlock(f->mm);

	assert_int_equal(host_thread_create(&th, waiter_fn, &w), 0);
	/* Asleep on the folio: the access cannot complete. */
	assert_true(t_wait_sleepers(folio, 1));
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);

	/* Finish the "migration" (restored in place) and wake it. */
	mmap_read_lock(f->mm);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	set_pte_at(f->mm, a, ptep, old);
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);
	folio_unlock(folio);

	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(w.ret, 0);
	assert_int_equal(w.value, 0x5eed);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * hmm_range_fault().
 */

struct t_mni {
	struct mmu_interval_notifier mni;
	int invalidations;
	int last_event;
};

static bool t_mni_invalidate(struct mmu_interval_notifier *mni,
			     const struct mmu_notifier_range *range,
			     unsigned long cur_seq)
{
	struct t_mni *t = container_of(mni, struct t_mni, mni);

	t->invalidations++;
	t->last_event = range->event;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops t_mni_ops = {
	.invalidate = t_mni_invalidate,
};

static int t_hmm(struct mmfx *f, struct t_mni *t, unsigned long start,
		 unsigned long npages, unsigned long *pfns,
		 unsigned long default_flags, unsigned long mask)
{
	struct hmm_range range = {
		.notifier = &t->mni,
		.start = start,
		.end = start + npages * PAGE_SIZE,
		.hmm_pfns = pfns,
		.default_flags = default_flags,
		.pfn_flags_mask = mask,
	};
	int ret, tries = 0;

	/*
	 * Like a driver: a fault that invalidates the range (a CoW of the
	 * zero page, say) makes the next pass report -EBUSY; start again.
	 */
	do {
		range.notifier_seq = mmu_interval_read_begin(&t->mni);
		mmap_read_lock(f->mm);
		ret = hmm_range_fault(&range);
		mmap_read_unlock(f->mm);
	} while (ret == -EBUSY && ++tries < 16);
	return ret;
}

static void test_hmm_range_fault_flags(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 4, RW);
	unsigned long ro = t_map(f, 1, DEVMIG_PROT_READ);
	unsigned long pfns[4];
	struct t_mni t = { 0 };
	struct hmm_range range;

	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, 0,
						      TASK_SIZE, &t_mni_ops), 0);
	/* Page 0 written, page 1 read (zero page), pages 2-3 holes. */
	t_store_long(a, 1);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0);

	/* Snapshot only: nothing faulted. */
	assert_int_equal(t_hmm(f, &t, a, 4, pfns, 0, 0), 0);
	assert_int_equal(pfns[0], page_to_pfn(t_page(f->mm, a)) |
			 HMM_PFN_VALID | HMM_PFN_WRITE);
	assert_int_equal(pfns[1], zero_pfn | HMM_PFN_VALID);
	assert_int_equal(pfns[2], 0);
	assert_int_equal(pfns[3], 0);
	assert_ptr_equal(hmm_pfn_to_page(pfns[0]), t_page(f->mm, a));
	assert_int_equal(hmm_pfn_to_map_order(pfns[0]), 0);
	assert_true(pte_none(t_pte(f->mm, a + 2 * PAGE_SIZE)));

	/* Per-page request: fault page 2 for read only. */
	pfns[0] = pfns[1] = pfns[3] = 0;
	pfns[2] = HMM_PFN_REQ_FAULT;
	assert_int_equal(t_hmm(f, &t, a, 4, pfns, 0, HMM_PFN_REQ_FAULT |
			       HMM_PFN_REQ_WRITE), 0);
	assert_int_equal(pfns[2], zero_pfn | HMM_PFN_VALID);
	/*
	 * As in the kernel, the fault covers the rest of the walk (to the end
	 * of the PMD range), so page 3 was read-faulted too.
	 */
	assert_int_equal(pfns[3], zero_pfn | HMM_PFN_VALID);
	assert_int_equal(pfns[0] & ~HMM_PFN_FLAGS, page_to_pfn(t_page(f->mm, a)));

	/* Default write request: everything becomes a writable private page. */
	assert_int_equal(t_hmm(f, &t, a, 4, pfns,
			       HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE, 0), 0);
	for (int i = 0; i < 4; i++) {
		unsigned long addr = a + i * PAGE_SIZE;

		assert_int_equal(pfns[i] & (HMM_PFN_VALID | HMM_PFN_WRITE),
				 HMM_PFN_VALID | HMM_PFN_WRITE);
		assert_ptr_equal(hmm_pfn_to_page(pfns[i]), t_page(f->mm, addr));
		assert_false(is_zero_pfn(pfns[i] & ~HMM_PFN_FLAGS));
	}
	assert_int_equal(t_load_long(a), 1);

	/* Write to a read-only VMA: -EPERM; read of it is fine. */
	assert_int_equal(t_hmm(f, &t, ro, 1, pfns,
			       HMM_PFN_REQ_FAULT | HMM_PFN_REQ_WRITE, 0),
			 -EPERM);
	assert_int_equal(t_hmm(f, &t, ro, 1, pfns, HMM_PFN_REQ_FAULT, 0), 0);
	assert_int_equal(pfns[0], zero_pfn | HMM_PFN_VALID);

	/* A VMA without read access: ERROR, or -EFAULT when faulting. */
	{
		unsigned long none = t_map(f, 1, DEVMIG_PROT_NONE);

		assert_int_equal(t_hmm(f, &t, none, 1, pfns, 0, 0), 0);
		assert_int_equal(pfns[0], HMM_PFN_ERROR);
		assert_int_equal(t_hmm(f, &t, none, 1, pfns, HMM_PFN_REQ_FAULT,
				       0), -EFAULT);
	}

	/* No VMA: ERROR when only looking, -EFAULT when faulting. */
	assert_int_equal(devmig_munmap(f->proc, a + 3 * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(t_hmm(f, &t, a + 3 * PAGE_SIZE, 1, pfns, 0, 0), 0);
	assert_int_equal(pfns[0], HMM_PFN_ERROR);
	assert_int_equal(t_hmm(f, &t, a + 3 * PAGE_SIZE, 1, pfns,
			       HMM_PFN_REQ_FAULT, 0), -EFAULT);

	/* An invalidation after read_begin: -EBUSY, nothing reported. */
	range = (struct hmm_range){
		.notifier = &t.mni,
		.start = a,
		.end = a + PAGE_SIZE,
		.hmm_pfns = pfns,
	};
	range.notifier_seq = mmu_interval_read_begin(&t.mni);
	t.invalidations = 0;
	assert_int_equal(devmig_mprotect(f->proc, a + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_true(t.invalidations > 0);
	assert_int_equal(t.last_event, MMU_NOTIFY_PROTECTION_VMA);
	mmap_read_lock(f->mm);
	assert_int_equal(hmm_range_fault(&range), -EBUSY);
	mmap_read_unlock(f->mm);

	mmu_interval_notifier_remove(&t.mni);
	assert_invariants();
}

/* A migration entry: a snapshot reports 0 at once, it never waits. */
static void test_hmm_snapshot_skips_migration_entry(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW), pfns[1] = { 0 };
	struct t_mni t = { 0 };
	struct folio *folio;
	pte_t *ptep, old;
	spinlock_t *ptl;
	pmd_t *pmd;

	t_store_long(a, 3);
	folio = page_folio(t_page(f->mm, a));
	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, a,
						      PAGE_SIZE, &t_mni_ops), 0);
	folio_lock(folio);
	mmap_read_lock(f->mm);
	pmd = mm_find_pmd(f->mm, a);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	old = ptep_get(ptep);
	set_pte_at(f->mm, a, ptep, swp_entry_to_pte(
			   make_writable_migration_entry(folio_pfn(folio))));
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);

	/* The folio stays locked: a wait here would never return. */
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, 0, 0), 0);
	assert_int_equal(pfns[0], 0);

	mmap_read_lock(f->mm);
	ptep = pte_offset_map_lock(f->mm, pmd, a, &ptl);
	set_pte_at(f->mm, a, ptep, old);
	pte_unmap_unlock(ptep, ptl);
	mmap_read_unlock(f->mm);
	folio_unlock(folio);
	/* Now a fault request answers with the page. */
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, HMM_PFN_REQ_FAULT, 0), 0);
	assert_int_equal(pfns[0], folio_pfn(folio) | HMM_PFN_VALID |
			 HMM_PFN_WRITE);
	mmu_interval_notifier_remove(&t.mni);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * GUP.
 */

static void test_gup_pin_counts(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW);
	unsigned long ro = t_map(f, 1, DEVMIG_PROT_READ);
	struct page *pages[2], *page, *zero;

	t_store_long(a, 9);
	page = t_page(f->mm, a);
	assert_anon_page(page, 1, true);

	/* FOLL_GET: one reference each. */
	assert_int_equal(get_user_pages(a, 1, 0, pages), 1);
	assert_ptr_equal(pages[0], page);
	assert_int_equal(page_ref_count(page), 2);
	assert_false(folio_maybe_dma_pinned(page_folio(page)));
	put_page(pages[0]);
	assert_int_equal(page_ref_count(page), 1);

	/* FOLL_PIN: GUP_PIN_COUNTING_BIAS each, and "maybe pinned". */
	assert_int_equal(pin_user_pages(a, 1, FOLL_WRITE, pages), 1);
	assert_int_equal(page_ref_count(page), 1 + GUP_PIN_COUNTING_BIAS);
	assert_true(folio_maybe_dma_pinned(page_folio(page)));
	assert_true(test_bit(MMF_HAS_PINNED, &f->mm->flags));
	/* The checker knows the pin: no violation while it is held. */
	assert_invariants();
	assert_int_equal(pin_user_pages(a, 1, 0, pages + 1), 1);
	assert_int_equal(page_ref_count(page), 1 + 2 * GUP_PIN_COUNTING_BIAS);
	unpin_user_pages(pages, 2);
	assert_int_equal(page_ref_count(page), 1);
	assert_false(folio_maybe_dma_pinned(page_folio(page)));

	/* A hole is faulted in: write -> a new private page. */
	assert_true(pte_none(t_pte(f->mm, a + PAGE_SIZE)));
	assert_int_equal(get_user_pages(a + PAGE_SIZE, 1, FOLL_WRITE, pages),
			 1);
	assert_ptr_equal(pages[0], t_page(f->mm, a + PAGE_SIZE));
	assert_false(is_zero_page(pages[0]));
	put_page(pages[0]);

	/* A read pin of the zero page takes no reference at all. */
	assert_int_equal(t_load_long(ro), 0);
	zero = t_page(f->mm, ro);
	assert_true(is_zero_page(zero));
	{
		int before = page_ref_count(zero);

		assert_int_equal(pin_user_pages(ro, 1, 0, pages), 1);
		assert_ptr_equal(pages[0], zero);
		assert_int_equal(page_ref_count(zero), before);
		unpin_user_page(pages[0]);
		assert_int_equal(page_ref_count(zero), before);
	}
	/* No write access, or no VMA at all (below the lowest one): -EFAULT. */
	assert_int_equal(get_user_pages(ro, 1, FOLL_WRITE, pages), -EFAULT);
	assert_int_equal(get_user_pages(ro - PAGE_SIZE, 1, 0, pages), -EFAULT);
	assert_invariants();
}

/*
 * Only a pin may be long-term: FOLL_GET with FOLL_LONGTERM warns and takes
 * nothing, as 6.12's is_valid_gup_args() (gup_test reports 0 pages; found
 * by make kernel-diff).
 */
static void test_gup_get_longterm_refused(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct page *pages[1], *page;
	int ref;

	t_store_long(a, 9);
	page = t_page(f->mm, a);
	ref = page_ref_count(page);
	assert_int_equal(get_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM,
					pages), -EINVAL);
	t_expect_warn(1, "FOLL_LONGTERM");
	assert_int_equal(get_user_pages_fast(a, 1, FOLL_LONGTERM, pages),
			 -EINVAL);
	t_expect_warn(1, "FOLL_LONGTERM");
	assert_int_equal(page_ref_count(page), ref);
	assert_false(folio_maybe_dma_pinned(page_folio(page)));
	/* A long-term pin is what the flag is for. */
	assert_int_equal(pin_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM,
					pages), 1);
	assert_ptr_equal(pages[0], page);
	unpin_user_page(pages[0]);
	assert_invariants();
}

/* Pinning a shared (post-fork) anon page unshares it first. */
static void test_gup_pin_unshares(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct devmig_proc *child;
	struct page *page, *pinned;

	t_store_long(a, 77);
	page = t_page(f->mm, a);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_anon_page(page, 2, false);

	assert_int_equal(pin_user_pages(a, 1, 0, &pinned), 1);
	/* The parent got an exclusive copy, still read-only; child keeps page. */
	assert_ptr_not_equal(pinned, page);
	assert_ptr_equal(t_page(f->mm, a), pinned);
	assert_true(PageAnonExclusive(pinned));
	assert_false(pte_write(t_pte(f->mm, a)));
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), page);
	assert_int_equal(t_load_long(a), 77);
	assert_invariants();
	unpin_user_page(pinned);
	devmig_proc_exit(child);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * A minimal device-private memory driver, to meet device-private entries.
 */

#define TDEV_PAGES	16

struct tdev {
	struct dev_pagemap pgmap;
	struct resource *res;
	unsigned char *backing;		/* TDEV_PAGES pages of "device" data */
	bool used[TDEV_PAGES];
	int migrate_calls;		/* migrate_to_ram() invocations */
	int refs_seen;			/* vmf->page refcount inside it */
	int page_frees;
	vm_fault_t fail;		/* answer instead of migrating */
};

static struct tdev tdev;

static unsigned long tdev_index(struct page *page)
{
	return page_to_pfn(page) - PHYS_PFN(tdev.pgmap.range.start);
}

static void *tdev_data(struct page *page)
{
	/* Coherent memory is CPU addressable: the page holds its bytes. */
	if (tdev.pgmap.type == MEMORY_DEVICE_COHERENT)
		return page_address(page);
	return tdev.backing + tdev_index(page) * PAGE_SIZE;
}

static struct page *tdev_alloc(void)
{
	unsigned long i;

	for (i = 0; i < TDEV_PAGES; i++) {
		if (!tdev.used[i]) {
			struct page *page = pfn_to_page(
				PHYS_PFN(tdev.pgmap.range.start) + i);

			tdev.used[i] = true;
			zone_device_page_init(page);	/* refcount 1, locked */
			return page;
		}
	}
	return NULL;
}

static void tdev_page_free(struct page *page)
{
	tdev.used[tdev_index(page)] = false;
	tdev.page_frees++;
}

static vm_fault_t tdev_migrate_to_ram(struct vm_fault *vmf)
{
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address,
		.end = vmf->address + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = &tdev,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = vmf->page,
	};
	struct page *spage, *dpage;

	tdev.migrate_calls++;
	tdev.refs_seen = page_ref_count(vmf->page);
	if (tdev.fail)
		return tdev.fail;
	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	spage = migrate_pfn_to_page(src);
	if (spage && (src & MIGRATE_PFN_MIGRATE)) {
		dpage = alloc_page_vma(GFP_HIGHUSER, vmf->vma, vmf->address);
		if (dpage) {
			lock_page(dpage);
			memcpy(page_address(dpage), tdev_data(spage), PAGE_SIZE);
			dst = migrate_pfn(page_to_pfn(dpage));
		}
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 0;
}

static const struct dev_pagemap_ops tdev_ops = {
	.page_free = tdev_page_free,
	.migrate_to_ram = tdev_migrate_to_ram,
};

static int tdev_setup_type(void **state, enum memory_type type)
{
	void *ret;

	if (setup(state))
		return -1;
	memset(&tdev, 0, sizeof(tdev));
	tdev.backing = host_calloc(TDEV_PAGES, PAGE_SIZE);
	tdev.res = request_free_mem_region(&iomem_resource,
					   TDEV_PAGES * PAGE_SIZE, "tdev");
	if (!tdev.backing || IS_ERR(tdev.res))
		return -1;
	tdev.pgmap.type = type;
	tdev.pgmap.range.start = tdev.res->start;
	tdev.pgmap.range.end = tdev.res->end;
	tdev.pgmap.nr_range = 1;
	tdev.pgmap.ops = &tdev_ops;
	tdev.pgmap.owner = &tdev;
	ret = memremap_pages(&tdev.pgmap, 0);
	return IS_ERR(ret) ? -1 : 0;
}

static int tdev_setup(void **state)
{
	return tdev_setup_type(state, MEMORY_DEVICE_PRIVATE);
}

static int tdev_setup_coherent(void **state)
{
	return tdev_setup_type(state, MEMORY_DEVICE_COHERENT);
}

static int tdev_teardown(void **state)
{
	int ret = teardown(state);	/* exit frees the device pages */

	memunmap_pages(&tdev.pgmap);
	release_mem_region(tdev.res->start, resource_size(tdev.res));
	host_free(tdev.backing);
	return ret;
}

/* Move [addr, addr + n pages) to the device with migrate_vma_*. */
static unsigned long tdev_migrate_to_dev(struct mmfx *f, unsigned long addr,
					 unsigned long n)
{
	unsigned long src[TDEV_PAGES] = { 0 }, dst[TDEV_PAGES] = { 0 }, i;
	struct migrate_vma args = {
		.start = addr,
		.end = addr + n * PAGE_SIZE,
		.src = src,
		.dst = dst,
		.pgmap_owner = &tdev,
		.flags = MIGRATE_VMA_SELECT_SYSTEM,
	};
	unsigned long migrated = 0;

	mmap_read_lock(f->mm);
	args.vma = vma_lookup(f->mm, addr);
	assert_int_equal(migrate_vma_setup(&args), 0);
	for (i = 0; i < n; i++) {
		struct page *spage = migrate_pfn_to_page(src[i]), *dpage;

		if (!(src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = tdev_alloc();
		assert_non_null(dpage);
		if (spage)
			memcpy(tdev_data(dpage), page_address(spage), PAGE_SIZE);
		else
			memset(tdev_data(dpage), 0, PAGE_SIZE);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	migrate_vma_pages(&args);
	for (i = 0; i < n; i++)
		if (src[i] & MIGRATE_PFN_MIGRATE)
			migrated++;
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);
	return migrated;
}

static bool is_dev_entry(struct mm_struct *mm, unsigned long addr, bool write)
{
	pte_t pte = t_pte(mm, addr);
	swp_entry_t entry;

	if (pte_none(pte) || pte_present(pte))
		return false;
	entry = pte_to_swp_entry(pte);
	return is_device_private_entry(entry) &&
	       is_writable_device_private_entry(entry) == write;
}

static struct page *dev_entry_page(struct mm_struct *mm, unsigned long addr)
{
	return pfn_swap_entry_to_page(pte_to_swp_entry(t_pte(mm, addr)));
}

/*
 * A CPU fault on a device-private page (doc/CONTRACT.md, "CPU faults on
 * device-private pages"): the per-VMA-lock attempt retries without calling
 * the driver; the mmap_lock attempt calls it once, holding one extra
 * reference; the access then completes against a system page.
 */
static void test_device_private_fault(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW);
	struct devmig_task_stats st0, st1;
	struct page *dpage;

	t_store_long(a, 0xfeed);
	t_store_long(a + PAGE_SIZE, 0xbeef);
	assert_int_equal(tdev_migrate_to_dev(f, a, 2), 2);
	assert_true(is_dev_entry(f->mm, a, true));
	dpage = dev_entry_page(f->mm, a);
	assert_int_equal(page_ref_count(dpage), 1);
	assert_int_equal(page_mapcount(dpage), 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);
	assert_invariants();

	devmig_task_stats(&st0);
	assert_int_equal(t_load_long(a), 0xfeed);
	devmig_task_stats(&st1);
	assert_int_equal(tdev.migrate_calls, 1);
	assert_int_equal(tdev.refs_seen, 2);	/* mapping + fault reference */
	assert_int_equal(st1.faults, st0.faults + 1);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_int_equal(tdev.page_frees, 1);
	assert_int_equal(page_ref_count(dpage), 0);
	/* The other page is still on the device. */
	assert_true(is_dev_entry(f->mm, a + PAGE_SIZE, true));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);
	assert_invariants();

	/* The checker notices an entry naming a page that is free. */
	dpage = dev_entry_page(f->mm, a + PAGE_SIZE);
	atomic_set(&dpage->_refcount, 0);
	last_violation[0] = 0;
	assert_true(devmig_check_invariants(record_violation, NULL) >= 1);
	assert_true(contains(last_violation, "free page"));
	atomic_set(&dpage->_refcount, 1);
	assert_invariants();

	/* munmap of a device-private entry frees the device page. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(tdev.page_frees, 2);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_invariants();
}

/* A driver that cannot migrate: SIGBUS for the CPU, -EFAULT for GUP/HMM. */
static void test_device_private_sigbus(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW), pfns[1];
	struct t_mni t = { 0 };
	struct page *page, *dpage;
	pte_t before;

	t_store_long(a, 0xabc);
	assert_int_equal(tdev_migrate_to_dev(f, a, 1), 1);
	dpage = dev_entry_page(f->mm, a);
	before = t_pte(f->mm, a);
	tdev.fail = VM_FAULT_SIGBUS;
	assert_int_equal(devmig_load(a, pfns, sizeof(pfns[0])), -EIO);
	assert_int_equal(tdev.migrate_calls, 1);
	assert_true(pte_same(t_pte(f->mm, a), before));
	assert_int_equal(page_ref_count(dpage), 1);
	assert_int_equal(get_user_pages(a, 1, 0, &page), -EFAULT);
	assert_int_equal(tdev.migrate_calls, 2);

	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, a,
						      PAGE_SIZE, &t_mni_ops), 0);
	/* The owner sees its own page without any fault. */
	{
		struct hmm_range range = {
			.notifier = &t.mni, .start = a, .end = a + PAGE_SIZE,
			.hmm_pfns = pfns, .default_flags = HMM_PFN_REQ_FAULT,
			.dev_private_owner = &tdev,
		};

		range.notifier_seq = mmu_interval_read_begin(&t.mni);
		mmap_read_lock(f->mm);
		assert_int_equal(hmm_range_fault(&range), 0);
		mmap_read_unlock(f->mm);
		assert_int_equal(pfns[0], page_to_pfn(dpage) | HMM_PFN_VALID |
				 HMM_PFN_WRITE);
	}
	/* Anyone else: 0 when looking, a failed fault when asking. */
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, 0, 0), 0);
	assert_int_equal(pfns[0], 0);
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, HMM_PFN_REQ_FAULT, 0),
			 -EFAULT);
	assert_int_equal(tdev.migrate_calls, 3);
	mmu_interval_notifier_remove(&t.mni);

	/* Once the driver can migrate again, the data comes back. */
	tdev.fail = 0;
	assert_int_equal(t_load_long(a), 0xabc);
	assert_int_equal(tdev.page_frees, 1);
	assert_invariants();
}

/* Fork shares device-private pages read-only. */
static void test_fork_device_private(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct devmig_proc *child;
	struct mm_struct *cmm;
	struct page *dpage;

	t_store_long(a, 0x600d);
	assert_int_equal(tdev_migrate_to_dev(f, a, 1), 1);
	dpage = dev_entry_page(f->mm, a);

	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cmm = devmig_proc_mm(child);
	assert_true(is_dev_entry(f->mm, a, false));
	assert_true(is_dev_entry(cmm, a, false));
	assert_ptr_equal(dev_entry_page(cmm, a), dpage);
	assert_int_equal(page_ref_count(dpage), 2);
	assert_int_equal(page_mapcount(dpage), 2);
	assert_false(PageAnonExclusive(dpage));
	assert_int_equal(get_mm_counter(cmm, MM_ANONPAGES), 1);
	assert_invariants();

	/* The child writes: back to RAM for both, then a private copy. */
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(child), 0);
	t_store_long(a, 0xc41d);
	assert_int_equal(tdev.migrate_calls, 1);
	devmig_task_leave();
	assert_int_equal(devmig_task_enter(f->proc), 0);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_int_equal(t_load_long(a), 0x600d);
	assert_ptr_not_equal(t_page(f->mm, a), t_page(cmm, a));
	assert_int_equal(tdev.page_frees, 1);
	assert_invariants();
	devmig_proc_exit(child);
	assert_invariants();
}

/* Exclusive-access notifier: counts MMU_NOTIFY_EXCLUSIVE revocations. */
struct t_excl {
	struct mmu_interval_notifier mni;
	int revoked;		/* EXCLUSIVE events with owner NULL */
};

static bool t_excl_invalidate(struct mmu_interval_notifier *mni,
			      const struct mmu_notifier_range *range,
			      unsigned long cur_seq)
{
	struct t_excl *t = container_of(mni, struct t_excl, mni);

	if (range->event == MMU_NOTIFY_EXCLUSIVE && !range->owner)
		t->revoked++;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops t_excl_ops = {
	.invalidate = t_excl_invalidate,
};

static void t_make_exclusive(struct mmfx *f, unsigned long a, void *owner)
{
	struct page *page;

	mmap_read_lock(f->mm);
	assert_int_equal(make_device_exclusive_range(f->mm, a, a + PAGE_SIZE,
						     &page, owner), 1);
	mmap_read_unlock(f->mm);
	assert_non_null(page);
	unlock_page(page);
	put_page(page);
}

/*
 * Section 10: a device-exclusive entry keeps its reference but not its map
 * count; a CPU access revokes it (MMU_NOTIFY_EXCLUSIVE, owner NULL) and
 * gets a present, writable, dirty PTE back; fork restores it in the parent
 * before copying; munmap drops its reference.
 */
static void test_device_exclusive_entry(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW);
	struct t_excl t = { 0 };
	struct devmig_proc *child;
	struct page *page;
	swp_entry_t entry;
	int owner;

	t_store_long(a, 0xe8c1);
	page = t_page(f->mm, a);
	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, a,
						      2 * PAGE_SIZE,
						      &t_excl_ops), 0);
	t_make_exclusive(f, a, &owner);
	entry = pte_to_swp_entry(t_pte(f->mm, a));
	assert_true(is_device_exclusive_entry(entry));
	assert_true(is_writable_device_exclusive_entry(entry));
	lru_add_drain_all();
	assert_int_equal(page_mapcount(page), 0);
	assert_int_equal(page_ref_count(page), 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_invariants();

	/* The CPU takes it back. */
	assert_int_equal(t_load_long(a), 0xe8c1);
	assert_int_equal(t.revoked, 1);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_true(pte_write(t_pte(f->mm, a)));
	assert_true(pte_dirty(t_pte(f->mm, a)));
	assert_ptr_equal(t_page(f->mm, a), page);
	assert_int_equal(page_mapcount(page), 1);
	assert_int_equal(page_ref_count(page), 1);
	assert_invariants();

	/* Fork: the parent's entry is restored, then shared as usual. */
	t_make_exclusive(f, a, &owner);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), page);
	assert_int_equal(page_mapcount(page), 2);
	assert_invariants();
	devmig_proc_exit(child);

	/* munmap of an exclusive entry frees the page. */
	t_make_exclusive(f, a, &owner);
	mmu_interval_notifier_remove(&t.mni);
	get_page(page);
	assert_int_equal(devmig_munmap(f->proc, a, PAGE_SIZE), 0);
	assert_int_equal(page_ref_count(page), 1);	/* only ours */
	put_page(page);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);
	assert_invariants();
}

/*
 * Device-coherent memory is mapped by present PTEs: the CPU reads it in
 * place, a write after fork copies it to system memory (CoW), and a
 * long-term pin moves it out first.
 */
static void test_device_coherent(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 2, RW);
	struct devmig_proc *child;
	struct page *dpage, *pinned;
	struct devmig_task_stats st0, st1;

	t_store_long(a, 0xc0de);
	t_store_long(a + PAGE_SIZE, 0xface);
	tdev.migrate_calls = 0;
	assert_int_equal(tdev_migrate_to_dev(f, a, 2), 2);
	dpage = t_page(f->mm, a);
	assert_true(is_device_coherent_page(dpage));
	assert_true(pte_write(t_pte(f->mm, a)));
	devmig_task_stats(&st0);
	assert_int_equal(t_load_long(a), 0xc0de);	/* in place */
	devmig_task_stats(&st1);
	assert_int_equal(st1.faults, st0.faults);
	assert_invariants();

	/* Fork shares it; the parent's write copies it into system RAM. */
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), dpage);
	t_store_long(a, 0xd00d);
	assert_false(is_zone_device_page(t_page(f->mm, a)));
	assert_ptr_equal(t_page(devmig_proc_mm(child), a), dpage);
	assert_int_equal(*(unsigned long *)page_address(dpage), 0xc0de);
	assert_invariants();
	devmig_proc_exit(child);
	assert_int_equal(tdev.page_frees, 1);

	/* FOLL_LONGTERM: page 1 leaves device memory before it is pinned. */
	dpage = t_page(f->mm, a + PAGE_SIZE);
	assert_true(is_device_coherent_page(dpage));
	assert_int_equal(pin_user_pages(a + PAGE_SIZE, 1,
					FOLL_WRITE | FOLL_LONGTERM, &pinned), 1);
	assert_false(is_zone_device_page(pinned));
	assert_ptr_equal(t_page(f->mm, a + PAGE_SIZE), pinned);
	assert_int_equal(*(unsigned long *)page_address(pinned), 0xface);
	assert_int_equal(tdev.page_frees, 2);
	unpin_user_page(pinned);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0xface);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * Concurrency: CPUs writing while the address space is forked and
 * re-protected under them.  Every store must be read back.
 */

#define RACE_THREADS	4
#define RACE_ITERS	3000

struct racer {
	struct devmig_proc *proc;
	unsigned long addr;
	int errors;
	int ret;
};

static void *racer_fn(void *arg)
{
	struct racer *r = arg;
	unsigned long i, v;

	r->ret = devmig_task_enter(r->proc);
	if (r->ret)
		return NULL;
	for (i = 1; i <= RACE_ITERS; i++) {
		if (devmig_store(r->addr + (i % 2) * 64, &i, sizeof(i)) ||
		    devmig_load(r->addr + (i % 2) * 64, &v, sizeof(v)) ||
		    v != i)
			r->errors++;
	}
	devmig_task_leave();
	return NULL;
}

static void test_stores_race_fork_and_mprotect(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, RACE_THREADS, RW);
	struct racer r[RACE_THREADS];
	struct host_thread th[RACE_THREADS];
	int i, n;

	for (i = 0; i < RACE_THREADS; i++) {
		r[i] = (struct racer){ .proc = f->proc,
				       .addr = a + i * PAGE_SIZE };
		assert_int_equal(host_thread_create(&th[i], racer_fn, &r[i]), 0);
	}
	for (n = 0; n < 20; n++) {
		struct devmig_proc *child = devmig_proc_fork(f->proc);

		assert_non_null(child);
		devmig_proc_exit(child);
		assert_int_equal(devmig_mprotect(f->proc, a,
						 RACE_THREADS * PAGE_SIZE, RW),
				 0);
	}
	for (i = 0; i < RACE_THREADS; i++) {
		assert_int_equal(host_thread_join(&th[i], NULL), 0);
		assert_int_equal(r[i].ret, 0);
		assert_int_equal(r[i].errors, 0);
		assert_int_equal(t_load_long(a + i * PAGE_SIZE + 64),
				 RACE_ITERS - 1);
	}
	assert_invariants();
}

/*
 * munmap while another CPU keeps reading: it sees the old bytes or a
 * SIGSEGV, never the bytes of whatever reuses the freed pages (the pages
 * are freed only after the TLB flush that waits for its access).
 */
struct reader {
	struct devmig_proc *proc;
	unsigned long addr;
	int stop;
	int bad;
	int faults;
	int reads;
	int ret;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	unsigned long v;

	r->ret = devmig_task_enter(r->proc);
	if (r->ret)
		return NULL;
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		int ret = devmig_load(r->addr, &v, sizeof(v));

		if (ret == -EFAULT)
			__atomic_fetch_add(&r->faults, 1, __ATOMIC_RELEASE);
		else if (ret || v != 0x01d0)
			r->bad++;
		else
			__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELEASE);
	}
	devmig_task_leave();
	return NULL;
}

static void test_munmap_races_reader(void **state)
{
	struct mmfx *f = *state;
	struct reader r = { .proc = f->proc };
	struct host_thread th;
	unsigned long a, b, i;
	int n;

	/* A neighbour keeps the page table alive: only the zap flushes. */
	a = t_map(f, 2, RW) + PAGE_SIZE;
	t_store_long(a - PAGE_SIZE, 1);
	t_store_long(a, 0x01d0);
	r.addr = a;
	assert_int_equal(host_thread_create(&th, reader_fn, &r), 0);
	assert_true(t_wait_flag(&r.reads));
	assert_int_equal(devmig_munmap(f->proc, a, PAGE_SIZE), 0);
	/* Keep the address itself from being reused: PROT_NONE there. */
	assert_int_equal(t_map(f, 1, DEVMIG_PROT_NONE), a);
	/* Reuse freed pages: fill many new ones with something else. */
	for (n = 0; n < 4; n++) {
		b = t_map(f, 64, RW);
		for (i = 0; i < 64; i++)
			t_store_long(b + i * PAGE_SIZE, 0xbad);
	}
	/* Let it read on until it has seen the hole at least once. */
	assert_true(t_wait_flag(&r.faults));
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.bad, 0);
	assert_invariants();
}

/*
 * fork() while another CPU keeps storing: the child's copy is a snapshot
 * that never changes afterwards (the parent's writable translations are
 * flushed before fork returns, so later stores fault and copy).
 */
struct writer {
	struct devmig_proc *proc;
	unsigned long addr;
	int stop;
	int stores;
	int ret;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	unsigned long i = 1;

	w->ret = devmig_task_enter(w->proc);
	if (w->ret)
		return NULL;
	while (!__atomic_load_n(&w->stop, __ATOMIC_ACQUIRE)) {
		if (devmig_store(w->addr, &i, sizeof(i)) == 0) {
			i++;
			__atomic_store_n(&w->stores, (int)i, __ATOMIC_RELEASE);
		}
	}
	devmig_task_leave();
	return NULL;
}

static void test_fork_snapshot_is_stable(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW), v1, v2;
	struct writer w = { .proc = f->proc, .addr = a };
	struct devmig_proc *child;
	struct host_thread th;
	struct page *cpage;
	int n;

	t_store_long(a, 0);
	assert_int_equal(host_thread_create(&th, writer_fn, &w), 0);
	assert_true(t_wait_flag(&w.stores));
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cpage = t_page(devmig_proc_mm(child), a);
	v1 = __atomic_load_n((unsigned long *)page_address(cpage),
			     __ATOMIC_ACQUIRE);
	/* Wait until the writer has stored well past the fork. */
	for (n = 0; n < 20000 &&
	     __atomic_load_n(&w.stores, __ATOMIC_ACQUIRE) < (int)v1 + 1000;
	     n++)
		host_sleep_ns(100 * 1000);
	v2 = __atomic_load_n((unsigned long *)page_address(cpage),
			     __ATOMIC_ACQUIRE);
	__atomic_store_n(&w.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(w.ret, 0);
	assert_int_equal(v1, v2);
	/* The writer went on, in a page of its own. */
	assert_true(t_load_long(a) > v2);
	assert_ptr_not_equal(t_page(f->mm, a), cpage);
	devmig_proc_exit(child);
	assert_invariants();
}

/* ------------------------------------------------------------------------
 * Allocation failures, one site at a time: fork and faults either work or
 * fail cleanly (-ENOMEM, no child), and nothing is left inconsistent.
 */
static void test_alloc_failures_fork_and_faults(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 8, RW), n;
	int i, failed = 0;
	bool fired;

	for (i = 0; i < 4; i++)
		t_store_long(a + i * PAGE_SIZE, 100 + i);
	for (n = 1; n < 500; n++) {
		struct devmig_proc *child;
		int ret;

		/* The n-th allocation from here on fails. */
		model_fail_nth(MODEL_FAIL_ANY, n);
		child = devmig_proc_fork(f->proc);
		ret = devmig_store(a + (4 + n % 4) * PAGE_SIZE, &n, sizeof(n));
		fired = model_fail_fired();
		model_fail_reset();
		assert_true(ret == 0 || ret == -ENOMEM);
		if (!child || ret)
			failed++;
		if (child) {
			devmig_task_leave();
			assert_int_equal(devmig_task_enter(child), 0);
			for (i = 0; i < 4; i++)
				assert_int_equal(t_load_long(a + i * PAGE_SIZE),
						 100 + i);
			devmig_task_leave();
			assert_int_equal(devmig_task_enter(f->proc), 0);
			devmig_proc_exit(child);
		}
		for (i = 0; i < 4; i++)
			assert_int_equal(t_load_long(a + i * PAGE_SIZE), 100 + i);
		assert_invariants();
		if (!fired)
			break;
	}
	/* Every allocation site was failed once, then a clean run. */
	assert_true(n < 500);
	assert_true(failed > 0);
}

/* ------------------------------------------------------------------------
 * The invariant checker catches what it should.
 */

static void test_invariants_catch_leaked_reference(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct page *page;

	t_store_long(a, 1);
	assert_invariants();
	/* A FOLL_GET reference nobody accounts for. */
	assert_int_equal(get_user_pages(a, 1, 0, &page), 1);
	/* One more than expected, however many LRU-batch references. */
	assert_one_violation("refcount ");
	assert_false(contains(last_violation, "unmapped"));
	/* Drained: the mapping and the leaked reference are all there is. */
	lru_add_drain_all();
	assert_int_equal(page_ref_count(page), 2);
	assert_one_violation("refcount 2, expected 1");
	put_page(page);
	assert_invariants();

	/* A reference surviving munmap is still caught. */
	get_page(page);
	assert_int_equal(devmig_munmap(f->proc, a, PAGE_SIZE), 0);
	assert_one_violation("unmapped page still referenced");
	put_page(page);
	assert_invariants();
}

static void test_invariants_catch_leftover_lock(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct folio *folio;

	t_store_long(a, 1);
	folio = page_folio(t_page(f->mm, a));
	folio_lock(folio);
	assert_one_violation("left locked");
	folio_unlock(folio);
	assert_invariants();
}

static void test_invariants_catch_rss_and_mapcount(void **state)
{
	struct mmfx *f = *state;
	unsigned long a = t_map(f, 1, RW);
	struct page *page;

	t_store_long(a, 1);
	page = t_page(f->mm, a);
	inc_mm_counter(f->mm, MM_ANONPAGES);
	assert_one_violation("RSS counter anon is 2");
	dec_mm_counter(f->mm, MM_ANONPAGES);
	atomic_inc(&page->_mapcount);
	assert_true(devmig_check_invariants(record_violation, NULL) >= 1);
	atomic_dec(&page->_mapcount);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_mmap_munmap),
		T(test_mprotect_readonly_store_faults),
		T(test_mprotect_migration_entry),
		T(test_read_fault_maps_zero_page),
		T(test_write_fault_roundtrip_bytes),
		T(test_cow_after_fork),
		T(test_fork_copies_pinned_page),
		T(test_shared_anon_is_shmem),
		T(test_tlb_stale_until_flush),
		T(test_cpu_sets_accessed_dirty),
		T(test_migration_entry_wait),
		T(test_hmm_range_fault_flags),
		T(test_hmm_snapshot_skips_migration_entry),
		T(test_gup_pin_counts),
		T(test_gup_get_longterm_refused),
		T(test_gup_pin_unshares),
		cmocka_unit_test_setup_teardown(test_device_private_fault,
						tdev_setup, tdev_teardown),
		cmocka_unit_test_setup_teardown(test_device_private_sigbus,
						tdev_setup, tdev_teardown),
		cmocka_unit_test_setup_teardown(test_fork_device_private,
						tdev_setup, tdev_teardown),
		cmocka_unit_test_setup_teardown(test_device_coherent,
						tdev_setup_coherent,
						tdev_teardown),
		T(test_device_exclusive_entry),
		T(test_stores_race_fork_and_mprotect),
		T(test_munmap_races_reader),
		T(test_fork_snapshot_is_stable),
		T(test_alloc_failures_fork_and_faults),
		T(test_invariants_catch_leaked_reference),
		T(test_invariants_catch_leftover_lock),
		T(test_invariants_catch_rss_and_mapcount),
#undef T
	};

	if (devmig_boot(NULL))
		return 1;
	return cmocka_run_group_tests_name("model_mm", tests, NULL, NULL);
}
