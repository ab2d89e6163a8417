// SPDX-License-Identifier: GPL-2.0
/*
 * thp.c - anonymous transparent huge pages, and what migration does with
 * them: faults that map a THP or the huge zero folio, the THP modes and
 * madvise, MADV_DONTNEED of a whole THP or part of one, migrating a THP range to the device and back (hmm-tests'
 * migrate/anon_write_huge on THP memory), the split collect does (all-zero
 * subpages become zero-page slots; the huge zero PMD becomes zero-page
 * holes), a THP locked elsewhere (our fix: no reference left behind, where
 * 6.12 leaks one), and fork, munmap and exit of THPs without a leak.
 */
#include "harness.h"
#include <model/model.h>

#define H_NPAGES	((unsigned long)HPAGE_PMD_NR)

/* A 2 MiB-aligned buffer of @nr_thp huge pages' worth, with MADV_HUGEPAGE. */
static unsigned long h_map(struct fx *f, unsigned long nr_thp)
{
	unsigned long buf = t_map(f, nr_thp * H_NPAGES, T_RW);

	assert_int_equal(buf & ~HPAGE_PMD_MASK, 0);
	assert_int_equal(devmig_madvise(f->proc, buf, nr_thp * HPAGE_PMD_SIZE,
					DEVMIG_MADV_HUGEPAGE), 0);
	return buf;
}

static bool h_is_thp(struct mm_struct *mm, unsigned long addr)
{
	pmd_t pmd = t_pmd(mm, addr);

	return pmd_trans_huge(pmd) && !is_huge_zero_pmd(pmd);
}

/* A write fault on @buf maps a whole THP; returns its folio. */
static struct folio *h_fault_thp(struct fx *f, unsigned long buf)
{
	int one = 1;
	pmd_t pmd;

	assert_int_equal(devmig_store(buf, &one, sizeof(one)), 0);
	pmd = t_pmd(f->mm, buf);
	assert_true(pmd_trans_huge(pmd));
	assert_false(is_huge_zero_pmd(pmd));
	return pmd_folio(pmd);
}

static long h_rss(struct fx *f)
{
	return get_mm_counter(f->mm, MM_ANONPAGES);
}

/* A write maps a PMD-order folio whole, with the kernel's counts. */
static void test_write_fault_maps_thp(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	struct folio *folio = h_fault_thp(f, buf);
	pmd_t pmd = t_pmd(f->mm, buf);
	struct t_pstate s;

	assert_true(pmd_leaf(pmd));
	assert_true(pmd_write(pmd));
	assert_true(pmd_dirty(pmd));
	assert_int_equal(folio_order(folio), HPAGE_PMD_ORDER);
	assert_int_equal(pmd_pfn(pmd), folio_pfn(folio));
	assert_true(folio_test_anon(folio));
	assert_true(PageAnonExclusive(&folio->page));
	s = t_state(&folio->page);
	assert_int_equal(s.ref, 1);
	assert_int_equal(s.map, 1);
	assert_true(s.lru);
	assert_false(s.locked);
	assert_int_equal(atomic_read(&folio->_entire_mapcount), 0);
	assert_int_equal(page_mapcount(folio_page(folio, 300)), 1);
	assert_int_equal(h_rss(f), H_NPAGES);
	/* The first store was the only fault: the rest is in the same THP. */
	t_fill(buf, H_NPAGES, 5);
	assert_int_equal(t_mismatches(buf, H_NPAGES, 5), 0);
	assert_int_equal(t_page_mismatches(folio_page(folio, 511), 511, 5), 0);
	assert_true(h_is_thp(f->mm, buf));
}

