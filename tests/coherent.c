// SPDX-License-Identifier: GPL-2.0
/*
 * coherent.c - the device-coherent variants of the hmm-tests scenarios:
 * coherent device memory is CPU addressable, so migrated pages are mapped
 * by present PTEs, the CPU reads and writes them in place (no
 * migrate_to_ram), MIGRATE_TO_SYS needs SELECT_DEVICE_COHERENT, a long-term
 * pin moves a page out with migrate_device_coherent_folio(), and fork makes
 * the pages copy-on-write like any anonymous page.
 */
#include "harness.h"
#include <model/fail.h>
#include <model/model.h>

static bool t_is_coherent_of(struct page *page, struct dmirror_device *dev)
{
	return page && is_device_coherent_page(page) &&
	       page->pgmap->owner == dmirror_device_owner(dev);
}

static unsigned long t_count_coherent(struct fx *f, unsigned long addr,
				      unsigned long npages, int d)
{
	unsigned long i, n = 0;

	for (i = 0; i < npages; i++) {
		pte_t pte = t_pte(f->mm, addr + (i << PAGE_SHIFT));

		n += t_kind_of(pte) == T_PRESENT &&
		     t_is_coherent_of(t_page_of(pte), f->dev[d]);
	}
	return n;
}

/* hmm.migrate, coherent: present, writable PTEs to device pages. */
static void test_coherent_migrate(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;
	unsigned long faults0, i;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);
	assert_int_equal(t_count_coherent(f, buf, T_NPAGES, 0), T_NPAGES);
	for (i = 0; i < T_NPAGES; i += 113) {
		unsigned long addr = buf + (i << PAGE_SHIFT);
		struct page *page = t_page(f->mm, addr);

		assert_true(pte_write(t_pte(f->mm, addr)));
		assert_settled_anon(page, 1, false);
		assert_true(PageAnonExclusive(page));
	}
	assert_int_equal(t_dstats(f->dev[0]).in_use, T_NPAGES);

	/* The CPU uses the device memory in place: no fault, no migration. */
	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	assert_int_equal(t_faults() - faults0, 0);
	t_fill(buf, 4, 5);
	assert_int_equal(t_count_coherent(f, buf, T_NPAGES, 0), T_NPAGES);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 0);
	assert_int_equal(t_mismatches(buf, 4, 5), 0);
}

/*
 * hmm.migrate_fault, coherent: reading the first half changes nothing, and
 * the second MIGRATE_TO_DEV selects nothing (SELECT_SYSTEM does not take
 * coherent pages) yet finds every page in the mirror.
 */
static void test_coherent_migrate_fault(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(t_mismatches(buf, T_NPAGES / 2, 0), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);
	assert_int_equal(t_dstats(f->dev[0]).calloc, T_NPAGES);
	assert_int_equal(t_count_coherent(f, buf, T_NPAGES, 0), T_NPAGES);
}

/* hmm.migrate_multiple, coherent: ten rounds there and back by ioctl. */
static void test_coherent_migrate_multiple(void **state)
{
	struct fx *f = *state;
	struct hmm_dmirror_cmd cmd;
	int c;

	for (c = 0; c < 10; c++) {
		unsigned long buf = t_map(f, T_NPAGES, T_RW);
		unsigned long view = t_scratch(f->proc, T_NPAGES);

		t_fill(buf, T_NPAGES, c);
		assert_int_equal(t_cmd(f->mirror[0],
				       HMM_DMIRROR_MIGRATE_TO_DEV, buf, view,
				       T_NPAGES, &cmd), 0);
		assert_int_equal(cmd.cpages, T_NPAGES);
		assert_int_equal(t_mismatches(view, T_NPAGES, c), 0);
		assert_int_equal(t_cmd(f->mirror[0],
				       HMM_DMIRROR_MIGRATE_TO_SYS, buf, view,
				       T_NPAGES, &cmd), 0);
		assert_int_equal(cmd.cpages, T_NPAGES);
		assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
				 T_NPAGES);
		assert_int_equal(t_count_coherent(f, buf, T_NPAGES, 0), 0);
		assert_settled_anon(t_page(f->mm, buf), 1, true);
		assert_int_equal(t_mismatches(buf, T_NPAGES, c), 0);
		assert_int_equal(devmig_munmap(f->proc, buf,
					       T_NPAGES * PAGE_SIZE), 0);
		assert_int_equal(devmig_munmap(f->proc, view,
					       T_NPAGES * PAGE_SIZE), 0);
		assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	}
	assert_int_equal(t_dstats(f->dev[0]).cfree, 10 * T_NPAGES);
}

