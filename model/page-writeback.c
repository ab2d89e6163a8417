// SPDX-License-Identifier: GPL-2.0
/* page-writeback.c - dirtying folios (mm/page-writeback.c). */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/fs.h>

/**
 * folio_mark_dirty() - record that a folio's contents changed
 * @folio: the folio
 *
 * File folios ask their address_space; anon folios just set PG_dirty.
 *
 * Return: true if the folio was not dirty before.
 */
bool folio_mark_dirty(struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);

	if (mapping && mapping->a_ops && mapping->a_ops->dirty_folio)
		return mapping->a_ops->dirty_folio(mapping, folio);
	if (!folio_test_dirty(folio))
		return !folio_test_set_dirty(folio);
	return false;
}

bool set_page_dirty(struct page *page)
{
	return folio_mark_dirty(page_folio(page));
}