/* Eligibility: the mode, madvise, and a fully covered 2 MiB range. */
static void test_thp_modes(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4 * H_NPAGES, T_RW);
	int one = 1;

	/* madvise mode (the default) without the advice: small pages. */
	assert_int_equal(devmig_store(buf, &one, sizeof(one)), 0);
	assert_false(h_is_thp(f->mm, buf));
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);

	assert_int_equal(devmig_set_thp_mode(DEVMIG_THP_ALWAYS), 0);
	assert_int_equal(devmig_store(buf + HPAGE_PMD_SIZE, &one, sizeof(one)), 0);
	assert_true(h_is_thp(f->mm, buf + HPAGE_PMD_SIZE));
	/* NOHUGEPAGE wins over always. */
	assert_int_equal(devmig_madvise(f->proc, buf + 2 * HPAGE_PMD_SIZE,
					HPAGE_PMD_SIZE, DEVMIG_MADV_NOHUGEPAGE), 0);
	assert_int_equal(devmig_store(buf + 2 * HPAGE_PMD_SIZE, &one, sizeof(one)), 0);
	assert_false(h_is_thp(f->mm, buf + 2 * HPAGE_PMD_SIZE));
	assert_int_equal(devmig_set_thp_mode(DEVMIG_THP_NEVER), 0);
	assert_int_equal(devmig_madvise(f->proc, buf + 3 * HPAGE_PMD_SIZE,
					HPAGE_PMD_SIZE, DEVMIG_MADV_HUGEPAGE), 0);
	assert_int_equal(devmig_store(buf + 3 * HPAGE_PMD_SIZE, &one, sizeof(one)), 0);
	assert_false(h_is_thp(f->mm, buf + 3 * HPAGE_PMD_SIZE));
	assert_int_equal(devmig_set_thp_mode(DEVMIG_THP_DEFAULT), 0);
	assert_int_equal(devmig_set_thp_mode(7), -EINVAL);
	assert_int_equal(devmig_madvise(f->proc, buf, PAGE_SIZE, 3), -EINVAL);
	assert_int_equal(h_rss(f), H_NPAGES + 3);
}

/* A VMA that does not cover the whole 2 MiB range gets small pages. */
static void test_partial_range_no_thp(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	int one = 1;

	assert_int_equal(devmig_munmap(f->proc, buf + HPAGE_PMD_SIZE - PAGE_SIZE,
				       PAGE_SIZE), 0);
	assert_int_equal(devmig_store(buf, &one, sizeof(one)), 0);
	assert_false(h_is_thp(f->mm, buf));
	assert_int_equal(h_rss(f), 1);
}

/*
 * A read maps the huge zero folio read-only; a write then splits it into
 * zero-page PTEs and faults one small page.
 */
