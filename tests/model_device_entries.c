// SPDX-License-Identifier: GPL-2.0
/*
 * model_device_entries.c - what the process side does with device memory,
 * the mirror device acting as the driver: CPU faults on device-private
 * entries (the handler called once, SIGBUS when it cannot migrate), fork
 * sharing them, device-exclusive entries, and device-coherent pages mapped
 * in place.
 */
#include "harness.h"

/*
 * Move @n pages at @addr to device 0 through the mirror; all must go.  The
 * buffer the command writes its view to is unmapped again, so the
 * process's counters count the test's pages only.
 */
static void d_to_device(struct fx *f, unsigned long addr, unsigned long n)
{
	unsigned long view = t_scratch(f->proc, n);
	struct hmm_dmirror_cmd cmd;

	assert_int_equal(t_cmd(f->mirror[0], HMM_DMIRROR_MIGRATE_TO_DEV, addr,
			       view, n, &cmd), 0);
	assert_int_equal(cmd.cpages, n);
	assert_int_equal(devmig_munmap(f->proc, view, n << PAGE_SHIFT), 0);
}

/* The mirror's counters since @base: handler calls and device pages freed. */
static unsigned long d_calls(struct fx *f, struct dmirror_device_stats *base)
{
	return t_dstats(f->dev[0]).migrate_to_ram - base->migrate_to_ram;
}

