// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb.c - private anonymous hugetlb mappings: the pool, faults, what
 * the mirror does with them (hmm-tests' anon_write_hugetlbfs and compound:
 * device READ/WRITE, SNAPSHOT with the PMD order), migration refused,
 * mprotect, fork and CoW, pins, MADV_DONTNEED, munmap and splits only at
 * huge page boundaries, an empty pool.  A hugetlb PMD is never split.
 */
#include "harness.h"
#include <linux/hugetlb.h>

#define T_HPAGES	HPAGE_PMD_NR

static unsigned long t_free_huge(void)
{
	unsigned long total, free;

	model_hugetlb_counts(&total, &free);
	return free;
}

static unsigned long t_map_huge(struct fx *f, unsigned long bytes)
{
	long addr = devmig_mmap(f->proc, bytes, T_RW,
				DEVMIG_MAP_PRIVATE | DEVMIG_MAP_HUGETLB);

	assert_true(addr > 0);
	assert_true(IS_ALIGNED(addr, HPAGE_PMD_SIZE));
	return addr;
}

static struct folio *t_huge_folio(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = t_pmd(mm, addr);

	assert_true(pmd_present(pmd) && pmd_leaf(pmd));
	return pfn_folio(pmd_pfn(pmd));
}

static int t_hugetlb_setup(void **state)
{
	fx_setup_private(state);
	return devmig_set_nr_hugepages(4);
}

static int t_hugetlb_setup_coherent(void **state)
{
	fx_setup_coherent(state);
	return devmig_set_nr_hugepages(4);
}

static int t_hugetlb_teardown(void **state)
{
	fx_teardown(state);
	/* Every huge page came back to the pool, which then goes. */
	assert_int_equal(t_free_huge(), 4);
	return devmig_set_nr_hugepages(0);
}

#define HT_TEST(fn) cmocka_unit_test_setup_teardown(fn, t_hugetlb_setup, \
						    t_hugetlb_teardown)
#define HT_TEST_COHERENT(fn)						\
	{ .name = #fn "_coherent", .test_func = fn,			\
	  .setup_func = t_hugetlb_setup_coherent,			\
	  .teardown_func = t_hugetlb_teardown }