static void test_read_fault_maps_huge_zero(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	int v = 7;
	pmd_t pmd;

	assert_int_equal(t_nonzero(buf, 4), 0);
	pmd = t_pmd(f->mm, buf);
	assert_true(is_huge_zero_pmd(pmd));
	assert_false(pmd_write(pmd));
	assert_int_equal(h_rss(f), 0);
	assert_int_equal(t_nonzero(buf + 100 * PAGE_SIZE, 1), 0);

	assert_int_equal(devmig_store(buf + 3 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, buf)));
	assert_int_equal(t_kind(f->mm, buf + 3 * PAGE_SIZE), T_PRESENT);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_ZERO), H_NPAGES - 1);
	assert_int_equal(h_rss(f), 1);
	v = 0;
	assert_int_equal(devmig_load(buf + 3 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(v, 7);
}

/*
 * MADV_DONTNEED of a whole THP or huge zero PMD empties the PMD (the
 * kernel's zap_huge_pmd()): the THP is unmapped and freed, its deposited
 * table too, RSS drops by 512.  Zapping part of a THP splits its PMD and
 * zaps those PTEs only.
 */
static void test_dontneed_whole_and_part(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 3);
	unsigned long zero = buf + HPAGE_PMD_SIZE, part = zero + HPAGE_PMD_SIZE;
	struct folio *thp = h_fault_thp(f, buf);
	long tables;
	int v;

	h_fault_thp(f, part);
	assert_int_equal(t_nonzero(zero, 1), 0);
	assert_true(is_huge_zero_pmd(t_pmd(f->mm, zero)));
	assert_int_equal(h_rss(f), 2 * H_NPAGES);
	/* Three huge PMDs, a table deposited for each. */
	tables = atomic_long_read(&f->mm->pgtables_bytes);

	folio_get(thp);
	assert_int_equal(devmig_madvise(f->proc, buf, 2 * HPAGE_PMD_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_true(pmd_none(t_pmd(f->mm, buf)));
	assert_true(pmd_none(t_pmd(f->mm, zero)));
	assert_int_equal(folio_ref_count(thp), 1);
	assert_false(folio_mapped(thp));
	folio_put(thp);
	assert_int_equal(h_rss(f), H_NPAGES);
	assert_int_equal(atomic_long_read(&f->mm->pgtables_bytes),
			 tables - 2 * PAGE_SIZE);

	assert_int_equal(devmig_madvise(f->proc, part + PAGE_SIZE, PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, part)));
	assert_int_equal(t_kind(f->mm, part + PAGE_SIZE), T_NONE);
	assert_int_equal(t_count_kind(f->mm, part, H_NPAGES, T_PRESENT),
			 H_NPAGES - 1);
	assert_int_equal(h_rss(f), H_NPAGES - 1);

	/*
	 * An empty PMD faults in whole again (a read: the huge zero PMD),
	 * where a table of empty PTEs would take the zero page per PTE.
	 */
	v = 1;
	assert_int_equal(devmig_load(buf + 5 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	assert_true(is_huge_zero_pmd(t_pmd(f->mm, buf)));
}

/*
 * hmm-tests migrate / anon_write_huge on THP memory: the device reads and
 * writes the THP in place (hmm_range_fault sees one order-9 mapping), then
 * migration to the device splits it and moves all 512 pages, and CPU
 * faults bring them back.
 */
static void test_migrate_thp_to_device_and_back(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	unsigned long view = t_scratch(f->proc, H_NPAGES);
	struct hmm_dmirror_cmd cmd;

	h_fault_thp(f, buf);
	t_fill(buf, H_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view,
			       H_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, H_NPAGES);
	assert_int_equal(t_mismatches(view, H_NPAGES, 0), 0);
	assert_true(h_is_thp(f->mm, buf));

	/* anon_write_huge: the device writes through the huge mapping. */
	t_fill(view, H_NPAGES, 1000);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, view,
			       H_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, H_NPAGES);
	assert_int_equal(cmd.faults, 0);
	assert_true(h_is_thp(f->mm, buf));
	assert_int_equal(t_mismatches(buf, H_NPAGES, 1000), 0);

	/* Both buffers are populated now: THP and the small-page view. */
	assert_int_equal(h_rss(f), 2 * H_NPAGES);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, H_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, H_NPAGES);
	assert_int_equal(t_mismatches(view, H_NPAGES, 1000), 0);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_DEV_WRITE), H_NPAGES);
	/* Device-private entries count in RSS as the pages they replace. */
	assert_int_equal(h_rss(f), 2 * H_NPAGES);

	assert_int_equal(t_mismatches(buf, H_NPAGES, 1000), 0);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_PRESENT), H_NPAGES);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, H_NPAGES);
	assert_int_equal(h_rss(f), 2 * H_NPAGES);
}

/*
 * hmm_range_fault() reports a huge PMD as one order-9 mapping, which the
 * mirror's snapshot shows as PMD; nothing is split.
 */
static void test_snapshot_huge_pmds(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 2), i;
	unsigned long out = t_scratch(f->proc, 1);
	struct hmm_dmirror_cmd cmd;
	unsigned char got[2 * HPAGE_PMD_NR];

	h_fault_thp(f, buf);
	assert_int_equal(t_nonzero(buf + HPAGE_PMD_SIZE, 1), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out,
			       2 * H_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, 2 * H_NPAGES);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	for (i = 0; i < H_NPAGES; i++) {
		assert_int_equal(got[i], HMM_DMIRROR_PROT_WRITE | HMM_DMIRROR_PROT_PMD);
		assert_int_equal(got[H_NPAGES + i],
				 HMM_DMIRROR_PROT_READ | HMM_DMIRROR_PROT_PMD);
	}
	assert_true(h_is_thp(f->mm, buf));
	assert_true(is_huge_zero_pmd(t_pmd(f->mm, buf + HPAGE_PMD_SIZE)));
}

/*
 * Collect splits a THP: subpages holding data are selected (locked,
 * unmapped), all-zero ones were remapped to the zero page by the split
 * (freed, out of RSS) and are selected as zero-page slots.
 */
