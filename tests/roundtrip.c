// SPDX-License-Identifier: GPL-2.0
/*
 * roundtrip.c - whole journeys through the mirror device's ioctls and the
 * CPU: system -> device by ioctl, device -> system by ioctl and by CPU
 * faults, with the data checked byte for byte after each leg and cpages /
 * faults as the kernel's test driver reports them.  Most tests are
 * hmm-tests scenarios (tools/testing/selftests/mm/hmm-tests.c) ported by
 * meaning; the name says which.
 */
#include <model/fail.h>

#include "harness.h"

/* hmm.migrate: all pages of the buffer become writable device pages. */
static void test_migrate(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_map(f, T_NPAGES, T_RW);
	struct dmirror_device_stats st;
	struct hmm_dmirror_cmd cmd;
	unsigned long i;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 0);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_DEV_WRITE),
			 T_NPAGES);
	for (i = 0; i < T_NPAGES; i += 97) {
		struct page *page = t_page(f->mm, buf + (i << PAGE_SHIFT));

		assert_ptr_equal(page->pgmap->owner,
				 dmirror_device_owner(f->dev[0]));
		assert_settled_anon(page, 1, false);
		assert_true(PageAnonExclusive(page));
		assert_int_equal(t_page_mismatches(
				 dmirror_device_backing_page(page), i, 0), 0);
	}
	st = t_dstats(f->dev[0]);
	assert_int_equal(st.calloc, T_NPAGES);
	assert_int_equal(st.in_use, T_NPAGES);
	/* 4 MiB chunks: the first chunk holds exactly the buffer. */
	assert_int_equal(st.chunks, 1);
	/* Unmapping frees the device pages (page_free each). */
	assert_int_equal(devmig_munmap(f->proc, buf, T_NPAGES * PAGE_SIZE), 0);
	st = t_dstats(f->dev[0]);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.cfree, T_NPAGES);
}

/*
 * After MIGRATE_TO_DEV the mirror holds the migrated pages writable (from
 * the source's WRITE bit, or from the VMA for holes): the device writes its
 * own memory with no fault pass, and the CPU then reads what it wrote.
 */
static void test_device_writes_in_place(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 16, T_RW);
	unsigned long src = t_scratch(f->proc, 16);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 8, 3);	/* pages 8-15 stay holes */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 16), 16, &cmd), 0);
	assert_int_equal(cmd.cpages, 16);
	t_fill(src, 16, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, src, 16,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 16);
	assert_int_equal(cmd.faults, 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 0);
	assert_int_equal(t_mismatches(buf, 16, 4), 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 16);
}

/* Device -> system by ioctl: present pages again, no CPU fault needed. */
static void test_migrate_to_sys_ioctl(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_map(f, T_NPAGES, T_RW);
	struct hmm_dmirror_cmd cmd;
	unsigned long faults0, i;

	t_fill(buf, T_NPAGES, 1000);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       view, T_NPAGES, &cmd), 0);
	/* cpages here is "pages actually migrated". */
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	for (i = 0; i < T_NPAGES; i += 101) {
		unsigned long addr = buf + (i << PAGE_SHIFT);

		assert_true(pte_write(t_pte(f->mm, addr)));
		assert_settled_anon(t_page(f->mm, addr), 1, true);
		assert_true(PageAnonExclusive(t_page(f->mm, addr)));
	}
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	assert_int_equal(t_dstats(f->dev[0]).cfree, T_NPAGES);

	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, T_NPAGES, 1000), 0);
	assert_int_equal(t_faults() - faults0, 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 0);

	/* Nothing left on the device: a second call migrates nothing. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, 0);
}

/*
 * hmm.migrate_fault: the CPU reads the first half back (one migrate_to_ram
 * per page), then MIGRATE_TO_DEV again finds every page in the mirror.
 */
