// SPDX-License-Identifier: GPL-2.0
/*
 * model_swapops.c - the x86-64 encodings of page-table entries: every swap
 * entry type through a PTE and back, the special-entry predicates, the A/D
 * bits of migration entries, the bits of present PTEs.
 */
#include "harness.h"

static void test_swap_entry_roundtrip_every_type(void **state)
{
	static const unsigned long offsets[] = {
		0, 1, 0x12345, SWP_PFN_MASK, SWP_PFN_MASK | SWP_MIG_YOUNG | SWP_MIG_DIRTY,
		(1UL << 50) - 2,
	};
	unsigned int type;
	size_t i;

	(void)state;
	/*
	 * The top offset is left out: its complement is zero, so with type 0
	 * the entry would encode as an empty PTE.  Swap-size limits keep real
	 * offsets below it.
	 */
	assert_true(pte_none(swp_entry_to_pte(swp_entry(0, (1UL << 50) - 1))));
	for (type = 0; type < 32; type++) {
		for (i = 0; i < ARRAY_SIZE(offsets); i++) {
			swp_entry_t e = swp_entry(type, offsets[i]), back;
			pte_t pte = swp_entry_to_pte(e);
			unsigned long raw = pte_val(pte);

			assert_int_equal(swp_type(e), type);
			assert_int_equal(swp_offset(e), offsets[i]);
			/* Type in bits 59-63, complemented offset in 9-58. */
			assert_int_equal(raw >> 59, type);
			assert_int_equal((~raw >> 9) & ((1UL << 50) - 1), offsets[i]);
			assert_int_equal(raw & (_PAGE_PRESENT | _PAGE_PSE | _PAGE_PROTNONE), 0);
			assert_false(pte_present(pte));
			assert_false(pte_none(pte));
			assert_true(is_swap_pte(pte));
			back = pte_to_swp_entry(pte);
			assert_int_equal(back.val, e.val);
			/* Software bits ride along without changing the entry. */
			pte = pte_swp_mksoft_dirty(pte_swp_mkuffd_wp(pte_swp_mkexclusive(pte)));
			assert_true(pte_swp_soft_dirty(pte));
			assert_true(pte_swp_uffd_wp(pte));
			assert_true(pte_swp_exclusive(pte));
			assert_int_equal(pte_val(pte) & 0xe, 0xe);
			assert_int_equal(pte_to_swp_entry(pte).val, e.val);
		}
	}
	assert_int_equal(MAX_SWAPFILES, 23);
	assert_int_equal(SWP_HWPOISON, 23);
	assert_int_equal(SWP_MIGRATION_READ, 24);
	assert_int_equal(SWP_MIGRATION_READ_EXCLUSIVE, 25);
	assert_int_equal(SWP_MIGRATION_WRITE, 26);
	assert_int_equal(SWP_DEVICE_WRITE, 27);
	assert_int_equal(SWP_DEVICE_READ, 28);
	assert_int_equal(SWP_DEVICE_EXCLUSIVE_WRITE, 29);
	assert_int_equal(SWP_DEVICE_EXCLUSIVE_READ, 30);
	assert_int_equal(SWP_PTE_MARKER, 31);
	assert_int_equal(SWP_PFN_BITS, 34);
}