static void test_split_zero_subpages(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1), free0, i;
	struct t_mig *m = test_malloc(sizeof(*m));
	struct folio *folio;
	int v = 42;

	folio = h_fault_thp(f, buf);		/* page 0 holds 1 */
	assert_int_equal(devmig_store(buf + 7 * PAGE_SIZE, &v, sizeof(v)), 0);
	lru_add_drain_all();
	free0 = model_nr_free_pages();

	assert_int_equal(t_mig_setup(f, m, buf, H_NPAGES,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]),
			 0);
	assert_int_equal(m->args.npages, H_NPAGES);
	assert_int_equal(m->args.cpages, H_NPAGES);
	for (i = 0; i < H_NPAGES; i++) {
		if (i == 0 || i == 7) {
			assert_int_equal(m->src[i], migrate_pfn(folio_pfn(folio) + i) |
				MIGRATE_PFN_MIGRATE | MIGRATE_PFN_WRITE);
			assert_int_equal(t_kind(f->mm, buf + i * PAGE_SIZE), T_MIG_WRITE);
		} else {
			assert_int_equal(m->src[i], MIGRATE_PFN_MIGRATE);
			assert_int_equal(t_kind(f->mm, buf + i * PAGE_SIZE), T_ZERO);
		}
	}
	assert_false(folio_test_large(folio));
	assert_int_equal(h_rss(f), 2);
	t_mig_finish(f, m);

	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_int_equal(t_kind(f->mm, buf + 7 * PAGE_SIZE), T_PRESENT);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_ZERO), H_NPAGES - 2);
	assert_settled_anon(&folio->page, 1, true);
	v = 0;
	assert_int_equal(devmig_load(buf + 7 * PAGE_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(v, 42);
	/* The 510 zero-filled pages went back to the allocator. */
	lru_add_drain_all();
	assert_int_equal(model_nr_free_pages() - free0, H_NPAGES - 2);
	test_free(m);
}

/* The huge zero PMD is split into zero-page PTEs: 512 zero-page slots. */
static void test_collect_splits_huge_zero(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1), i;
	struct t_mig *m = test_malloc(sizeof(*m));

	assert_int_equal(t_nonzero(buf, 1), 0);
	assert_true(is_huge_zero_pmd(t_pmd(f->mm, buf)));

	assert_int_equal(t_mig_setup(f, m, buf, H_NPAGES,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]),
			 0);
	assert_int_equal(m->args.npages, H_NPAGES);
	assert_int_equal(m->args.cpages, H_NPAGES);
	for (i = 0; i < H_NPAGES; i++)
		assert_int_equal(m->src[i], MIGRATE_PFN_MIGRATE);
	assert_false(pmd_leaf(t_pmd(f->mm, buf)));
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_ZERO), H_NPAGES);
	t_mig_finish(f, m);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_ZERO), H_NPAGES);
	assert_int_equal(h_rss(f), 0);
	test_free(m);
}

/*
 * A THP locked by someone else cannot be split during collect: its range
 * is skipped whole, and the reference collect took to try is dropped.
 * 6.12 returns without that put, leaking a reference on the THP for good.
 */
static void test_locked_thp_skipped_no_leak(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1), i;
	struct t_mig *m = test_malloc(sizeof(*m));
	struct folio *folio = h_fault_thp(f, buf);
	pmd_t before = t_pmd(f->mm, buf);
	int refs;

	lru_add_drain_all();
	refs = folio_ref_count(folio);
	assert_int_equal(refs, 1);
	folio_lock(folio);		/* collect only trylocks: no deadlock */

	assert_int_equal(t_mig_setup(f, m, buf, H_NPAGES,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]),
			 0);
	assert_int_equal(m->args.npages, H_NPAGES);
	assert_int_equal(m->args.cpages, 0);
	for (i = 0; i < H_NPAGES; i++)
		assert_int_equal(m->src[i], 0);
	assert_true(pmd_same(t_pmd(f->mm, buf), before));
	t_mig_finish(f, m);

	folio_unlock(folio);
	assert_int_equal(folio_ref_count(folio), refs);
	assert_true(pmd_same(t_pmd(f->mm, buf), before));
	/* Unlocked, the same THP migrates normally. */
	assert_int_equal(t_mig_setup(f, m, buf, H_NPAGES,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]),
			 0);
	assert_int_equal(m->args.npages, H_NPAGES);
	assert_int_equal(m->args.cpages, H_NPAGES);
	t_mig_finish(f, m);
	test_free(m);
}