/* hmm.migrate_release, coherent. */
static void test_coherent_migrate_release(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_scratch(f->proc, T_NPAGES);
	unsigned long faults0;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, view,
			       T_NPAGES, NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_dstats(f->dev[0]).chunks, 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	assert_int_equal(t_count_coherent(f, buf, T_NPAGES, 0), 0);
	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	assert_int_equal(t_faults() - faults0, 0);
}

/* hmm2.snapshot, coherent variant: local and remote coherent bytes. */
static void test_coherent_snapshot(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 3, T_RW);
	unsigned long out = t_scratch(f->proc, 1);
	struct hmm_dmirror_cmd cmd;
	unsigned char got[3];

	t_fill(buf, 1, 1);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + PAGE_SIZE, out, 1, &cmd), 0);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 2 * PAGE_SIZE, out, 1, &cmd), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out, 3,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 3);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	assert_int_equal(got[0], HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(got[1], HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL |
				 HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(got[2], HMM_DMIRROR_PROT_DEV_COHERENT_REMOTE |
				 HMM_DMIRROR_PROT_WRITE);
}

/* hmm2.double_map, coherent: device 0 reads device 1's pages in place. */
static void test_coherent_double_map(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 6, T_RW);
	unsigned long view = t_scratch(f->proc, 6);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 6, 0);
	assert_int_equal(devmig_mprotect(f->proc, buf, 6 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 6,
			       &cmd), 0);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 6, &cmd), 0);
	assert_int_equal(cmd.cpages, 6);
	assert_int_equal(t_count_coherent(f, buf, 6, 1), 6);
	assert_false(pte_write(t_pte(f->mm, buf)));

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 6,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 6);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 6, 0), 0);
	/* Read in place: still device 1's memory. */
	assert_int_equal(t_count_coherent(f, buf, 6, 1), 6);
}

/*
 * hmm.hmm_cow_in_device, coherent: after fork both processes map the same
 * coherent pages read-only; the parent's writes copy them into new system
 * pages (CoW), the child keeps the device pages.
 */
static void test_coherent_cow(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long out = t_scratch(f->proc, 1);
	struct devmig_proc *child;
	struct hmm_dmirror_cmd cmd;
	unsigned char got[4];
	int i;

	t_fill(buf, 4, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 4), 4, NULL), 0);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_false(pte_write(t_pte(f->mm, buf)));
	assert_int_equal(t_state(t_page(f->mm, buf)).map, 2);

	t_fill(buf, 4, 0);
	assert_int_equal(t_count_coherent(f, buf, 4, 0), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out, 4,
			       &cmd), 0);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(got[i], HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(t_mismatches(buf, 4, 0), 0);
	/* The child still maps the coherent pages, alone now. */
	assert_true(t_is_coherent_of(t_page(devmig_proc_mm(child), buf),
				     f->dev[0]));
	assert_settled_anon(t_page(devmig_proc_mm(child), buf), 1, false);
	devmig_proc_exit(child);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
}

/*
 * A long-term pin of a coherent page moves it to system memory first
 * (migrate_device_coherent_folio(), hmm.hmm_gup_test pages 2-3); a plain
 * pin works in place.
 */
static void test_coherent_longterm_pin(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	struct page *pages[1];
	struct page *dev_page;

	t_fill(buf, 2, 3);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 2), 2, NULL), 0);
	dev_page = t_page(f->mm, buf);
	assert_true(t_is_coherent_of(dev_page, f->dev[0]));

	/* Plain pin: in place. */
	assert_int_equal(pin_user_pages_fast(buf, 1, FOLL_WRITE, pages), 1);
	assert_ptr_equal(pages[0], dev_page);
	unpin_user_page(pages[0]);

	/* The page-based entry point moves a page out the same way. */
	get_page(dev_page);
	assert_int_equal(migrate_device_coherent_page(dev_page), 0);
	assert_false(is_zone_device_page(t_page(f->mm, buf)));
	assert_settled_anon(t_page(f->mm, buf), 1, true);
	assert_int_equal(t_mismatches(buf, 1, 3), 0);

	/* Long-term pin: migrated out first. */
	assert_int_equal(pin_user_pages_fast(buf + PAGE_SIZE, 1,
					     FOLL_WRITE | FOLL_LONGTERM,
					     pages), 1);
	assert_false(is_zone_device_page(pages[0]));
	assert_ptr_equal(pages[0], t_page(f->mm, buf + PAGE_SIZE));
	unpin_user_page(pages[0]);
	assert_settled_anon(pages[0], 1, true);
	assert_int_equal(t_mismatches(buf, 2, 3), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
}