/* The pool, and the faults that take from it and give back. */
static void test_hugetlb_pool_and_faults(void **state)
{
	struct fx *f = *state;
	unsigned long total, free, addr;
	struct folio *folio;
	pmd_t pmd;
	int v = 0;

	model_hugetlb_counts(&total, &free);
	assert_int_equal(total, 4);
	assert_int_equal(free, 4);
	/* Rounded up to a huge page; nothing taken before a fault. */
	addr = t_map_huge(f, PAGE_SIZE);
	assert_int_equal(t_vma(f->mm, addr)->vm_end - addr, HPAGE_PMD_SIZE);
	assert_true(is_vm_hugetlb_page(t_vma(f->mm, addr)));
	assert_false(vma_is_anonymous(t_vma(f->mm, addr)));
	assert_int_equal(t_free_huge(), 4);

	/* A read fault maps a new zeroed folio read-only, exclusive. */
	assert_int_equal(t_nonzero(addr + 5 * PAGE_SIZE, 1), 0);
	assert_int_equal(t_free_huge(), 3);
	pmd = t_pmd(f->mm, addr);
	assert_false(pmd_write(pmd));
	folio = t_huge_folio(f->mm, addr);
	assert_true(folio_test_hugetlb(folio));
	assert_int_equal(folio_order(folio), HUGETLB_PAGE_ORDER);
	assert_true(folio_test_anon(folio));
	assert_true(PageAnonExclusive(folio_page(folio, 7)));
	assert_false(folio_test_lru(folio));
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(atomic_long_read(&f->mm->hugetlb_usage), T_HPAGES);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);

	/* A write reuses it in place. */
	v = 99;
	assert_int_equal(devmig_store(addr + 100 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_true(pmd_write(t_pmd(f->mm, addr)));
	assert_ptr_equal(t_huge_folio(f->mm, addr), folio);
	assert_int_equal(t_free_huge(), 3);
	assert_invariants();

	assert_int_equal(devmig_munmap(f->proc, addr, HPAGE_PMD_SIZE), 0);
	assert_int_equal(folio_ref_count(folio), 0);
	assert_int_equal(t_free_huge(), 4);
	/* Back from the pool, zeroed again. */
	addr = t_map_huge(f, HPAGE_PMD_SIZE);
	assert_int_equal(t_nonzero(addr + 100 * PAGE_SIZE, 1), 0);
}

/* hmm.anon_write_hugetlbfs: the device writes, the CPU reads. */
static void test_anon_write_hugetlbfs(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	unsigned long in = t_scratch(f->proc, T_HPAGES);
	struct hmm_dmirror_cmd cmd;

	t_fill(in, T_HPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, addr, in,
			       T_HPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_HPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_true(pmd_write(t_pmd(f->mm, addr)));
	assert_true(folio_test_hugetlb(t_huge_folio(f->mm, addr)));
	assert_int_equal(t_mismatches(addr, T_HPAGES, 0), 0);
	assert_int_equal(t_free_huge(), 3);
}

static void t_snapshot_all(struct fx *f, unsigned long addr,
			   unsigned char expect)
{
	unsigned long out = t_scratch(f->proc, 1);
	unsigned char snap[T_HPAGES];
	struct hmm_dmirror_cmd cmd;
	unsigned long i;

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, addr, out,
			       T_HPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_HPAGES);
	assert_int_equal(devmig_load(out, snap, T_HPAGES), 0);
	for (i = 0; i < T_HPAGES; i++)
		assert_int_equal(snap[i], expect);
}

/*
 * hmm.compound: SNAPSHOT of a written hugetlb page shows PMD | WRITE on
 * every page, PMD | READ after mprotect(PROT_READ); the PMD stays whole.
 */
static void test_compound(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	unsigned long out = t_scratch(f->proc, T_HPAGES);
	struct folio *folio;
	struct hmm_dmirror_cmd cmd;

	/* Nothing mapped, nothing faulted: the order alone says nothing. */
	t_snapshot_all(f, addr, HMM_DMIRROR_PROT_NONE);
	assert_int_equal(t_free_huge(), 4);
	t_fill(addr, T_HPAGES, 0);
	folio = t_huge_folio(f->mm, addr);
	t_snapshot_all(f, addr, HMM_DMIRROR_PROT_PMD | HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(devmig_mprotect(f->proc, addr, HPAGE_PMD_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_false(pmd_write(t_pmd(f->mm, addr)));
	assert_ptr_equal(t_huge_folio(f->mm, addr), folio);
	t_snapshot_all(f, addr, HMM_DMIRROR_PROT_PMD | HMM_DMIRROR_PROT_READ);
	/* The device reads it; a device write is refused (no VM_WRITE). */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, addr, out,
			       T_HPAGES, &cmd), 0);
	assert_int_equal(t_mismatches(out, T_HPAGES, 0), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, addr, out,
			       T_HPAGES, NULL), -EPERM);
	/* Writable again: mapped read-only until the next write fault. */
	assert_int_equal(devmig_mprotect(f->proc, addr, HPAGE_PMD_SIZE, T_RW),
			 0);
	assert_false(pmd_write(t_pmd(f->mm, addr)));
	t_fill(addr, 1, 7);
	assert_true(pmd_write(t_pmd(f->mm, addr)));
	assert_ptr_equal(t_huge_folio(f->mm, addr), folio);
	assert_int_equal(t_mismatches(addr + PAGE_SIZE, T_HPAGES - 1,
				      T_INTS_PER_PAGE), 0);
}

/* migrate_vma_setup() refuses a hugetlb VMA (6.12): nothing changes. */
static void test_hugetlb_migrate_refused(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	unsigned long out = t_scratch(f->proc, T_HPAGES);
	pmd_t before;

	t_fill(addr, T_HPAGES, 3);
	before = t_pmd(f->mm, addr);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       out, T_HPAGES, NULL), -EINVAL);
	assert_int_equal(pmd_val(t_pmd(f->mm, addr)), pmd_val(before));
	assert_int_equal(t_dstats(f->dev[0]).calloc, 0);
	assert_int_equal(t_mismatches(addr, T_HPAGES, 3), 0);
}