/* A THP with a reference nobody accounts for is not split: skipped. */
static void test_referenced_thp_skipped(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	struct t_mig *m = test_malloc(sizeof(*m));
	struct folio *folio = h_fault_thp(f, buf);
	pmd_t before = t_pmd(f->mm, buf);

	folio_get(folio);
	assert_int_equal(t_mig_setup(f, m, buf, H_NPAGES,
				     MIGRATE_VMA_SELECT_SYSTEM, f->dev[0]),
			 0);
	assert_int_equal(m->args.npages, H_NPAGES);
	assert_int_equal(m->args.cpages, 0);
	assert_true(pmd_same(t_pmd(f->mm, buf), before));
	t_mig_finish(f, m);
	folio_put(folio);
	assert_int_equal(t_state(&folio->page).ref, 1);
	test_free(m);
}

/* mprotect splits the PMD; protections follow, data stays. */
static void test_mprotect_splits(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	int v = 3;

	h_fault_thp(f, buf);
	t_fill(buf, H_NPAGES, 9);
	assert_int_equal(devmig_mprotect(f->proc, buf, PAGE_SIZE, DEVMIG_PROT_READ), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, buf)));
	assert_int_equal(devmig_store(buf, &v, sizeof(v)), -EFAULT);
	assert_int_equal(devmig_store(buf + PAGE_SIZE, &v, sizeof(v)), 0);
	assert_false(pte_write(t_pte(f->mm, buf)));
	assert_true(pte_write(t_pte(f->mm, buf + 2 * PAGE_SIZE)));
	assert_true(pte_dirty(t_pte(f->mm, buf + 2 * PAGE_SIZE)));
	assert_int_equal(t_mismatches(buf, 1, 9), 0);
	assert_int_equal(t_mismatches(buf + 2 * PAGE_SIZE, H_NPAGES - 2, 9 +
				      2 * (int)T_INTS_PER_PAGE), 0);
	assert_int_equal(h_rss(f), H_NPAGES);
}

/*
 * A PTE-mapped THP unmapped to migration entries and mapped back, as a
 * failed split undoes its unmap: every PTE that mapped it maps it again,
 * each to its own subpage, with the data untouched.
 */
static void test_pte_mapped_thp_entries_restored(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1), i;
	struct folio *thp = h_fault_thp(f, buf);

	t_fill(buf, H_NPAGES, 9);
	assert_int_equal(devmig_madvise(f->proc, buf + 7 * PAGE_SIZE, PAGE_SIZE,
					DEVMIG_MADV_DONTNEED), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, buf)));
	assert_int_equal(folio_mapcount(thp), H_NPAGES - 1);

	mmap_read_lock(f->mm);
	folio_get(thp);
	folio_lock(thp);
	try_to_migrate(thp, 0);
	assert_false(folio_mapped(thp));
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_MIG_WRITE),
			 H_NPAGES - 1);

	remove_migration_ptes(thp, thp, 0);
	assert_int_equal(folio_mapcount(thp), H_NPAGES - 1);
	assert_int_equal(t_count_kind(f->mm, buf, H_NPAGES, T_PRESENT),
			 H_NPAGES - 1);
	for (i = 0; i < H_NPAGES; i++)
		if (i != 7)
			assert_int_equal(pte_pfn(t_pte(f->mm, buf + i * PAGE_SIZE)),
					 folio_pfn(thp) + i);
	folio_unlock(thp);
	folio_put(thp);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_mismatches(buf, 7, 9), 0);
	assert_int_equal(t_mismatches(buf + 8 * PAGE_SIZE, H_NPAGES - 8,
				      9 + 8 * (int)T_INTS_PER_PAGE), 0);
	assert_invariants();
}