static void test_migrate_fault(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_map(f, T_NPAGES, T_RW);
	unsigned long half = T_NPAGES / 2;
	struct hmm_dmirror_cmd cmd;
	unsigned long faults0;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);

	faults0 = t_faults();
	assert_int_equal(t_mismatches(buf, half, 0), 0);
	assert_true(t_faults() - faults0 >= half);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, half);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram_sigbus, 0);
	assert_int_equal(t_count_kind(f->mm, buf, half, T_PRESENT), half);
	assert_int_equal(t_count_kind(f->mm, buf + half * PAGE_SIZE, half,
				      T_DEV_WRITE), half);
	assert_int_equal(t_dstats(f->dev[0]).in_use, half);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_DEV_WRITE),
			 T_NPAGES);
	assert_int_equal(t_dstats(f->dev[0]).calloc, T_NPAGES + half);
}

/* Write faults bring pages back too, and the write lands. */
static void test_migrate_write_fault(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 8, T_RW);

	t_fill(buf, 8, 5);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 8), 8, NULL), 0);
	t_fill(buf, 8, 6);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 8);
	assert_int_equal(t_mismatches(buf, 8, 6), 0);
	assert_int_equal(t_count_kind(f->mm, buf, 8, T_PRESENT), 8);
}

/* hmm.migrate_multiple: ten rounds of migrate, read back by faults. */
static void test_migrate_multiple(void **state)
{
	struct fx *f = *state;
	struct hmm_dmirror_cmd cmd;
	int c;

	for (c = 0; c < 10; c++) {
		unsigned long buf = t_map(f, T_NPAGES, T_RW);
		unsigned long view = t_map(f, T_NPAGES, T_RW);

		t_fill(buf, T_NPAGES, c);
		assert_int_equal(t_cmd(f->mirror[0],
				       HMM_DMIRROR_MIGRATE_TO_DEV, buf, view,
				       T_NPAGES, &cmd), 0);
		assert_int_equal(cmd.cpages, T_NPAGES);
		assert_int_equal(t_mismatches(view, T_NPAGES, c), 0);
		assert_int_equal(t_mismatches(buf, T_NPAGES, c), 0);
		assert_int_equal(devmig_munmap(f->proc, buf,
					       T_NPAGES * PAGE_SIZE), 0);
		assert_int_equal(devmig_munmap(f->proc, view,
					       T_NPAGES * PAGE_SIZE), 0);
		assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
		assert_invariants();
	}
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 10 * T_NPAGES);
	assert_int_equal(t_dstats(f->dev[0]).calloc, 10 * T_NPAGES);
	assert_int_equal(t_dstats(f->dev[0]).cfree, 10 * T_NPAGES);
}

/*
 * hmm.anon_read: pages 0-1 not written, page 1 read by the CPU (zero page),
 * the rest "init i"; read-only; one device fault pass reads it all.
 */
