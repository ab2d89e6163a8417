// SPDX-License-Identifier: GPL-2.0
/*
 * scenarios.c - the remaining hmm-tests scenarios the model supports, ported
 * by meaning (private variants): anon_write_child, anon_write_child_shared,
 * migrate_shared, exclusive, exclusive_mprotect, exclusive_cow,
 * hmm_gup_test and hmm_cow_in_device; plus the SIGBUS answer of
 * migrate_to_ram when migrate_vma_setup() refuses the fault.
 *
 * A "child" here is a model process made by devmig_proc_fork(); the test's
 * thread switches into it to act as the child would.
 */
#include "harness.h"

/*
 * hmm.anon_write_child / anon_write_child_shared: the child writes through
 * its own mirror.  Private: copy-on-write keeps the parent's data.  Shared:
 * the parent sees the device's writes.
 */
static void t_write_child(struct fx *f, int flags)
{
	long buf = devmig_mmap(f->proc, T_NPAGES * PAGE_SIZE, T_RW, flags);
	unsigned long src;
	struct devmig_proc *child;
	struct hmm_dmirror_cmd cmd;
	struct dmirror *cm;

	assert_true(buf > 0);
	t_fill(buf, T_NPAGES, 0);
	src = t_scratch(f->proc, T_NPAGES);
	t_fill(src, T_NPAGES, 1000000);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);

	t_switch(child);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	assert_int_equal(dmirror_open(f->dev[0], &cm), 0);
	assert_int_equal(t_cmd(cm, HMM_DMIRROR_WRITE, buf, src, T_NPAGES,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(cmd.faults, 1);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 1000000), 0);
	dmirror_close(cm);
	t_exit_switch(child, f->proc);

	assert_int_equal(t_mismatches(buf, T_NPAGES,
				      flags == DEVMIG_MAP_SHARED ? 1000000 : 0),
			 0);
}

static void test_anon_write_child(void **state)
{
	t_write_child(*state, DEVMIG_MAP_PRIVATE);
}

static void test_anon_write_child_shared(void **state)
{
	t_write_child(*state, DEVMIG_MAP_SHARED);
}

/*
 * hmm.migrate_shared: a shared anonymous mapping is shmem, not an anonymous
 * VMA: its holes are never selected, nothing migrates, -ENOENT.
 */
static void test_migrate_shared(void **state)
{
	struct fx *f = *state;
	long buf = devmig_mmap(f->proc, T_NPAGES * PAGE_SIZE, T_RW,
			       DEVMIG_MAP_SHARED);
	struct hmm_dmirror_cmd cmd;

	assert_true(buf > 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, T_NPAGES), T_NPAGES, &cmd),
			 -ENOENT);
	assert_int_equal(t_dstats(f->dev[0]).calloc, 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_NONE), T_NPAGES);
}

/*
 * hmm.exclusive: the device takes exclusive access; the CPU's first touch
 * of each page revokes it (the entry becomes a present PTE again).
 */
static void test_exclusive(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_EXCLUSIVE, buf, view,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(t_mismatches(view, T_NPAGES, 0), 0);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_DEV_EXCL),
			 T_NPAGES);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE, buf,
			       view, T_NPAGES, NULL), -EPERM);

	t_fill(buf, T_NPAGES, 1);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_PRESENT),
			 T_NPAGES);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_CHECK_EXCLUSIVE, buf,
			       view, T_NPAGES, NULL), 0);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 1), 0);
	assert_settled_anon(t_page(f->mm, buf), 1, true);
}

/* hmm.exclusive_mprotect: read-only after mprotect, device WRITE refused. */
static void test_exclusive_mprotect(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	unsigned long view = t_scratch(f->proc, T_NPAGES);
	struct hmm_dmirror_cmd cmd;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_EXCLUSIVE, buf, view,
			       T_NPAGES, &cmd), 0);
	assert_int_equal(cmd.cpages, T_NPAGES);
	assert_int_equal(devmig_mprotect(f->proc, buf, T_NPAGES * PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_WRITE, buf, view,
			       T_NPAGES, &cmd), -EPERM);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
}

/*
 * hmm.exclusive_cow: fork restores the exclusive entries before copying;
 * parent and child then write their own copies.
 */
static void test_exclusive_cow(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, T_NPAGES, T_RW);
	struct devmig_proc *child;

	t_fill(buf, T_NPAGES, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_EXCLUSIVE, buf,
			       t_scratch(f->proc, T_NPAGES), T_NPAGES, NULL),
			 0);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	assert_int_equal(t_count_kind(f->mm, buf, T_NPAGES, T_DEV_EXCL), 0);

	t_switch(child);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	t_fill(buf, T_NPAGES, 1);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 1), 0);
	t_switch(f->proc);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 0), 0);
	t_fill(buf, T_NPAGES, 2);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 2), 0);
	t_switch(child);
	assert_int_equal(t_mismatches(buf, T_NPAGES, 1), 0);
	t_exit_switch(child, f->proc);
}

/*
 * hmm.hmm_gup_test, private variant: GUP and pins of device-private pages
 * fault them back to system memory first (get, get-fast, pin-fast
 * long-term, pin long-term).
 */