/*
 * A VMA boundary inside a THP (mprotect or munmap of pages in its middle):
 * the huge PMD must be split while one VMA still covers the whole 2 MiB, as
 * vma_adjust_trans_huge() does.  Split later, through the VMA that starts
 * past the PMD, the rmap would place the folio outside that VMA (found by
 * tests/stress.c).
 */
static void test_vma_split_inside_thp(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 2);
	unsigned long mid = buf + 16 * PAGE_SIZE;
	unsigned long mid2 = buf + HPAGE_PMD_SIZE + 16 * PAGE_SIZE;
	int v = 3;

	t_fill(buf, 2 * H_NPAGES, 20);
	assert_true(h_is_thp(f->mm, buf));
	assert_true(h_is_thp(f->mm, buf + HPAGE_PMD_SIZE));

	assert_int_equal(devmig_mprotect(f->proc, mid, 16 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, buf)));
	assert_int_equal(devmig_store(mid, &v, sizeof(v)), -EFAULT);
	assert_int_equal(devmig_store(mid - PAGE_SIZE, &v, sizeof(v)), 0);
	assert_invariants();

	assert_int_equal(devmig_munmap(f->proc, mid2, 16 * PAGE_SIZE), 0);
	assert_false(pmd_leaf(t_pmd(f->mm, buf + HPAGE_PMD_SIZE)));
	assert_int_equal(t_count_kind(f->mm, mid2, 16, T_NONE), 16);
	assert_invariants();

	assert_int_equal(t_mismatches(buf, 15, 20), 0);
	assert_int_equal(t_mismatches(mid, H_NPAGES - 16,
				      20 + 16 * (int)T_INTS_PER_PAGE), 0);
	assert_int_equal(t_mismatches(buf + HPAGE_PMD_SIZE, 16,
				      20 + (int)(H_NPAGES * T_INTS_PER_PAGE)), 0);
	assert_int_equal(t_mismatches(mid2 + 16 * PAGE_SIZE, H_NPAGES - 32,
				      20 + (int)((H_NPAGES + 32) * T_INTS_PER_PAGE)),
			 0);
}

/*
 * Fork shares a THP with the child (copy-on-write), munmap of part of it
 * and both exits free every page: the process leaves nothing behind.
 */