static void test_anon_read(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_map(f, T_NPAGES, T_RW);
	struct hmm_dmirror_cmd cmd;
	int val = 1;

	t_fill(buf + 2 * PAGE_SIZE, T_NPAGES - 2, 2 * T_INTS_PER_PAGE);
	assert_int_equal(devmig_mprotect(f->proc, buf, T_NPAGES * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(devmig_load(buf + PAGE_SIZE, &val, sizeof(val)), 0);
	assert_int_equal(val, 0);
	assert_int_equal(t_kind(f->mm, buf), T_NONE);
	assert_int_equal(t_kind(f->mm, buf + PAGE_SIZE), T_ZERO);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_nonzero(view, 2), 0);
	assert_int_equal(t_mismatches(view + 2 * PAGE_SIZE, T_NPAGES - 2,
				      2 * T_INTS_PER_PAGE), 0);
	/* The device's read fault mapped the zero page at page 0. */
	assert_int_equal(t_kind(f->mm, buf), T_ZERO);

	/* Read again: everything is in the mirror, no fault. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.faults, 0);
	/* No migration happened anywhere. */
	assert_int_equal(t_dstats(f->dev[0]).calloc, 0);
}

/* hmm.anon_read_prot: a PROT_NONE range cannot be read by the device. */
static void test_anon_read_prot(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 16, T_RW);
	unsigned long view = t_map(f, 16, T_RW);
	struct hmm_dmirror_cmd cmd = { 0 };

	t_fill(buf, 16, 0);
	t_fill(view, 16, 99);
	assert_int_equal(devmig_mprotect(f->proc, buf, 16 * PAGE_SIZE,
					 DEVMIG_PROT_NONE), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 16,
			       &cmd), -EFAULT);
	/* The failing command copied nothing back. */
	assert_int_equal(t_mismatches(view, 16, 99), 0);
	assert_int_equal(devmig_mprotect(f->proc, buf, 16 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(t_mismatches(buf, 16, 0), 0);
}

/* hmm.anon_write: the device writes, the CPU sees it. */
static void test_anon_write(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long src = t_map(f, T_NPAGES, T_RW);
	struct hmm_dmirror_cmd cmd;

	t_fill(src, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, src,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
}

/* hmm.anon_write_prot: no write access, then write access after mprotect. */
static void test_anon_write_prot(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, DEVMIG_PROT_READ);
	unsigned long src = t_map(f, 4, T_RW);
	struct hmm_dmirror_cmd cmd;

	/* Reading populates the mirror read-only with zero pages. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, src, 4,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	t_fill(src, 4, 7);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, src, 4,
			       &cmd), -EPERM);
	assert_int_equal(t_nonzero(buf, 4), 0);

	assert_int_equal(devmig_mprotect(f->proc, buf, 4 * PAGE_SIZE, T_RW),
			 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, src, 4,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 4);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(buf, 4, 7), 0);
}

/* hmm.anon_read_multiple: ten rounds of read through the mirror. */
static void test_anon_read_multiple(void **state)
{
	struct fx *f = *state;
	struct hmm_dmirror_cmd cmd;
	int c;

	for (c = 0; c < 10; c++) {
		unsigned long buf = t_map(f, T_NPAGES, T_RW);
		unsigned long view = t_map(f, T_NPAGES, T_RW);

		t_fill(buf, T_NPAGES, c);
		assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf,
				       view, T_NPAGES, &cmd), 0);
		assert_int_equal(cmd.cpages, T_NPAGES);
		assert_int_equal(cmd.faults, 1);
		assert_int_equal(t_mismatches(view, T_NPAGES, c), 0);
		assert_int_equal(devmig_munmap(f->proc, buf,
					       T_NPAGES * PAGE_SIZE), 0);
		assert_int_equal(devmig_munmap(f->proc, view,
					       T_NPAGES * PAGE_SIZE), 0);
	}
}

/*
 * The device's own page table follows the CPU's: a CPU write to a page the
 * mirror has read invalidates the entry, and the next READ faults again
 * and sees the new data.
 */
static void test_mirror_follows_cpu(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long view = t_map(f, 4, T_RW);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 4, 1);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 4,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(devmig_mprotect(f->proc, buf, 4 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(devmig_mprotect(f->proc, buf, 4 * PAGE_SIZE, T_RW),
			 0);
	t_fill(buf, 4, 2);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 4,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 4, 2), 0);
}

/*
 * A page that leaves device memory leaves the device page table too: the
 * migration's own MIGRATE event is one the mirror ignores, so the driver
 * must forget the address itself, or a later READ would copy from a freed
 * backing page.  Checked after MIGRATE_TO_SYS and after a CPU fault.
 */
static void test_mirror_forgets_departed_pages(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 8, T_RW);
	unsigned long view = t_scratch(f->proc, 8);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 8, 1);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 8, NULL), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       view, 4, &cmd), 0);
	assert_int_equal(cmd.cpages, 4);
	/* Pages 0-3 by ioctl, 4-7 by CPU write faults; new data in all. */
	t_fill(buf, 8, 2);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 8,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(cmd.cpages, 8);
	assert_int_equal(t_mismatches(view, 8, 2), 0);
}

/*
 * Our own device-private pages are read in place by the mirror (no fault
 * back to RAM): hmm_range_fault reports them, the driver reads the backing.
 */