static void test_hmm_gup(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long out = t_scratch(f->proc, 1);
	struct hmm_dmirror_cmd cmd;
	struct page *page;
	unsigned char got[4];
	int i;

	t_fill(buf, 4, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 4), 4, &cmd), 0);
	assert_int_equal(cmd.cpages, 4);

	mmap_read_lock(f->mm);
	assert_int_equal(get_user_pages(buf, 1, FOLL_WRITE, &page), 1);
	mmap_read_unlock(f->mm);
	assert_false(is_zone_device_page(page));
	put_page(page);
	assert_int_equal(get_user_pages_fast(buf + PAGE_SIZE, 1, FOLL_WRITE,
					     &page), 1);
	assert_false(is_zone_device_page(page));
	put_page(page);
	assert_int_equal(pin_user_pages_fast(buf + 2 * PAGE_SIZE, 1,
					     FOLL_WRITE | FOLL_LONGTERM,
					     &page), 1);
	assert_false(is_zone_device_page(page));
	unpin_user_page(page);
	mmap_read_lock(f->mm);
	assert_int_equal(pin_user_pages(buf + 3 * PAGE_SIZE, 1,
					FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	mmap_read_unlock(f->mm);
	assert_false(is_zone_device_page(page));
	unpin_user_page(page);

	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out, 4,
			       &cmd), 0);
	assert_int_equal(cmd.cpages, 4);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(got[i], HMM_DMIRROR_PROT_WRITE);
	assert_int_equal(t_mismatches(buf, 4, 0), 0);
}

/*
 * hmm.hmm_cow_in_device, private variant: fork shares the device pages
 * read-only; the parent's writes bring each page back to RAM (for both
 * processes) and then break copy-on-write.
 */
static void test_hmm_cow_in_device(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 4, T_RW);
	unsigned long out = t_scratch(f->proc, 1);
	struct hmm_dmirror_cmd cmd;
	struct devmig_proc *child;
	struct mm_struct *cmm;
	unsigned char got[4];
	int i;

	t_fill(buf, 4, 0);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 4), 4, &cmd), 0);
	child = devmig_proc_fork(f->proc);
	assert_non_null(child);
	cmm = devmig_proc_mm(child);
	assert_int_equal(t_count_kind(f->mm, buf, 4, T_DEV_READ), 4);
	assert_int_equal(t_count_kind(cmm, buf, 4, T_DEV_READ), 4);

	t_fill(buf, 4, 0);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram, 4);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_SNAPSHOT, buf, out, 4,
			       &cmd), 0);
	assert_int_equal(devmig_load(out, got, sizeof(got)), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(got[i], HMM_DMIRROR_PROT_WRITE);
	/* The child's mapping followed the page to RAM, unshared now. */
	assert_int_equal(t_count_kind(cmm, buf, 4, T_PRESENT), 4);
	assert_ptr_not_equal(t_page(cmm, buf), t_page(f->mm, buf));
	assert_settled_anon(t_page(cmm, buf), 1, true);
	assert_int_equal(t_dstats(f->dev[0]).in_use, 0);
	t_switch(child);
	assert_int_equal(t_mismatches(buf, 4, 0), 0);
	t_exit_switch(child, f->proc);
}

/*
 * migrate_to_ram answers VM_FAULT_SIGBUS when migrate_vma_setup() refuses
 * the fault (here: the VMA became VM_IO); the access gets SIGBUS (-EIO from
 * the software CPU), the entry and the data stay on the device.
 */
static void test_migrate_to_ram_sigbus(void **state)
{
	struct fx *f = *state;
	unsigned long buf = t_map(f, 1, T_RW);
	struct vm_area_struct *vma;
	pte_t before;
	int v;

	t_fill(buf, 1, 44);
	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, buf,
			       t_scratch(f->proc, 1), 1, NULL), 0);
	before = t_pte(f->mm, buf);
	mmap_write_lock(f->mm);
	vma = vma_lookup(f->mm, buf);
	vm_flags_set(vma, VM_IO);
	mmap_write_unlock(f->mm);

	assert_int_equal(devmig_load(buf, &v, sizeof(v)), -EIO);
	assert_int_equal(t_dstats(f->dev[0]).migrate_to_ram_sigbus, 1);
	assert_int_equal(pte_val(t_pte(f->mm, buf)), pte_val(before));
	assert_settled_anon(t_page_of(before), 1, false);

	mmap_write_lock(f->mm);
	vm_flags_clear(vma, VM_IO);
	mmap_write_unlock(f->mm);
	assert_int_equal(t_mismatches(buf, 1, 44), 0);
	assert_int_equal(t_kind(f->mm, buf), T_PRESENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_anon_write_child),
		FX_TEST(test_anon_write_child_shared),
		FX_TEST(test_migrate_shared),
		FX_TEST(test_exclusive),
		FX_TEST(test_exclusive_mprotect),
		FX_TEST(test_exclusive_cow),
		FX_TEST(test_hmm_gup),
		FX_TEST(test_hmm_cow_in_device),
		FX_TEST(test_migrate_to_ram_sigbus),
	};

	return T_RUN(tests);
}
