// SPDX-License-Identifier: GPL-2.0
/*
 * model_gup.c - GUP: reference and pin counts, FOLL_LONGTERM refused for
 * get, a pin that unshares a shared anon page, gup_test's check of a pin.
 */
#include "harness.h"

static void test_gup_pin_counts(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW);
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
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct page *pages[1], *page;
	int ref;

	t_store_long(a, 9);
	page = t_page(f->mm, a);
	ref = page_ref_count(page);
	t_warn_coming(1);
	assert_int_equal(get_user_pages(a, 1, FOLL_WRITE | FOLL_LONGTERM,
					pages), -EINVAL);
	t_expect_warn(1, "FOLL_LONGTERM");
	t_warn_coming(1);
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
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
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

/*
 * What gup_test checks after a pin test (devmig_gup_test_verify()): a
 * pinned page passes; the zero page, which a pin leaves as it is, warns;
 * a device-coherent page passes a short-term pin's check and warns under
 * the long-term one; a get is not checked at all.
 */
static void test_gup_test_verify(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	unsigned long ro = t_map(f, 1, DEVMIG_PROT_READ);
	void *pages[1];

	t_store_long(a, 4);
	assert_int_equal(devmig_gup(a, 1, DEVMIG_GUP_PIN | DEVMIG_GUP_LONGTERM,
				    pages), 1);
	devmig_gup_test_verify(pages, 1, DEVMIG_GUP_PIN | DEVMIG_GUP_LONGTERM);
	assert_no_warn();
	devmig_gup_put(pages, 1, DEVMIG_GUP_PIN);

	assert_int_equal(t_load_long(ro), 0);
	assert_int_equal(devmig_gup(ro, 1, DEVMIG_GUP_PIN, pages), 1);
	assert_true(is_zero_page(pages[0]));
	t_warn_coming(1);
	devmig_gup_test_verify(pages, 1, DEVMIG_GUP_PIN);
	t_expect_warn(1, "not pinned");
	devmig_gup_test_verify(pages, 1, 0);
	assert_no_warn();
	devmig_gup_put(pages, 1, DEVMIG_GUP_PIN);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, a,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	assert_true(is_device_coherent_page(t_page(f->mm, a)));
	assert_int_equal(devmig_gup(a, 1, DEVMIG_GUP_PIN, pages), 1);
	assert_ptr_equal(pages[0], t_page(f->mm, a));
	devmig_gup_test_verify(pages, 1, DEVMIG_GUP_PIN);
	assert_no_warn();
	t_warn_coming(1);
	devmig_gup_test_verify(pages, 1, DEVMIG_GUP_PIN | DEVMIG_GUP_LONGTERM);
	t_expect_warn(1, "long-term pinnable");
	devmig_gup_put(pages, 1, DEVMIG_GUP_PIN);
	assert_int_equal(t_load_long(a), 4);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_gup_pin_counts),
		FX_TEST_PROC(test_gup_get_longterm_refused),
		FX_TEST_PROC(test_gup_pin_unshares),
		FX_TEST_COHERENT(test_gup_test_verify),
	};

	return T_RUN(tests);
}