static void test_read_own_device_pages(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 8, T_RW);
	unsigned long view = t_map(f, 8, T_RW);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 8, 17);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 8, NULL), 0);
	/* An mprotect invalidates the mirror (and makes entries readable). */
	assert_int_equal(devmig_mprotect(f->proc, buf, 8 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(t_count_kind(f->mm, buf, 8, T_DEV_READ), 8);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 8,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 8, 17), 0);
	assert_int_equal(t_count_kind(f->mm, buf, 8, T_DEV_READ), 8);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 0);
}

/*
 * hmm2.double_map: both devices read; device 1 migrates (device 0's mirror
 * is invalidated since the MIGRATE event is not its own); device 0 reads
 * again, faulting device 1's pages back to RAM.
 */
static void test_double_map(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 6, T_RW);
	unsigned long view = t_map(f, 6, T_RW);
	struct hmm_dmirror_cmd cmd;
	int d;

	t_fill(buf, 6, 0);
	assert_int_equal(devmig_mprotect(f->proc, buf, 6 * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	for (d = 0; d < 2; d++) {
		assert_int_equal(t_cmd(f->mirror[d], HMM_DMIRROR_READ, buf,
				       view, 6, &cmd), 0);
		assert_int_equal(cmd.cpages, 6);
		assert_int_equal(cmd.faults, 1);
		assert_int_equal(t_mismatches(view, 6, 0), 0);
	}
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 6, &cmd), 0);
	assert_int_equal(cmd.cpages, 6);
	assert_int_equal(t_count_kind(f->mm, buf, 6, T_DEV_READ), 6);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 6,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 6);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 6, 0), 0);
	assert_int_equal(t_dstats(f->dev[1]).migrate_to_ram, 6);
	assert_int_equal(t_count_kind(f->mm, buf, 6, T_PRESENT), 6);
	assert_int_equal(t_dstats(f->dev[1]).in_use, 0);
}

/*
 * Two mirrors of one device on one process: when one migrates a page, or a
 * CPU fault takes back the page one of them put on the device, test_hmm's
 * other mirror keeps naming the freed page.  Ours forgets it, reads what
 * the process holds, and counts each access where they part (the note
 * make kernel-diff reads); the mirror that moved the page never counts.
 */
static void test_sibling_migration_stale_lookups(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long lone = t_map(f, 4, T_RW);
	unsigned long view = t_map(f, 4, T_RW);
	struct hmm_dmirror_cmd cmd;
	struct dmirror *sib;

	assert_int_equal(dmirror_open(f->dev[0], &sib), 0);
	t_fill(buf, 4, 10);
	assert_int_equal(t_cmd(sib, HMM_DMIRROR_READ, buf, view, 4, &cmd), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 4, &cmd), 0);
	assert_int_equal(cmd.cpages, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 4,
			       &cmd), 0);
	assert_int_equal(t_dstats(f->dev[0]).stale_lookups, 0);

	/* test_hmm's sibling would read the freed system pages here. */
	assert_int_equal(t_cmd(sib, HMM_DMIRROR_READ, buf, view, 4, &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(view, 4, 10), 0);
	assert_int_equal(t_dstats(f->dev[0]).stale_lookups, 1);
	/* Its fault named the pages again. */
	assert_int_equal(t_cmd(sib, HMM_DMIRROR_READ, buf, view, 4, &cmd), 0);
	assert_int_equal(cmd.faults, 0);
	assert_int_equal(t_dstats(f->dev[0]).stale_lookups, 1);

	/*
	 * A CPU write brings page 2 back: test_hmm forgets it in mirror 0,
	 * which put it on the device, and the sibling keeps naming the
	 * freed device page.
	 */
	t_store_byte(buf + 2 * PAGE_SIZE, 0x5a);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 1);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_READ, buf, view, 4,
			       &cmd), 0);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_dstats(f->dev[0]).stale_lookups, 1);
	assert_int_equal(t_cmd(sib, HMM_DMIRROR_READ, buf + 2 * PAGE_SIZE,
			       view, 1, &cmd), 0);
	assert_int_equal(t_load_byte(view), 0x5a);
	assert_int_equal(t_dstats(f->dev[0]).stale_lookups, 2);

	dmirror_close(sib);

	/* A lone mirror never parts from test_hmm. */
	t_fill(lone, 4, 20);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV, lone,
			       view, 4, &cmd), 0);
	t_store_byte(lone + PAGE_SIZE, 0x6b);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_SYS, lone,
			       view, 4, &cmd), 0);
	assert_int_equal(cmd.cpages, 3);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_READ, lone, view, 4,
			       &cmd), 0);
	assert_int_equal(t_load_byte(view + PAGE_SIZE), 0x6b);
	assert_int_equal(t_dstats(f->dev[1]).migrate_to_ram, 1);
	assert_int_equal(t_dstats(f->dev[1]).stale_lookups, 0);
}

