// SPDX-License-Identifier: GPL-2.0
/*
 * release.c - device memory going away while processes still map it: the
 * RELEASE command, closing a mirror, destroying a device.  Each time the
 * pages are evicted with migrate_device_range() / migrate_device_pages() /
 * migrate_device_finalize(): the data comes back to system memory, every
 * process that mapped a page maps its new system page, and no device page,
 * reference or lock is left behind.
 */
#include "harness.h"

/*
 * hmm.migrate_release: RELEASE while the buffer lives on the device; the CPU
 * then reads system pages without a single fault.
 */
static void test_migrate_release(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_map(f, T_NPAGES, T_RW);
	struct dmirror_device_stats st;
	struct hmm_dmirror_cmd cmd;
	unsigned long faults0, i;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, view,
			       T_NPAGES, NULL), 0);
	st = t_dstats(f->dev[0]);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.chunks, 0);
	/* Pages of a chunk being removed do not go back on the free list. */
	assert_int_equal(st.cfree, 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	for (i = 0; i < T_NPAGES; i += 89)
		assert_settled_anon(t_page(f->mm, buf + (i << PAGE_SHIFT)), 1,
				    true);
	assert_invariants();

	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, T_NPAGES / 2, 0), 0);
	assert_int_equal(t_faults() - faults0, 0);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 0);

	/* The device still works: a new chunk is made on demand. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 16, &cmd), 0);
	assert_int_equal(cmd.cpages, 16);
	assert_int_equal(t_dstats(f->dev[0]).chunks, 1);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
}

/* Closing a mirror evicts the device's pages too (chunks stay). */
static void test_close_evicts(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 256, T_RW);
	unsigned long view = t_map(f, 256, T_RW);
	struct dmirror_device_stats st;
	unsigned long faults0;

	t_fill(buf, 256, 40);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 256, NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 256);
	dmirror_close(f->mirror[0]);
	f->mirror[0] = NULL;

	st = t_dstats(f->dev[0]);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.cfree, 256);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(t_count_kind(f->mm, buf, 256, T_PRESENT), 256);
	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, 256, 40), 0);
	assert_int_equal(t_faults() - faults0, 0);
}

/*
 * Closing mirror 1 evicts pages that mirror 0 (of the same device) put
 * there: test_hmm's close empties the whole device.
 */
static void test_close_other_mirror_evicts(void **state)
{
	struct fx *f = *state;
	struct dmirror *second;
	unsigned long buf = t_map(f, 32, T_RW);

	assert_int_equal(dmirror_open(f->dev[0], &second), 0);
	t_fill(buf, 32, 2);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 32), 32, NULL), 0);
	assert_int_equal(t_count_kind(f->mm, buf, 32, T_DEV_WRITE), 32);
	dmirror_close(second);
	assert_int_equal(t_count_kind(f->mm, buf, 32, T_PRESENT), 32);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_mismatches(buf, 32, 2), 0);
}

/*
 * Two processes with pages on one device; RELEASE through one mirror brings
 * back both processes' data.
 */
static void test_release_two_processes(void **state)
{
	struct fx *f = *state;
	struct devmig_proc *other;
	struct dmirror *m2;
	unsigned long buf1, buf2;
	struct mm_struct *mm2;

	buf1 = t_map(f, 64, T_RW);
	t_fill(buf1, 64, 100);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf1,
			       t_scratch(f->proc, 64), 64, NULL), 0);

	/* A thread is in one process at a time: switch to the new one. */
	devmig_task_leave();
	other = devmig_proc_create();
	assert_non_null(other);
	mm2 = devmig_proc_mm(other);
	assert_int_equal(dmirror_open(f->dev[0], &m2), 0);
	buf2 = devmig_mmap(other, 64 * PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	assert_true((long)buf2 > 0);
	t_fill(buf2, 64, 200);
	assert_int_equal(t_cmd(m2, HMM_DMIRROR_MIGRATE_TO_DEV, buf2, t_scratch(other, 64), 64,
			       NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 128);

	assert_int_equal(t_cmd(m2, HMM_DMIRROR_RELEASE, buf2, buf2, 1, NULL),
			 0);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_count_kind(mm2, buf2, 64, T_PRESENT), 64);
	assert_int_equal(t_count_kind(f->mm, buf1, 64, T_PRESENT), 64);
	assert_int_equal(t_mismatches(buf2, 64, 200), 0);
	assert_invariants();

	dmirror_close(m2);
	t_exit_switch(other, f->proc);
	assert_int_equal(t_mismatches(buf1, 64, 100), 0);
}

/*
 * A device destroyed while a process maps its pages (no mirror open: the
 * test played the device itself with migrate_vma_*): eviction on destroy.
 */
