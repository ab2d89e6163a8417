// SPDX-License-Identifier: GPL-2.0
/*
 * model_rmap.c - reverse mapping on a page mapped by hand: try_to_migrate()
 * and remove_migration_ptes() back to the same or a new folio, a swap-cache
 * folio, pins respected, and the flags folio_migrate_flags() hands over.
 */
#include "harness.h"
#include <model/fail.h>

static void test_rmap_migrate_roundtrip(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	spinlock_t *ptl;
	pte_t *ptep, pte;
	swp_entry_t entry;

	assert_true((long)addr > 0);
	assert_non_null(folio);
	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);

	assert_true(folio_test_anon(folio));
	assert_true(folio_test_swapbacked(folio));
	assert_true(PageAnonExclusive(&folio->page));
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(folio->index, addr >> PAGE_SHIFT);
	assert_ptr_equal(folio_anon_vma(folio), vma_lookup(f->mm, addr)->anon_vma);
	/* The mapping reference is the allocation reference; + the LRU batch. */
	assert_int_equal(folio_ref_count(folio), 2);
	lru_add_drain();
	assert_int_equal(folio_ref_count(folio), 1);
	assert_true(folio_test_lru(folio));

	folio_get(folio);
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_false(folio_mapped(folio));
	assert_int_equal(folio_ref_count(folio), 1);
	assert_int_equal(get_mm_counter(f->mm, MM_ANONPAGES), 1);
	pte = t_pte(f->mm, addr);
	assert_true(is_swap_pte(pte));
	entry = pte_to_swp_entry(pte);
	assert_true(is_writable_migration_entry(entry));
	assert_int_equal(swp_offset_pfn(entry), folio_pfn(folio));
	assert_true(is_migration_entry_dirty(entry));
	/* Shared now: the entry says whether it was exclusive, the page not. */
	assert_false(PageAnonExclusive(&folio->page));
	assert_ptr_equal(pfn_swap_entry_folio(entry), folio);

	remove_migration_ptes(folio, folio, 0);
	pte = t_pte(f->mm, addr);
	assert_true(pte_present(pte));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_int_equal(pte_pfn(pte), folio_pfn(folio));
	assert_int_equal(folio_mapcount(folio), 1);
	assert_int_equal(folio_ref_count(folio), 2);
	assert_true(PageAnonExclusive(&folio->page));
	folio_unlock(folio);
	folio_put(folio);
	mmap_read_unlock(f->mm);
}

/* Migrate the hand-mapped page's identity to a new folio and remap it there. */
static void test_rmap_migrate_to_new_folio(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	unsigned long free_before;
	spinlock_t *ptl;
	pte_t *ptep, pte;

	assert_non_null(src);
	assert_non_null(dst);
	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, src, &ptl);
	pte_unmap_unlock(ptep, ptl);
	memset(folio_address(src), 0x77, PAGE_SIZE);
	lru_add_drain();

	folio_lock(src);
	assert_true(folio_isolate_lru(src));
	try_to_migrate(src, 0);
	assert_false(folio_mapped(src));
	folio_lock(dst);
	/* A stray reference makes the exact count check refuse the move. */
	folio_get(src);
	assert_int_equal(folio_migrate_mapping(NULL, dst, src, 0), -EAGAIN);
	assert_null(dst->mapping);
	folio_put(src);
	assert_int_equal(folio_migrate_mapping(NULL, dst, src, 0), MIGRATEPAGE_SUCCESS);
	folio_migrate_flags(dst, src);
	folio_copy(dst, src);
	assert_ptr_equal(dst->mapping, src->mapping);
	assert_int_equal(dst->index, src->index);
	assert_ptr_equal(folio_memcg(dst), root_mem_cgroup);
	assert_null(folio_memcg(src));
	assert_true(folio_test_uptodate(dst));

	folio_add_lru(dst);
	remove_migration_ptes(src, dst, 0);
	pte = t_pte(f->mm, addr);
	assert_int_equal(pte_pfn(pte), folio_pfn(dst));
	assert_true(pte_write(pte));
	assert_int_equal(folio_mapcount(dst), 1);
	folio_unlock(src);
	free_before = model_nr_free_pages();
	folio_put(src);		/* the isolation reference: the last one */
	assert_int_equal(model_nr_free_pages(), free_before + 1);
	folio_unlock(dst);
	folio_put(dst);
	assert_int_equal(*(unsigned char *)folio_address(dst), 0x77);
	mmap_read_unlock(f->mm);
}

/*
 * A folio in the swap cache: folio_mapping() is the swap cache, its slot
 * moves to the new folio with the cache's reference, and folio_free_swap()
 * then takes it out.
 */