/* hmm2.snapshot: every kind of permission byte, private variant. */
static void test_snapshot(void **state)
{
	static const unsigned char want[7] = {
		HMM_DMIRROR_PROT_ERROR,
		HMM_DMIRROR_PROT_ERROR,
		HMM_DMIRROR_PROT_ZERO | HMM_DMIRROR_PROT_READ,
		HMM_DMIRROR_PROT_READ,
		HMM_DMIRROR_PROT_WRITE,
		HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL | HMM_DMIRROR_PROT_WRITE,
		HMM_DMIRROR_PROT_NONE,
	};
	struct fx *f = *state;
	unsigned long buf = t_map(f, 7, DEVMIG_PROT_NONE);
	unsigned long out = t_map(f, 1, T_RW);
	unsigned char got[7];
	struct hmm_dmirror_cmd cmd;
	int val = 3, i;

	assert_int_equal(devmig_munmap(f->proc, buf + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(devmig_mprotect(f->proc, buf + 2 * PAGE_SIZE,
					 PAGE_SIZE, DEVMIG_PROT_READ), 0);
	assert_int_equal(devmig_load(buf + 2 * PAGE_SIZE, &val, sizeof(val)),
			 0);
	assert_int_equal(val, 0);
	assert_int_equal(devmig_mprotect(f->proc, buf + 3 * PAGE_SIZE,
					 PAGE_SIZE, T_RW), 0);
	t_fill(buf + 3 * PAGE_SIZE, 1, 3);
	assert_int_equal(devmig_mprotect(f->proc, buf + 3 * PAGE_SIZE,
					 PAGE_SIZE, DEVMIG_PROT_READ), 0);
	assert_int_equal(devmig_mprotect(f->proc, buf + 4 * PAGE_SIZE,
					 3 * PAGE_SIZE, T_RW), 0);
	t_fill(buf + 4 * PAGE_SIZE, 1, 4);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 5 * PAGE_SIZE, out, 1, &cmd), 0);
	assert_int_equal(cmd.cpages, 1);
	assert_int_equal(t_cmd(f->mirror[1], HMM_DMIRROR_MIGRATE_TO_DEV,
			       buf + 6 * PAGE_SIZE, out, 1, &cmd), 0);
	assert_int_equal(cmd.cpages, 1);

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out, 7,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 7);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	for (i = 0; i < 7; i++)
		assert_int_equal(got[i], want[i]);
	/* A snapshot never faults: nothing moved, nothing populated. */
	assert_int_equal(t_kind(f->mm, buf + 6 * PAGE_SIZE), T_DEV_WRITE);
	assert_int_equal(t_dstats(f->dev[1]).migrate_to_ram, 0);
}

/* Never-touched private memory: every page a hole for the device to fill. */
static void test_migrate_holes(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 64, T_RW);
	unsigned long view = t_map(f, 64, T_RW);
	struct hmm_dmirror_cmd cmd;

	/* Never touched: all holes, each gets a fresh zeroed device page. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 64, &cmd), 0);
	assert_int_equal(cmd.cpages, 64);
	assert_int_equal(t_nonzero(view, 64), 0);
	assert_int_equal(t_count_kind(f->mm, buf, 64, T_DEV_WRITE), 64);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_SYS, buf,
			       view, 64, &cmd), 0);
	assert_int_equal(cmd.cpages, 64);
	assert_int_equal(t_nonzero(buf, 64), 0);
}

/*
 * Device memory runs out half way: the pages that got a device page move,
 * the others stay, no data is lost, and the command reports -ENOENT because
 * the mirror does not hold the whole range.
 */