/*
 * fork shares the folio write-protected; the first write on each side
 * copies (the child) or reuses (the parent, mapping it alone by then).
 */
static void test_hugetlb_fork_cow(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	struct devmig_proc *child;
	struct folio *folio, *copy;

	t_fill(addr, T_HPAGES, 0);
	folio = t_huge_folio(f->mm, addr);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_false(pmd_write(t_pmd(f->mm, addr)));
	assert_false(pmd_write(t_pmd(devmig_proc_mm(child), addr)));
	assert_ptr_equal(t_huge_folio(devmig_proc_mm(child), addr), folio);
	assert_int_equal(folio_mapcount(folio), 2);
	assert_int_equal(folio_ref_count(folio), 2);
	assert_false(PageAnonExclusive(&folio->page));
	assert_invariants();

	t_switch(child);
	assert_int_equal(t_mismatches(addr, T_HPAGES, 0), 0);
	t_fill(addr, 1, 1000);
	copy = t_huge_folio(devmig_proc_mm(child), addr);
	assert_ptr_not_equal(copy, folio);
	assert_true(pmd_write(t_pmd(devmig_proc_mm(child), addr)));
	assert_int_equal(t_mismatches(addr + PAGE_SIZE, T_HPAGES - 1,
				      T_INTS_PER_PAGE), 0);
	assert_int_equal(t_free_huge(), 2);
	t_switch(f->proc);

	assert_int_equal(folio_mapcount(folio), 1);
	t_fill(addr, 1, 2000);
	assert_ptr_equal(t_huge_folio(f->mm, addr), folio);
	assert_true(pmd_write(t_pmd(f->mm, addr)));
	assert_int_equal(t_free_huge(), 2);
	assert_invariants();
	devmig_proc_exit(child);
	assert_int_equal(t_free_huge(), 3);
	assert_int_equal(t_mismatches(addr, 1, 2000), 0);
}

/* A pinned huge page is copied for the child at fork, not shared. */
static void test_hugetlb_pinned_fork(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	struct devmig_proc *child;
	struct folio *folio;
	void *pages[2];

	t_fill(addr, T_HPAGES, 0);
	folio = t_huge_folio(f->mm, addr);
	assert_int_equal(devmig_gup(addr + 3 * PAGE_SIZE, 2,
				    DEVMIG_GUP_PIN | DEVMIG_GUP_WRITE |
				    DEVMIG_GUP_LONGTERM, pages), 2);
	assert_ptr_equal(pages[0], folio_page(folio, 3));
	assert_ptr_equal(pages[1], folio_page(folio, 4));
	assert_true(pmd_leaf(t_pmd(f->mm, addr)));
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	/* The parent keeps its writable exclusive mapping of the pinned page. */
	assert_true(pmd_write(t_pmd(f->mm, addr)));
	assert_true(PageAnonExclusive(&folio->page));
	assert_ptr_not_equal(t_huge_folio(devmig_proc_mm(child), addr), folio);
	assert_int_equal(t_free_huge(), 2);
	assert_invariants();
	devmig_gup_put(pages, 2, DEVMIG_GUP_PIN);
	t_switch(child);
	assert_int_equal(t_mismatches(addr, T_HPAGES, 0), 0);
	t_switch(f->proc);
	devmig_proc_exit(child);
}

/*
 * Splits only at huge page boundaries; munmap and MADV_DONTNEED of whole
 * huge pages give them back; an empty pool is SIGBUS.
 */