/* A coherent page of another device is not this device's to move back. */
static void test_coherent_other_owner(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *page;

	t_fill(buf, 1, 13);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	page = t_page(f->mm, buf);
	assert_true(t_is_coherent_of(page, f->dev[1]));
	t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf, buf, 1, NULL);
	assert_ptr_equal(t_page(f->mm, buf), page);
	assert_true(t_is_coherent_of(page, f->dev[1]));
	assert_int_equal(t_dstats(f->dev[1]).in_use, 1);
	assert_int_equal(t_mismatches(buf, 1, 13), 0);
}

/* Free system pages, LRU batches drained: a leak shows as a difference. */
static unsigned long t_free_pages(void)
{
	lru_add_drain_all();
	return model_nr_free_pages();
}

/*
 * A long-term pin of a coherent page that cannot move (pinned already, a
 * stray reference, no system page to copy into) fails with -EBUSY and leaves the page where
 * it was, with nothing leaked: neither the caller's reference nor the copy.
 */
static void test_coherent_longterm_pin_fails(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct page *dev_page, *pinned = NULL, *pages[1];
	unsigned long free0;

	t_fill(buf, 1, 7);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	dev_page = t_page(f->mm, buf);
	assert_true(t_is_coherent_of(dev_page, f->dev[0]));
	free0 = t_free_pages();

	/* Pinned already: it cannot be unmapped and moved. */
	assert_int_equal(pin_user_pages_fast(buf, 1, FOLL_WRITE, &pinned), 1);
	assert_int_equal(pin_user_pages_fast(buf, 1, FOLL_WRITE | FOLL_LONGTERM,
					     pages), -EBUSY);
	unpin_user_page(pinned);
	assert_ptr_equal(t_page(f->mm, buf), dev_page);
	assert_settled_anon(dev_page, 1, false);
	assert_int_equal(t_free_pages(), free0);

	/*
	 * A stray reference: unmapping works (the device slack) but the
	 * exact count of the move refuses it; mapped back, not pinned.
	 */
	get_page(dev_page);
	assert_int_equal(pin_user_pages_fast(buf, 1, FOLL_WRITE | FOLL_LONGTERM,
					     pages), -EBUSY);
	put_page(dev_page);
	assert_ptr_equal(t_page(f->mm, buf), dev_page);
	assert_settled_anon(dev_page, 1, false);
	assert_int_equal(t_free_pages(), free0);

	/* No system page to copy into. */
	model_fail_every(MODEL_FAIL_PAGE, true);
	assert_int_equal(pin_user_pages_fast(buf, 1, FOLL_WRITE | FOLL_LONGTERM,
					     pages), -EBUSY);
	model_fail_reset();
	assert_ptr_equal(t_page(f->mm, buf), dev_page);
	assert_settled_anon(dev_page, 1, false);
	assert_int_equal(t_free_pages(), free0);
	assert_int_equal(t_mismatches(buf, 1, 7), 0);
}

/*
 * migrate_device_coherent_folio() moves order-0 folios only: a large one
 * (a PMD-order system folio here, on the LRU and unmapped, its caller's
 * reference the only one) is refused with a warning, never unmapped or
 * copied, and the consumed reference frees it.
 */
static void test_coherent_folio_large_refused(void **state)
{
	struct folio *folio;
	unsigned long free0;

	(void)state;
	free0 = t_free_pages();
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE, HPAGE_PMD_ORDER);
	assert_non_null(folio);
	folio_add_lru(folio);
	lru_add_drain_all();
	assert_true(folio_test_lru(folio));
	assert_int_equal(folio_ref_count(folio), 1);

	assert_int_equal(migrate_device_coherent_folio(folio), -EBUSY);
	t_expect_warn(1, "folio_test_large");
	assert_int_equal(t_free_pages(), free0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_COHERENT(test_coherent_migrate),
		FX_TEST_COHERENT(test_coherent_migrate_fault),
		FX_TEST_COHERENT(test_coherent_migrate_multiple),
		FX_TEST_COHERENT(test_coherent_migrate_release),
		FX_TEST_COHERENT(test_coherent_snapshot),
		FX_TEST_COHERENT(test_coherent_double_map),
		FX_TEST_COHERENT(test_coherent_cow),
		FX_TEST_COHERENT(test_coherent_longterm_pin),
		FX_TEST_COHERENT(test_coherent_other_owner),
		FX_TEST_COHERENT(test_coherent_longterm_pin_fails),
		FX_TEST_COHERENT(test_coherent_folio_large_refused),
	};

	return T_RUN(tests);
}