static void test_special_entry_predicates(void **state)
{
	unsigned long pfn = 0x2345678;
	swp_entry_t w = make_writable_migration_entry(pfn);
	swp_entry_t r = make_readable_migration_entry(pfn);
	swp_entry_t x = make_readable_exclusive_migration_entry(pfn);
	swp_entry_t dw = make_writable_device_private_entry(pfn);
	swp_entry_t dr = make_readable_device_private_entry(pfn);
	swp_entry_t ew = make_writable_device_exclusive_entry(pfn);

	(void)state;
	assert_true(is_migration_entry(w) && is_writable_migration_entry(w));
	assert_true(is_migration_entry(r) && is_readable_migration_entry(r));
	assert_true(is_readable_exclusive_migration_entry(x));
	assert_false(is_writable_migration_entry(x) || is_readable_migration_entry(x));
	assert_true(is_device_private_entry(dw) && is_writable_device_private_entry(dw));
	assert_true(is_device_private_entry(dr) && !is_writable_device_private_entry(dr));
	assert_false(is_device_private_entry(w) || is_migration_entry(dw));
	assert_true(is_device_exclusive_entry(ew) && is_writable_device_exclusive_entry(ew));
	assert_true(non_swap_entry(w) && non_swap_entry(dw) && !non_swap_entry(swp_entry(3, 9)));
	assert_true(is_pfn_swap_entry(dr) && !is_pfn_swap_entry(swp_entry(3, 9)));
	assert_int_equal(swp_offset_pfn(w), pfn);
	assert_int_equal(swp_offset_pfn(pte_to_swp_entry(swp_entry_to_pte(dr))), pfn);
	assert_true(is_pte_marker(make_pte_marker(PTE_MARKER_UFFD_WP)));
	assert_int_equal(pte_marker_get(make_pte_marker_entry(PTE_MARKER_POISONED)),
			 PTE_MARKER_POISONED);
}

static void test_migration_entry_ad_bits(void **state)
{
	bool saved = swap_migration_ad_supported;
	swp_entry_t e;

	(void)state;
	swap_migration_ad_supported = true;
	e = make_migration_entry_dirty(make_migration_entry_young(
		make_writable_migration_entry(0x1234)));
	assert_true(is_migration_entry_young(e));
	assert_true(is_migration_entry_dirty(e));
	assert_int_equal(swp_offset_pfn(e), 0x1234);
	e = pte_to_swp_entry(swp_entry_to_pte(e));
	assert_true(is_migration_entry_young(e) && is_migration_entry_dirty(e));
	assert_true(is_writable_migration_entry(e));

	/* Switched off (L1TF-limited swap size): nothing is recorded. */
	swap_migration_ad_supported = false;
	e = make_migration_entry_dirty(make_migration_entry_young(
		make_writable_migration_entry(0x1234)));
	assert_false(is_migration_entry_young(e));
	assert_false(is_migration_entry_dirty(e));
	assert_int_equal(swp_offset(e), 0x1234);
	swap_migration_ad_supported = saved;
}

static void test_present_pte_bits(void **state)
{
	unsigned long pfn = 0x1abcd;
	pte_t pte = pfn_pte(pfn, PAGE_COPY), none_pte;

	(void)state;
	assert_true(pte_present(pte));
	assert_false(pte_write(pte));
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal((pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT, pfn);
	pte = pte_mkwrite(pte_mkdirty(pte), NULL);
	assert_true(pte_write(pte) && pte_dirty(pte) && pte_soft_dirty(pte));
	pte = pte_mkuffd_wp(pte);
	assert_true(pte_uffd_wp(pte));
	assert_false(pte_write(pte));
	assert_int_equal(pte_val(pte_mkold(pte_mkyoung(pte))) & _PAGE_ACCESSED, 0);
	assert_int_equal(pte_val(pte) & (1UL << 11), 1UL << 11);	/* soft-dirty: bit 11 */
	assert_int_equal(pte_val(pte) & (1UL << 10), 1UL << 10);	/* uffd-wp: bit 10 */

	/* PROT_NONE: present to the kernel, frame stored inverted (L1TF). */
	none_pte = pfn_pte(pfn, PAGE_NONE);
	assert_true(pte_present(none_pte));
	assert_true(pte_protnone(none_pte));
	assert_int_equal(pte_pfn(none_pte), pfn);
	assert_int_equal((~pte_val(none_pte) & PTE_PFN_MASK) >> PAGE_SHIFT, pfn);
	/* pte_modify() across the line re-inverts the frame. */
	assert_int_equal(pte_pfn(pte_modify(none_pte, PAGE_SHARED)), pfn);
	assert_int_equal(pte_pfn(pte_modify(pte, PAGE_NONE)), pfn);
	assert_true(pte_none(__pte(_PAGE_DIRTY | _PAGE_ACCESSED)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_swap_entry_roundtrip_every_type),
		FX_TEST_PROC(test_special_entry_predicates),
		FX_TEST_PROC(test_migration_entry_ad_bits),
		FX_TEST_PROC(test_present_pte_bits),
	};

	return T_RUN(tests);
}