static void test_fork_munmap_exit(void **state)
{
	struct fx *f = *state;
	struct devmig_proc *parent, *child;
	unsigned long buf, free0;
	int v = 77;

	(void)f;
	lru_add_drain_all();
	free0 = model_nr_free_pages();
	devmig_task_leave();
	parent = devmig_proc_create();
	assert_non_null(parent);
	buf = devmig_mmap(parent, 2 * HPAGE_PMD_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	assert_true((long)buf > 0);
	assert_int_equal(devmig_madvise(parent, buf, 2 * HPAGE_PMD_SIZE,
					DEVMIG_MADV_HUGEPAGE), 0);
	t_fill(buf, 2 * H_NPAGES, 50);
	assert_true(h_is_thp(devmig_proc_mm(parent), buf));
	assert_true(h_is_thp(devmig_proc_mm(parent), buf + HPAGE_PMD_SIZE));

	child = devmig_proc_fork(parent);
	assert_non_null(child);
	t_switch(child);
	assert_int_equal(t_mismatches(buf, 2 * H_NPAGES, 50), 0);
	assert_int_equal(devmig_store(buf + 5 * PAGE_SIZE, &v, sizeof(v)), 0);
	t_switch(parent);
	assert_int_equal(t_mismatches(buf, 2 * H_NPAGES, 50), 0);
	assert_int_equal(devmig_check_invariants(fx_report_violation, NULL), 0);

	/* Half of the first THP goes in the parent; the child still has it. */
	assert_int_equal(devmig_munmap(parent, buf, HPAGE_PMD_SIZE / 2), 0);
	assert_int_equal(devmig_check_invariants(fx_report_violation, NULL), 0);
	devmig_proc_exit(child);
	assert_int_equal(t_mismatches(buf + HPAGE_PMD_SIZE / 2, H_NPAGES + H_NPAGES / 2,
				      50 + (int)(H_NPAGES / 2 * T_INTS_PER_PAGE)), 0);
	t_exit_switch(parent, f->proc);
	lru_add_drain_all();
	assert_int_equal(model_nr_free_pages(), free0);
}

/*
 * MADV_COLLAPSE: the pages of a 2 MiB range, holes and zero pages included,
 * become one THP with their bytes, whatever the THP mode; the old pages
 * are freed.
 */
static void test_collapse(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2 * H_NPAGES, T_RW);
	struct page *old;
	struct folio *thp;
	int v;

	assert_int_equal(buf & ~HPAGE_PMD_MASK, 0);
	t_fill(buf, 100, 0);
	t_fill(buf + 200 * PAGE_SIZE, 1, 77);
	assert_int_equal(t_nonzero(buf + 300 * PAGE_SIZE, 1), 0);	/* zero page */
	assert_int_equal(t_kind(f->mm, buf + 300 * PAGE_SIZE), T_ZERO);
	assert_false(h_is_thp(f->mm, buf));
	old = t_page(f->mm, buf + 5 * PAGE_SIZE);
	assert_int_equal(h_rss(f), 101);

	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), 0);
	assert_true(h_is_thp(f->mm, buf));
	thp = pmd_folio(t_pmd(f->mm, buf));
	assert_true(folio_test_anon(thp));
	assert_true(PageAnonExclusive(&thp->page));
	assert_true(pmd_write(t_pmd(f->mm, buf)));
	assert_int_equal(h_rss(f), H_NPAGES);
	assert_int_equal(t_state(old).ref, 0);		/* freed */
	assert_int_equal(t_mismatches(buf, 100, 0), 0);
	assert_int_equal(t_mismatches(buf + 200 * PAGE_SIZE, 1, 77), 0);
	assert_int_equal(t_nonzero(buf + 100 * PAGE_SIZE, 100), 0);
	assert_int_equal(t_nonzero(buf + 201 * PAGE_SIZE, H_NPAGES - 201), 0);
	assert_true(h_is_thp(f->mm, buf));
	/* Already a THP: done.  Less than 2 MiB: nothing to do. */
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), 0);
	v = 5;
	assert_int_equal(devmig_store(buf + HPAGE_PMD_SIZE, &v, sizeof(v)), 0);
	assert_int_equal(devmig_madvise(f->proc, buf + HPAGE_PMD_SIZE,
					HPAGE_PMD_SIZE - PAGE_SIZE,
					DEVMIG_MADV_COLLAPSE), 0);
	assert_false(h_is_thp(f->mm, buf + HPAGE_PMD_SIZE));
	assert_invariants();
}

/* What MADV_COLLAPSE refuses, and with which error; nothing changes. */
static void test_collapse_refused(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2 * H_NPAGES, T_RW);
	long shared = devmig_mmap(f->proc, HPAGE_PMD_SIZE, T_RW,
				  DEVMIG_MAP_SHARED);
	void *pages[1];
	struct page *page;

	/* Nothing mapped at all. */
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), -EINVAL);
	/* Only zero pages: no writable PTE. */
	assert_int_equal(t_nonzero(buf, 4), 0);
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), -EINVAL);
	/* A pinned page: busy, try again later. */
	t_fill(buf, 8, 1);
	page = t_page(f->mm, buf + 3 * PAGE_SIZE);
	assert_int_equal(devmig_gup(buf + 3 * PAGE_SIZE, 1,
				    DEVMIG_GUP_PIN | DEVMIG_GUP_WRITE, pages), 1);
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), -EAGAIN);
	assert_false(h_is_thp(f->mm, buf));
	assert_ptr_equal(t_page(f->mm, buf + 3 * PAGE_SIZE), page);
	assert_invariants();
	devmig_gup_put(pages, 1, DEVMIG_GUP_PIN);
	/* MADV_NOHUGEPAGE, shared memory: never a THP. */
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_NOHUGEPAGE), 0);
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), -EINVAL);
	assert_true(shared > 0);
	t_fill(shared, 1, 0);
	assert_int_equal(devmig_madvise(f->proc, shared, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), -EINVAL);
	assert_int_equal(t_mismatches(buf, 8, 1), 0);
	assert_false(h_is_thp(f->mm, buf));
	assert_invariants();
}