static void test_swap_cache_folio_migrates(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	swp_entry_t entry = swp_entry(1, 0x345);
	struct address_space *mapping;
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, src, &ptl);
	pte_unmap_unlock(ptep, ptl);
	lru_add_drain();
	folio_lock(src);
	assert_int_equal(model_swap_cache_add(src, make_writable_migration_entry(1)), -EINVAL);
	assert_int_equal(model_swap_cache_add(src, entry), 0);
	assert_true(folio_test_swapcache(src));
	mapping = folio_mapping(src);
	assert_ptr_equal(mapping, &swapper_space);
	assert_int_equal(folio_index(src), 0x345);
	assert_int_equal(folio_expected_ref_count(src), 2);	/* cache + map */
	assert_int_equal(folio_ref_count(src), 2);

	assert_true(folio_isolate_lru(src));
	try_to_migrate(src, 0);
	assert_false(folio_mapped(src));
	folio_lock(dst);
	assert_int_equal(folio_migrate_mapping(mapping, dst, src, 0), MIGRATEPAGE_SUCCESS);
	folio_migrate_flags(dst, src);
	assert_ptr_equal(xa_load(&swapper_space.i_pages, 0x345), dst);
	assert_true(folio_test_swapcache(dst));
	assert_false(folio_test_swapcache(src));
	assert_int_equal(folio_ref_count(dst), 2);	/* ours + the cache's */
	assert_int_equal(folio_ref_count(src), 1);	/* the isolation's */
	folio_copy(dst, src);

	folio_add_lru(dst);
	remove_migration_ptes(src, dst, 0);
	folio_unlock(src);
	folio_put(src);
	assert_true(folio_free_swap(dst));
	assert_false(folio_test_swapcache(dst));
	assert_true(folio_test_dirty(dst));
	assert_null(folio_mapping(dst));
	assert_null(xa_load(&swapper_space.i_pages, 0x345));
	assert_false(folio_free_swap(dst));
	folio_unlock(dst);
	folio_put(dst);
	assert_int_equal(folio_ref_count(dst), 2);	/* the mapping + the LRU batch */
	mmap_read_unlock(f->mm);
}

/* A possibly pinned exclusive page keeps its mapping. */
static void test_try_to_migrate_respects_pins(void **state)
{
	struct fx *f = *state;
	unsigned long addr = devmig_mmap(f->proc, PAGE_SIZE, T_RW, DEVMIG_MAP_PRIVATE);
	struct folio *folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	spinlock_t *ptl;
	pte_t *ptep;

	mmap_read_lock(f->mm);
	ptep = map_by_hand(f->mm, addr, folio, &ptl);
	pte_unmap_unlock(ptep, ptl);
	lru_add_drain();
	folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
	assert_true(folio_maybe_dma_pinned(folio));
	folio_lock(folio);
	try_to_migrate(folio, 0);
	assert_true(folio_mapped(folio));
	assert_true(pte_present(t_pte(f->mm, addr)));
	assert_true(PageAnonExclusive(&folio->page));
	folio_unlock(folio);
	folio_ref_sub(folio, GUP_PIN_COUNTING_BIAS);
	mmap_read_unlock(f->mm);
}

/*
 * folio_migrate_flags(): the state flags are copied, active moves (the
 * source loses it), and nothing else appears on the destination.
 */
static void test_folio_migrate_flags(void **state)
{
	struct fx *f = *state;
	struct folio *src = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	struct folio *dst = folio_alloc(GFP_HIGHUSER_MOVABLE, 0);
	const unsigned long copied = (1UL << PG_referenced) | (1UL << PG_uptodate) |
				     (1UL << PG_workingset) | (1UL << PG_checked) |
				     (1UL << PG_mappedtodisk) | (1UL << PG_dirty) |
				     (1UL << PG_young) | (1UL << PG_idle) |
				     (1UL << PG_readahead);
	unsigned long before;

	assert_non_null(src);
	assert_non_null(dst);
	/* The charge moves with the flags (each call moves it once). */
	assert_int_equal(mem_cgroup_charge(src, f->mm, GFP_KERNEL), 0);
	/* As a migration has them: both locked, neither on an LRU. */
	folio_lock(src);
	folio_lock(dst);
	src->flags |= copied | (1UL << PG_active);
	before = dst->flags;
	folio_migrate_flags(dst, src);
	assert_int_equal(dst->flags, before | copied | (1UL << PG_active));
	assert_true((src->flags & copied) == copied);
	assert_false(folio_test_active(src));
	assert_ptr_equal(folio_memcg(dst), root_mem_cgroup);
	assert_null(folio_memcg(src));

	/* From a source with none of them, nothing is set. */
	dst->flags = before;
	src->flags &= ~copied;
	folio_migrate_flags(src, dst);
	folio_migrate_flags(dst, src);
	assert_int_equal(dst->flags, before);
	folio_unlock(src);
	folio_unlock(dst);
	folio_put(src);
	folio_put(dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_rmap_migrate_roundtrip),
		FX_TEST_PROC(test_rmap_migrate_to_new_folio),
		FX_TEST_PROC(test_swap_cache_folio_migrates),
		FX_TEST_PROC(test_try_to_migrate_respects_pins),
		FX_TEST_PROC(test_folio_migrate_flags),
	};

	return T_RUN(tests);
}