static void test_hugetlb_boundaries_and_empty_pool(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, 3 * HPAGE_PMD_SIZE);
	unsigned long tail = addr + 2 * HPAGE_PMD_SIZE;
	int v = 1;

	t_fill(addr, 1, 0);
	t_fill(addr + HPAGE_PMD_SIZE, 1, 0);
	t_fill(tail, 1, 0);
	assert_int_equal(t_free_huge(), 1);
	assert_int_equal(devmig_munmap(f->proc, addr, PAGE_SIZE), -EINVAL);
	assert_int_equal(devmig_mprotect(f->proc, addr + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_READ), -EINVAL);
	assert_int_equal(devmig_madvise(f->proc, addr + PAGE_SIZE, PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), -EINVAL);
	assert_int_equal(t_mismatches(addr, 1, 0), 0);
	assert_true(pmd_write(t_pmd(f->mm, addr)));

	/* MADV_DONTNEED drops whole huge pages (the length rounds down). */
	assert_int_equal(devmig_madvise(f->proc, addr + HPAGE_PMD_SIZE,
					HPAGE_PMD_SIZE + PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_int_equal(t_free_huge(), 2);
	assert_int_equal(t_mismatches(tail, 1, 0), 0);
	/* The middle reads as zero again, from a fresh folio. */
	assert_int_equal(t_nonzero(addr + HPAGE_PMD_SIZE, 1), 0);
	assert_int_equal(t_free_huge(), 1);

	/* Split at a boundary: the tail goes alone. */
	assert_int_equal(devmig_munmap(f->proc, tail, HPAGE_PMD_SIZE), 0);
	assert_int_equal(t_free_huge(), 2);
	assert_int_equal(t_mismatches(addr, 1, 0), 0);
	assert_invariants();

	/* Empty the pool: the next fault is SIGBUS. */
	assert_int_equal(devmig_set_nr_hugepages(2), 0);
	assert_int_equal(t_free_huge(), 0);
	tail = t_map_huge(f, HPAGE_PMD_SIZE);
	assert_int_equal(devmig_store(tail, &v, sizeof(v)), -EIO);
	assert_int_equal(pmd_val(t_pmd(f->mm, tail)), 0);
	/* Freed pages beyond the smaller pool leave it. */
	assert_int_equal(devmig_munmap(f->proc, addr, 2 * HPAGE_PMD_SIZE), 0);
	assert_int_equal(t_free_huge(), 2);
	assert_int_equal(devmig_set_nr_hugepages(4), 0);
}

/* The invariant checker sees what is wrong with a hugetlb mapping. */
static void test_hugetlb_invariants_planted(void **state)
{
	struct fx *f = *state;
	unsigned long addr = t_map_huge(f, HPAGE_PMD_SIZE);
	struct folio *folio;

	t_fill(addr, 1, 0);
	folio = t_huge_folio(f->mm, addr);
	assert_invariants();
	folio_get(folio);
	t_expect_violations(1, "large folio refcount 2, expected 1");
	folio_put(folio);
	atomic_long_inc(&f->mm->hugetlb_usage);
	t_expect_violations(1, "hugetlb usage is 513");
	atomic_long_dec(&f->mm->hugetlb_usage);
	ClearPageAnonExclusive(&folio->page);
	t_expect_violations(1, "writable PMD of a non-exclusive hugetlb folio");
	SetPageAnonExclusive(&folio->page);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HT_TEST(test_hugetlb_pool_and_faults),
		HT_TEST(test_anon_write_hugetlbfs),
		HT_TEST_COHERENT(test_anon_write_hugetlbfs),
		HT_TEST(test_compound),
		HT_TEST_COHERENT(test_compound),
		HT_TEST(test_hugetlb_migrate_refused),
		HT_TEST_COHERENT(test_hugetlb_migrate_refused),
		HT_TEST(test_hugetlb_fork_cow),
		HT_TEST(test_hugetlb_pinned_fork),
		HT_TEST(test_hugetlb_boundaries_and_empty_pool),
		HT_TEST(test_hugetlb_invariants_planted),
	};

	return T_RUN(tests);
}