/*
 * Device-private entries in the range are faulted back first (swap-in),
 * then collapsed; device-coherent pages are mapped ZONE_DEVICE pages,
 * which collapse refuses (SCAN_PAGE_NULL).
 */
static void test_collapse_device_pages(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, H_NPAGES, T_RW);
	unsigned long out = t_scratch(f->proc, 16);

	t_fill(buf, 16, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 4 * PAGE_SIZE, out, 4, NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 4);
	if (f->type == HMM_DMIRROR_MEMORY_DEVICE_COHERENT) {
		assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
						DEVMIG_MADV_COLLAPSE), -EINVAL);
		assert_false(h_is_thp(f->mm, buf));
		assert_int_equal(t_dstats(f->dev[0]).in_use, 4);
		assert_int_equal(t_mismatches(buf, 16, 0), 0);
		return;
	}
	assert_int_equal(devmig_madvise(f->proc, buf, HPAGE_PMD_SIZE,
					DEVMIG_MADV_COLLAPSE), 0);
	assert_true(h_is_thp(f->mm, buf));
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_mismatches(buf, 16, 0), 0);
	assert_int_equal(t_nonzero(buf + 16 * PAGE_SIZE, H_NPAGES - 16), 0);
}

/*
 * A THP a CPU faults in after collect chose a hole: the pages step finds a
 * huge PMD where it wanted a page table, leaves it, and the slot does not
 * migrate; the CPU's data stays and the destination is freed.
 */
static void test_thp_faulted_after_collect(void **state)
{
	struct fx *f = *state;
	unsigned long buf = h_map(f, 1);
	unsigned long src = 0, dst = 0, in_use = t_dstats(f->dev[0]).in_use;
	struct migrate_vma args = {
		.start = buf, .end = buf + PAGE_SIZE, .src = &src, .dst = &dst,
		.pgmap_owner = f->dev[0],
	};
	long v = 0x7417, got = 0;
	struct page *dpage;

	mmap_read_lock(f->mm);
	args.vma = t_vma(f->mm, buf);
	assert_int_equal(migrate_vma_setup(&args), 0);
	assert_int_equal(src, MIGRATE_PFN_MIGRATE);
	/* Meanwhile a CPU faults the whole 2 MiB in as one THP. */
	assert_int_equal(devmig_store(buf + PAGE_SIZE, &v, sizeof(v)), 0);
	dpage = dmirror_device_alloc_page(f->dev[0]);
	assert_non_null(dpage);
	dst = migrate_pfn(page_to_pfn(dpage));
	migrate_vma_pages(&args);
	assert_int_equal(src, 0);
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);

	assert_true(pmd_trans_huge(t_pmd(f->mm, buf)));
	assert_int_equal(t_dstats(f->dev[0]).in_use, in_use);
	assert_int_equal(devmig_load(buf + PAGE_SIZE, &got, sizeof(got)), 0);
	assert_int_equal(got, v);
	assert_int_equal(t_nonzero(buf, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_write_fault_maps_thp),
		FX_TEST(test_thp_modes),
		FX_TEST(test_partial_range_no_thp),
		FX_TEST(test_read_fault_maps_huge_zero),
		FX_TEST(test_dontneed_whole_and_part),
		FX_TEST(test_snapshot_huge_pmds),
		FX_TEST(test_migrate_thp_to_device_and_back),
		FX_TEST(test_split_zero_subpages),
		FX_TEST(test_collect_splits_huge_zero),
		FX_TEST(test_locked_thp_skipped_no_leak),
		FX_TEST(test_referenced_thp_skipped),
		FX_TEST(test_vma_split_inside_thp),
		FX_TEST(test_mprotect_splits),
		FX_TEST(test_pte_mapped_thp_entries_restored),
		FX_TEST(test_fork_munmap_exit),
		FX_TEST(test_collapse),
		FX_TEST(test_collapse_refused),
		FX_TEST(test_collapse_device_pages),
		FX_TEST_COHERENT(test_collapse_device_pages),
		FX_TEST(test_thp_faulted_after_collect),
	};

	return T_RUN(tests);
}