static void test_device_memory_exhausted(void **state)
{
	struct fx *f = *state;
	struct dmirror_device_config cfg = {
		.type = HMM_DMIRROR_MEMORY_DEVICE_PRIVATE,
		.chunk_bytes = 256 * PAGE_SIZE,
		.limit_bytes = 256 * PAGE_SIZE,
	};
	unsigned long buf = t_map(f, 512, T_RW);
	unsigned long view = t_map(f, 512, T_RW);
	struct dmirror_device *small;
	struct dmirror *m;
	struct dmirror_device_stats st;

	assert_int_equal(dmirror_device_create(&cfg, &small), 0);
	assert_int_equal(dmirror_open(small, &m), 0);
	t_fill(buf, 512, 8);
	assert_int_equal(t_cmd(m, HMM_DMIRROR_MIGRATE_TO_DEV, buf, view, 512,
			       NULL), -ENOENT);
	st = t_dstats(small);
	assert_int_equal(st.calloc, 256);
	assert_int_equal(st.in_use, 256);
	assert_int_equal(st.chunks, 1);
	assert_true(st.alloc_failures >= 256);
	assert_int_equal(t_count_kind(f->mm, buf, 512, T_DEV_WRITE), 256);
	assert_int_equal(t_count_kind(f->mm, buf, 512, T_PRESENT), 256);
	assert_invariants();
	assert_int_equal(t_mismatches(buf, 512, 8), 0);
	dmirror_close(m);
	assert_int_equal(t_dstats(small).in_use, 0);
	dmirror_device_destroy(small);
}

/*
 * Injected allocation failures (the driver's should_fail() point): the
 * slot without a page stays in RAM, the others move.
 */
static void test_device_alloc_failure(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 16, T_RW);
	unsigned long view = t_map(f, 16, T_RW);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, 16, 12);
	/* The fourth device page of the command cannot be had. */
	model_fail_nth(MODEL_FAIL_DRIVER, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 16, &cmd), -ENOENT);
	assert_true(model_fail_fired());
	model_fail_reset();
	assert_int_equal(t_count_kind(f->mm, buf, 3, T_DEV_WRITE), 3);
	assert_int_equal(t_count_kind(f->mm, buf + 3 * PAGE_SIZE, 1,
				      T_PRESENT), 1);
	assert_int_equal(t_count_kind(f->mm, buf + 4 * PAGE_SIZE, 12,
				      T_DEV_WRITE), 12);
	assert_settled_anon(t_page(f->mm, buf + 3 * PAGE_SIZE), 1, true);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 15);
	assert_invariants();
	/* A second try completes the job. */
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       view, 16, &cmd), 0);
	assert_int_equal(cmd.cpages, 16);
	assert_int_equal(t_mismatches(view, 16, 12), 0);
	assert_int_equal(t_mismatches(buf, 16, 12), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_migrate),
		FX_TEST(test_device_writes_in_place),
		FX_TEST(test_migrate_to_sys_ioctl),
		FX_TEST(test_migrate_fault),
		FX_TEST(test_migrate_write_fault),
		FX_TEST(test_migrate_multiple),
		FX_TEST(test_anon_read),
		FX_TEST(test_anon_read_prot),
		FX_TEST(test_anon_write),
		FX_TEST(test_anon_write_prot),
		FX_TEST(test_anon_read_multiple),
		FX_TEST(test_mirror_follows_cpu),
		FX_TEST(test_mirror_forgets_departed_pages),
		FX_TEST(test_read_own_device_pages),
		FX_TEST(test_double_map),
		FX_TEST(test_sibling_migration_stale_lookups),
		FX_TEST(test_snapshot),
		FX_TEST(test_migrate_holes),
		FX_TEST(test_device_memory_exhausted),
		FX_TEST(test_device_alloc_failure),
	};

	return T_RUN(tests);
}
