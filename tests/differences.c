// SPDX-License-Identifier: GPL-2.0
/*
 * differences.c - where our mm/migrate_device.c deliberately differs from
 * Linux 6.12 (README, "Differences from upstream"), one test each that the
 * 6.12 behaviour would fail.
 *
 * The reversed range (-EINVAL instead of overrunning src) is tested with the
 * other -EINVAL cases in einval.c, and the THP reference leak with the other
 * THP cases in thp.c (test_locked_thp_skipped_no_leak).
 */
#include "harness.h"

/*
 * A source page under writeback cannot change identity: 6.12 hits BUG_ON()
 * in the pages step.  Ours leaves the slot unmigrated, and finalize maps the
 * page back with its data.
 */
static void test_writeback_source_stays(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 2, T_RW);
	unsigned long src[2], dst[2];
	struct migrate_vma args = {
		.start = buf,
		.end = buf + 2 * PAGE_SIZE,
		.src = src,
		.dst = dst,
		.flags = MIGRATE_VMA_SELECT_SYSTEM,
		.pgmap_owner = dmirror_device_owner(f->dev[0]),
	};
	struct page *spage[2];
	unsigned long i;

	t_fill(buf, 2, 11);
	for (i = 0; i < 2; i++)
		spage[i] = t_page(f->mm, buf + i * PAGE_SIZE);

	mmap_read_lock(f->mm);
	args.vma = t_vma(f->mm, buf);
	assert_int_equal(migrate_vma_setup(&args), 0);
	assert_int_equal(args.cpages, 2);

	/* Writeback starts on page 0 after it was unmapped and locked. */
	folio_set_writeback(page_folio(spage[0]));

	for (i = 0; i < 2; i++) {
		struct page *dpage = dmirror_device_alloc_page(f->dev[0]);

		assert_non_null(dpage);
		copy_highpage(dmirror_device_backing_page(dpage), spage[i]);
		dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	migrate_vma_pages(&args);
	assert_false(src[0] & MIGRATE_PFN_MIGRATE);
	assert_true(src[1] & MIGRATE_PFN_MIGRATE);
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);

	folio_clear_writeback(page_folio(spage[0]));

	/* Page 0 is the same system page again; page 1 moved to the device. */
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_ptr_equal(t_page(f->mm, buf), spage[0]);
	assert_settled_anon(spage[0], 1, true);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 1);
	assert_int_equal(t_page_mismatches(spage[0], 0, 11), 0);
	assert_int_equal(t_mismatches(buf, 2, 11), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_writeback_source_stays),
	};

	return T_RUN(tests);
}
