// SPDX-License-Identifier: GPL-2.0
/*
 * model_hmm.c - hmm_range_fault(): the request flags, and a snapshot that
 * skips migration entries.
 */
#include "harness.h"

static void test_hmm_range_fault_flags(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 4, T_RW);
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
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW), pfns[1] = { 0 };
	struct t_mni t = { 0 };
	struct folio *folio;
	pte_t old;

	t_store_long(a, 3);
	folio = page_folio(t_page(f->mm, a));
	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, a,
						      PAGE_SIZE, &t_mni_ops), 0);
	folio_lock(folio);
	old = t_set_pte(f, a, swp_entry_to_pte(
			make_writable_migration_entry(folio_pfn(folio))));

	/* The folio stays locked: a wait here would never return. */
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, 0, 0), 0);
	assert_int_equal(pfns[0], 0);

	t_set_pte(f, a, old);
	folio_unlock(folio);
	/* Now a fault request answers with the page. */
	assert_int_equal(t_hmm(f, &t, a, 1, pfns, HMM_PFN_REQ_FAULT, 0), 0);
	assert_int_equal(pfns[0], folio_pfn(folio) | HMM_PFN_VALID |
			 HMM_PFN_WRITE);
	mmu_interval_notifier_remove(&t.mni);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_hmm_range_fault_flags),
		FX_TEST_PROC(test_hmm_snapshot_skips_migration_entry),
	};

	return T_RUN(tests);
}