static void test_destroy_device_while_mapped(void **state)
{
	struct fx *f = *state;
	struct dmirror_device_config cfg = {
		.type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE,
		.chunk_bytes = 64 * PAGE_SIZE,
	};
	unsigned long src[8], dst[8];
	struct migrate_vma args = { 0 };
	struct dmirror_device *dev;
	unsigned long buf = t_map(f, 8, T_RW);
	unsigned long i;

	assert_int_equal(dmirror_device_create(&cfg, &dev), 0);
	t_fill(buf, 8, 300);
	mmap_read_lock(f->mm);
	args.vma = t_vma(f->mm, buf);
	args.start = buf;
	args.end = buf + 8 * PAGE_SIZE;
	args.src = src;
	args.dst = dst;
	args.flags = MIGRATE_VMA_SELECT_SYSTEM;
	args.pgmap_owner = dmirror_device_owner(dev);
	assert_int_equal(migrate_vma_setup(&args), 0);
	assert_int_equal(args.cpages, 8);
	for (i = 0; i < 8; i++) {
		struct page *dpage = dmirror_device_alloc_page(dev);

		assert_non_null(dpage);
		copy_highpage(dmirror_device_backing_page(dpage),
			      migrate_pfn_to_page(src[i]));
		dst[i] = migrate_pfn(page_to_pfn(dpage));
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_count_kind(f->mm, buf, 8, T_DEV_READ) +
			 t_count_kind(f->mm, buf, 8, T_DEV_WRITE), 8);
	assert_int_equal(t_dstats(dev).in_use, 8);

	dmirror_device_destroy(dev);
	assert_int_equal(t_count_kind(f->mm, buf, 8, T_PRESENT), 8);
	for (i = 0; i < 8; i++)
		assert_settled_anon(t_page(f->mm, buf + (i << PAGE_SHIFT)), 1,
				    true);
	assert_int_equal(t_mismatches(buf, 8, 300), 0);
}

/*
 * A page shared by parent and child after fork (a read-only device-private
 * entry in both): eviction moves it once and both map the same new page.
 */
static void test_release_forked(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	struct devmig_proc *child;
	struct mm_struct *cmm;
	struct page *dpage, *p1, *p2;

	t_fill(buf, 4, 400);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 4), 4, NULL), 0);
	dpage = t_page(f->mm, buf);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cmm = devmig_proc_mm(child);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_READ);
	assert_int_equal(t_kind(cmm, buf), T_DEV_READ);
	assert_ptr_equal(t_page(cmm, buf), dpage);
	assert_int_equal(t_state(dpage).ref, 2);
	assert_int_equal(t_state(dpage).map, 2);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, buf, 1,
			       NULL), 0);
	p1 = t_page(f->mm, buf);
	p2 = t_page(cmm, buf);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
	assert_ptr_equal(p1, p2);
	assert_settled_anon(p1, 2, true);
	assert_false(PageAnonExclusive(p1));
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_mismatches(buf, 4, 400), 0);
	assert_invariants();
	devmig_proc_exit(child);
}

/* RELEASE with nothing on the device is harmless and repeatable. */
static void test_release_empty(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, buf, 1,
			       NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_RELEASE, buf, buf, 1,
			       NULL), 0);
	assert_int_equal(t_dstats(f->dev[0]).chunks, 0);
	assert_int_equal(t_dstats(f->dev[0]).calloc, 0);
}

/*
 * migrate_device_range() skips a device page somebody else holds locked,
 * without keeping the reference it took to try.
 */
static void test_range_skips_locked_page(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	unsigned long src = ~0UL, dst = 0;
	struct page *dpage;

	t_fill(buf, 1, 19);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	dpage = t_page(f->mm, buf);
	lock_page(dpage);
	assert_int_equal(migrate_device_range(&src, page_to_pfn(dpage), 1), 0);
	assert_int_equal(src, 0);
	migrate_device_pages(&src, &dst, 1);
	migrate_device_finalize(&src, &dst, 1);
	unlock_page(dpage);
	assert_settled_anon(dpage, 1, false);
	assert_int_equal(t_kind(f->mm, buf), T_DEV_WRITE);
	assert_int_equal(t_mismatches(buf, 1, 19), 0);
}

/*
 * migrate_device_pages() knows no address: a slot that migrates without a
 * source page (only migrate_vma_setup() makes those) is a driver bug,
 * warned about and dropped; the destination is freed by finalize.
 */
static void test_device_pages_empty_slot_warns(void **state)
{
	struct fx *f = *state;
	unsigned long src = MIGRATE_PFN_MIGRATE, dst;
	unsigned long in_use = t_dstats(f->dev[0]).in_use;
	struct page *dpage = dmirror_device_alloc_page(f->dev[0]);

	assert_non_null(dpage);
	dst = migrate_pfn(page_to_pfn(dpage));
	migrate_device_pages(&src, &dst, 1);
	t_expect_warn(1, "!migrate");
	assert_int_equal(src, 0);
	migrate_device_finalize(&src, &dst, 1);
	assert_int_equal(t_dstats(f->dev[0]).in_use, in_use);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_migrate_release),
		FX_TEST(test_close_evicts),
		FX_TEST(test_close_other_mirror_evicts),
		FX_TEST(test_release_two_processes),
		FX_TEST(test_destroy_device_while_mapped),
		FX_TEST(test_release_forked),
		FX_TEST(test_release_empty),
		FX_TEST(test_range_skips_locked_page),
		FX_TEST(test_device_pages_empty_slot_warns),
	};

	return T_RUN(tests);
}