static unsigned long d_frees(struct fx *f, struct dmirror_device_stats *base)
{
	return t_dstats(f->dev[0]).cfree - base->cfree;
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
 * the driver; the mmap_lock attempt calls it once (holding one extra
 * reference, which the handler's migration must account for to succeed);
 * the access then completes against a system page.
 */
static void test_device_private_fault(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW);
	struct devmig_task_stats st0, st1;
	struct dmirror_device_stats base;
	struct page *dpage;

	t_store_long(a, 0xfeed);
	t_store_long(a + PAGE_SIZE, 0xbeef);
	d_to_device(f, a, 2);
	base = t_dstats(f->dev[0]);
	assert_true(is_dev_entry(f->mm, a, true));
	dpage = dev_entry_page(f->mm, a);
	assert_int_equal(page_ref_count(dpage), 1);
	assert_int_equal(page_mapcount(dpage), 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);
	assert_invariants();

	devmig_task_stats(&st0);
	assert_int_equal(t_load_long(a), 0xfeed);
	devmig_task_stats(&st1);
	assert_int_equal(d_calls(f, &base), 1);
	assert_int_equal(st1.faults, st0.faults + 1);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_int_equal(d_frees(f, &base), 1);
	assert_int_equal(page_ref_count(dpage), 0);
	/* The other page is still on the device. */
	assert_true(is_dev_entry(f->mm, a + PAGE_SIZE, true));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);
	assert_invariants();

	/* The checker notices an entry naming a page that is free. */
	dpage = dev_entry_page(f->mm, a + PAGE_SIZE);
	atomic_set(&dpage->_refcount, 0);
	t_expect_violations(0, "free page");
	atomic_set(&dpage->_refcount, 1);
	assert_invariants();

	/* munmap of a device-private entry frees the device page. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(d_frees(f, &base), 2);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_invariants();
}

/*
 * A driver that cannot migrate: the mirror's pages answer every fault with
 * SIGBUS for the length of the test (its dev_pagemap's migrate_to_ram
 * replaced by one that counts and refuses).
 */
static int d_sigbus_calls;

static vm_fault_t d_sigbus(struct vm_fault *vmf)
{
	(void)vmf;
	d_sigbus_calls++;
	return VM_FAULT_SIGBUS;
}

/* A driver that cannot migrate: SIGBUS for the CPU, -EFAULT for GUP/HMM. */
static void test_device_private_sigbus(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW), pfns[1];
	static struct dev_pagemap_ops sigbus_ops;
	const struct dev_pagemap_ops *ops;
	struct dmirror_device_stats base;
	struct t_mni t = { 0 };
	struct page *page, *dpage;
	pte_t before;

	t_store_long(a, 0xabc);
	d_to_device(f, a, 1);
	base = t_dstats(f->dev[0]);
	dpage = dev_entry_page(f->mm, a);
	before = t_pte(f->mm, a);
	ops = dpage->pgmap->ops;
	sigbus_ops = *ops;
	sigbus_ops.migrate_to_ram = d_sigbus;
	d_sigbus_calls = 0;
	dpage->pgmap->ops = &sigbus_ops;
	assert_int_equal(devmig_load(a, pfns, sizeof(pfns[0])), -EIO);
	assert_int_equal(d_sigbus_calls, 1);
	assert_true(pte_same(t_pte(f->mm, a), before));
	assert_int_equal(page_ref_count(dpage), 1);
	assert_int_equal(get_user_pages(a, 1, 0, &page), -EFAULT);
	assert_int_equal(d_sigbus_calls, 2);

	assert_int_equal(mmu_interval_notifier_insert(&t.mni, f->mm, a,
						      PAGE_SIZE, &t_mni_ops), 0);
	/* The owner sees its own page without any fault. */
	{
		struct hmm_range range = {
			.notifier = &t.mni, .start = a, .end = a + PAGE_SIZE,
			.hmm_pfns = pfns, .default_flags = HMM_PFN_REQ_FAULT,
			.dev_private_owner = dmirror_device_owner(f->dev[0]),
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
	assert_int_equal(d_sigbus_calls, 3);
	mmu_interval_notifier_remove(&t.mni);

	/* Once the driver can migrate again, the data comes back. */
	dpage->pgmap->ops = ops;
	assert_int_equal(t_load_long(a), 0xabc);
	assert_int_equal(d_calls(f, &base), 1);
	assert_int_equal(d_frees(f, &base), 1);
	assert_invariants();
}

/* Fork shares device-private pages read-only. */
static void test_fork_device_private(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct devmig_proc *child;
	struct mm_struct *cmm;
	struct dmirror_device_stats base;
	struct page *dpage;

	t_store_long(a, 0x600d);
	d_to_device(f, a, 1);
	base = t_dstats(f->dev[0]);
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
	t_switch(child);
	t_store_long(a, 0xc41d);
	assert_int_equal(d_calls(f, &base), 1);
	t_switch(f->proc);
	assert_true(pte_present(t_pte(f->mm, a)));
	assert_int_equal(t_load_long(a), 0x600d);
	assert_ptr_not_equal(t_page(f->mm, a), t_page(cmm, a));
	assert_int_equal(d_frees(f, &base), 1);
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

static void t_make_exclusive(struct fx *f, unsigned long a, void *owner)
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
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW);
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
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW);
	struct devmig_proc *child;
	struct page *dpage, *pinned;
	struct devmig_task_stats st0, st1;
	struct dmirror_device_stats base;

	t_store_long(a, 0xc0de);
	t_store_long(a + PAGE_SIZE, 0xface);
	d_to_device(f, a, 2);
	base = t_dstats(f->dev[0]);
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
	assert_int_equal(d_frees(f, &base), 1);

	/* FOLL_LONGTERM: page 1 leaves device memory before it is pinned. */
	dpage = t_page(f->mm, a + PAGE_SIZE);
	assert_true(is_device_coherent_page(dpage));
	assert_int_equal(pin_user_pages(a + PAGE_SIZE, 1,
					FOLL_WRITE | FOLL_LONGTERM, &pinned), 1);
	assert_false(is_zone_device_page(pinned));
	assert_ptr_equal(t_page(f->mm, a + PAGE_SIZE), pinned);
	assert_int_equal(*(unsigned long *)page_address(pinned), 0xface);
	assert_int_equal(d_frees(f, &base), 2);
	unpin_user_page(pinned);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0xface);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST(test_device_private_fault),
		FX_TEST(test_device_private_sigbus),
		FX_TEST(test_fork_device_private),
		FX_TEST(test_device_exclusive_entry),
		FX_TEST_COHERENT(test_device_coherent),
	};

	return T_RUN(tests);
}
