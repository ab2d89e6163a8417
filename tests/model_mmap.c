// SPDX-License-Identifier: GPL-2.0
/*
 * model_mmap.c - mmap, munmap and mprotect of anonymous memory: VMAs, what
 * mprotect does to present PTEs and migration entries, munmap racing a
 * reader.
 */
#include "harness.h"

static void test_mmap_munmap(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 4, T_RW), b;
	unsigned char v;

	/* Bad arguments get the kernel's answers. */
	assert_int_equal(devmig_mmap(f->proc, 0, T_RW, DEVMIG_MAP_PRIVATE),
			 -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, T_RW, 0), -EINVAL);
	assert_int_equal(devmig_munmap(f->proc, a + 1, PAGE_SIZE), -EINVAL);
	assert_int_equal(devmig_mmap(NULL, PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE),
			 -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, 0x10,
				     DEVMIG_MAP_PRIVATE), -EINVAL);
	assert_int_equal(devmig_mmap(f->proc, PAGE_SIZE, T_RW,
				     DEVMIG_MAP_PRIVATE | DEVMIG_MAP_SHARED),
			 -EINVAL);
	assert_int_equal(devmig_task_enter(f->proc), -EBUSY);
	/* Two mappings do not overlap. */
	b = t_map(f, 4, T_RW);
	assert_true(b + 4 * PAGE_SIZE <= a || a + 4 * PAGE_SIZE <= b);

	t_store_byte(a, 1);
	t_store_byte(a + 3 * PAGE_SIZE, 4);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 2);

	/* Punch out the middle: the VMA splits, the ends keep their data. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, 2 * PAGE_SIZE),
			 0);
	assert_int_equal(devmig_load(a + PAGE_SIZE, &v, 1), -EFAULT);
	assert_int_equal(devmig_load(a + 2 * PAGE_SIZE, &v, 1), -EFAULT);
	assert_int_equal(t_load_byte(a), 1);
	assert_int_equal(t_load_byte(a + 3 * PAGE_SIZE), 4);
	mmap_read_lock(f->mm);
	assert_ptr_equal(vma_lookup(f->mm, a + PAGE_SIZE), NULL);
	assert_int_equal(vma_lookup(f->mm, a)->vm_end, a + PAGE_SIZE);
	assert_int_equal(vma_lookup(f->mm, a + 3 * PAGE_SIZE)->vm_start,
			 a + 3 * PAGE_SIZE);
	mmap_read_unlock(f->mm);

	/*
	 * Unmapping all of a PMD range frees its page table too (2 MiB
	 * mappings are PMD aligned, so no neighbour shares the table).
	 */
	{
		unsigned long c = t_map(f, PTRS_PER_PTE, T_RW);
		long before;

		t_store_byte(c, 9);
		before = atomic_long_read(&f->mm->pgtables_bytes);
		assert_int_equal(c & ~PMD_MASK, 0);
		assert_int_equal(devmig_munmap(f->proc, c, PMD_SIZE), 0);
		assert_true(atomic_long_read(&f->mm->pgtables_bytes) < before);
		assert_true(pte_none(t_pte(f->mm, c)));
	}

	/* Unmapping the last page frees it and its RSS. */
	assert_int_equal(devmig_munmap(f->proc, a + 3 * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_int_equal(devmig_store(a + 3 * PAGE_SIZE, &v, 1), -EFAULT);
	/* Unmapping a hole is fine. */
	assert_int_equal(devmig_munmap(f->proc, a + PAGE_SIZE, PAGE_SIZE), 0);
	assert_invariants();
}

static void test_mprotect_readonly_store_faults(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 3, T_RW);
	struct devmig_task_stats st0, st1;
	int n;

	t_store_long(a, 0x1111);
	t_store_long(a + PAGE_SIZE, 0x2222);
	t_store_long(a + 2 * PAGE_SIZE, 0x3333);

	/* Read-only middle page: stores fail (SIGSEGV), loads still work. */
	assert_int_equal(devmig_mprotect(f->proc, a + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	assert_false(pte_write(t_pte(f->mm, a + PAGE_SIZE)));
	devmig_task_stats(&st0);
	assert_int_equal(devmig_store(a + PAGE_SIZE, &st0, 1), -EFAULT);
	devmig_task_stats(&st1);
	/* It was a real fault: the TLB translation was flushed by mprotect. */
	assert_true(st1.faults > st0.faults);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x2222);
	/* The pieces of the split share the anon_vma their pages point to. */
	mmap_read_lock(f->mm);
	assert_non_null(vma_lookup(f->mm, a)->anon_vma);
	assert_ptr_equal(vma_lookup(f->mm, a + 2 * PAGE_SIZE)->anon_vma,
			 vma_lookup(f->mm, a)->anon_vma);
	assert_ptr_equal(folio_anon_vma(page_folio(t_page(f->mm, a + 2 * PAGE_SIZE))),
			 vma_lookup(f->mm, a + 2 * PAGE_SIZE)->anon_vma);
	mmap_read_unlock(f->mm);
	/* Neighbours keep write access. */
	t_store_long(a, 0x4444);
	t_store_long(a + 2 * PAGE_SIZE, 0x5555);

	/* PROT_NONE: even loads fault. */
	assert_int_equal(devmig_mprotect(f->proc, a + PAGE_SIZE, PAGE_SIZE,
					 DEVMIG_PROT_NONE), 0);
	assert_int_equal(devmig_load(a + PAGE_SIZE, &st0, 1), -EFAULT);

	/* Writable again: the data survived, stores work. */
	n = f->mm->map_count;
	assert_int_equal(devmig_mprotect(f->proc, a, 3 * PAGE_SIZE, T_RW), 0);
	/* ... and the three pieces are one VMA again. */
	assert_int_equal(f->mm->map_count, n - 2);
	mmap_read_lock(f->mm);
	assert_int_equal(vma_lookup(f->mm, a)->vm_end, a + 3 * PAGE_SIZE);
	mmap_read_unlock(f->mm);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x2222);
	t_store_long(a + PAGE_SIZE, 0x6666);
	assert_int_equal(t_load_long(a + PAGE_SIZE), 0x6666);
	assert_int_equal(t_load_long(a), 0x4444);

	/*
	 * A hole in the range: -ENOMEM, but as in Linux the mapped run before
	 * the hole has changed; a range that starts in the hole changes
	 * nothing.
	 */
	assert_int_equal(devmig_munmap(f->proc, a + 2 * PAGE_SIZE, PAGE_SIZE),
			 0);
	assert_int_equal(devmig_mprotect(f->proc, a + 2 * PAGE_SIZE,
					 PAGE_SIZE, DEVMIG_PROT_READ), -ENOMEM);
	t_store_long(a, 0x7777);
	assert_int_equal(devmig_mprotect(f->proc, a, 3 * PAGE_SIZE,
					 DEVMIG_PROT_READ), -ENOMEM);
	assert_int_equal(devmig_store(a, &st0, 1), -EFAULT);
	assert_int_equal(devmig_store(a + PAGE_SIZE, &st0, 1), -EFAULT);
	assert_int_equal(t_load_long(a), 0x7777);
	assert_invariants();
}

