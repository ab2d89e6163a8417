// SPDX-License-Identifier: GPL-2.0
/*
 * model_memory.c - anonymous faults through the software CPU: the zero page
 * on a read, bytes on a write, the accessed and dirty bits, and a CPU
 * waiting on a migration entry.
 */
#include "harness.h"

static void test_read_fault_maps_zero_page(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 2, T_RW), v = 0xdead;
	pte_t pte;

	assert_true(pte_none(t_pte(f->mm, a)));
	assert_int_equal(devmig_load(a, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	pte = t_pte(f->mm, a);
	assert_true(pte_present(pte));
	assert_true(is_zero_pfn(pte_pfn(pte)));
	assert_false(pte_write(pte));
	/* The zero page is not anon memory of this process. */
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 0);

	/* A store replaces it with a private zeroed page. */
	t_store_byte(a + 7, 0x42);
	pte = t_pte(f->mm, a);
	assert_false(is_zero_pfn(pte_pfn(pte)));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	assert_int_equal(t_load_long(a), 0x42UL << 56);
	assert_anon_page(pte_page(pte), 1, true);
	/* The zero page itself was not written. */
	assert_int_equal(*(unsigned long *)page_address(ZERO_PAGE(0)), 0);
	assert_invariants();
}

static void test_write_fault_roundtrip_bytes(void **state)
{
	struct fx *f = *state;
	const unsigned long n = 3 * PAGE_SIZE;
	unsigned long a = t_map(f, 3, T_RW), i;
	unsigned char buf[64];

	/* Byte by byte, through three pages. */
	for (i = 0; i < n; i += 13)
		t_store_byte(a + i, (unsigned char)(i * 7 + 3));
	for (i = 0; i < n; i += 13)
		assert_int_equal(t_load_byte(a + i), (unsigned char)(i * 7 + 3));
	/* Bytes not written read as zero. */
	assert_int_equal(t_load_byte(a + 1), 0);
	/* One access straddling a page boundary. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(0xa0 + i);
	assert_int_equal(devmig_store(a + PAGE_SIZE - 32, buf, sizeof(buf)), 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(devmig_load(a + PAGE_SIZE - 32, buf, sizeof(buf)), 0);
	for (i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], (unsigned char)(0xa0 + i));
	/* The bytes are in the physical pages the PTEs name. */
	assert_int_equal(((unsigned char *)page_address(t_page(f->mm, a)))[13],
			 (unsigned char)(13 * 7 + 3));
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 3);
	/* Outside any VMA: SIGSEGV. */
	assert_int_equal(devmig_load(a + n, buf, 1), -EFAULT);
	assert_int_equal(devmig_store(a - 1, buf, 2), -EFAULT);
	assert_invariants();
}

/* The CPU sets A and D like the hardware walker. */
static void test_cpu_sets_accessed_dirty(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);

	t_store_long(a, 5);
	/* Age and clean it (as reclaim would), flush, then read. */
	t_set_pte(f, a, pte_mkclean(pte_mkold(t_pte(f->mm, a))));
	assert_int_equal(t_load_long(a), 5);
	assert_true(pte_young(t_pte(f->mm, a)));
	assert_false(pte_dirty(t_pte(f->mm, a)));
	/* A store through the clean translation walks again to set D. */
	t_store_long(a, 6);
	assert_true(pte_dirty(t_pte(f->mm, a)));
	assert_int_equal(t_load_long(a), 6);
	assert_invariants();
}

struct waiter {
	struct devmig_proc *proc;
	unsigned long addr;
	unsigned long value;
	int ret;
	int done;
};

static void *waiter_fn(void *arg)
{
	struct waiter *w = arg;

	w->ret = devmig_task_enter(w->proc);
	if (!w->ret)
		w->ret = devmig_load(w->addr, &w->value, sizeof(w->value));
	devmig_task_leave();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_migration_entry_wait(void **state)
{
	struct fx *f = *state;
	unsigned long a = t_map(f, 1, T_RW);
	struct waiter w = { .proc = f->proc, .addr = a };
	struct host_thread th;
	struct folio *folio;
	pte_t old;

	t_store_long(a, 0x5eed);
	folio = page_folio(t_page(f->mm, a));

	/* Half a migration: folio locked, PTE replaced by a migration entry. */
	folio_lock(folio);
	old = t_set_pte(f, a, swp_entry_to_pte(
			make_writable_migration_entry(folio_pfn(folio))));

	assert_int_equal(host_thread_create(&th, waiter_fn, &w), 0);
	/* Asleep on the folio: the access cannot complete. */
	assert_true(t_wait_sleepers(folio, 1));
	assert_int_equal(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE), 0);

	/* Finish the "migration" (restored in place) and wake it. */
	t_set_pte(f, a, old);
	folio_unlock(folio);

	assert_int_equal(host_thread_join(&th, NULL), 0);
	assert_int_equal(w.ret, 0);
	assert_int_equal(w.value, 0x5eed);
	assert_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_read_fault_maps_zero_page),
		FX_TEST_PROC(test_write_fault_roundtrip_bytes),
		FX_TEST_PROC(test_cpu_sets_accessed_dirty),
		FX_TEST_PROC(test_migration_entry_wait),
	};

	return T_RUN(tests);
}