/*
 * mprotect to read-only takes write permission from migration entries (an
 * mprotect that changes nothing leaves them alone, as it does in Linux).
 */
static void test_mprotect_migration_entry(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct folio *folio;
	swp_entry_t entry;
	pte_t saved;

	t_store_long(a, 1);
	/*
	 * Plant a writable migration entry by hand (folio locked, as a
	 * migration would), mprotect, and look: it must be readable-exclusive.
	 */
	folio = page_folio(t_page(f->mm, a));
	folio_lock(folio);
	saved = t_set_pte(f, a, swp_entry_to_pte(
			make_writable_migration_entry(folio_pfn(folio))));

	assert_int_equal(devmig_mprotect(f->proc, a, PAGE_SIZE, T_RW), 0);
	entry = pte_to_swp_entry(t_pte(f->mm, a));
	assert_true(is_writable_migration_entry(entry));
	assert_int_equal(devmig_mprotect(f->proc, a, PAGE_SIZE,
					 DEVMIG_PROT_READ), 0);
	entry = pte_to_swp_entry(t_pte(f->mm, a));
	assert_true(is_migration_entry(entry));
	assert_false(is_writable_migration_entry(entry));
	assert_true(is_readable_exclusive_migration_entry(entry));

	/* Put the PTE back as it was, read-only now. */
	t_set_pte(f, a, pte_wrprotect(saved));
	folio_unlock(folio);
	assert_int_equal(t_load_long(a), 1);
	assert_invariants();
}

/*
 * munmap while another CPU keeps reading: it sees the old bytes or a
 * SIGSEGV, never the bytes of whatever reuses the freed pages (the pages
 * are freed only after the TLB flush that waits for its access).
 */
struct reader {
	struct devmig_proc *proc;
	unsigned long addr;
	int stop;
	int bad;
	int faults;
	int reads;
	int ret;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	unsigned long v;

	r->ret = devmig_task_enter(r->proc);
	if (r->ret)
		return NULL;
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		int ret = devmig_load(r->addr, &v, sizeof(v));

		if (ret == -EFAULT)
			__atomic_fetch_add(&r->faults, 1, __ATOMIC_RELEASE);
		else if (ret || v != 0x01d0)
			r->bad++;
		else
			__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELEASE);
	}
	devmig_task_leave();
	return NULL;
}

static void test_munmap_races_reader(void **state)
{
	struct fx *f = *state;
	struct reader r = { .proc = f->proc };
	struct host_thread th;
	unsigned long a, b, i;
	int n;

	/* A neighbour keeps the page table alive: only the zap flushes. */
	a = t_map(f, 2, T_RW) + PAGE_SIZE;
	t_store_long(a - PAGE_SIZE, 1);
	t_store_long(a, 0x01d0);
	r.addr = a;
	assert_int_equal(host_thread_create(&th, reader_fn, &r), 0);
	assert_true(t_wait_flag(&r.reads));
	assert_int_equal(devmig_munmap(f->proc, a, PAGE_SIZE), 0);
	/* Keep the address itself from being reused: PROT_NONE there. */
	assert_int_equal(t_map(f, 1, DEVMIG_PROT_NONE), a);
	/* Reuse freed pages: fill many new ones with something else. */
	for (n = 0; n < 4; n++) {
		b = t_map(f, 64, T_RW);
		for (i = 0; i < 64; i++)
			t_store_long(b + i * PAGE_SIZE, 0xbad);
	}
	/* Let it read on until it has seen the hole at least once. */
	assert_true(t_wait_flag(&r.faults));
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(r.ret, 0);
	assert_int_equal(r.bad, 0);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_mmap_munmap),
		FX_TEST_PROC(test_mprotect_readonly_store_faults),
		FX_TEST_PROC(test_mprotect_migration_entry),
		FX_TEST_PROC(test_munmap_races_reader),
	};

	return T_RUN(tests);
}
