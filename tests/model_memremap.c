// SPDX-License-Identifier: GPL-2.0
/*
 * model_memremap.c - ZONE_DEVICE: memremap_pages() and the life of a
 * device-private page from initialisation to page_free().
 */
#include "harness.h"
#include <linux/ioport.h>

static int t_freed;
static struct page *t_freed_page;

static void t_page_free(struct page *page)
{
	t_freed++;
	t_freed_page = page;
	assert_null(page->mapping);
	assert_int_equal(page_ref_count(page), 0);
}

static vm_fault_t t_migrate_to_ram(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGBUS;
}

static const struct dev_pagemap_ops t_pgmap_ops = {
	.page_free = t_page_free,
	.migrate_to_ram = t_migrate_to_ram,
};

static void test_device_private_page_life(void **state)
{
	struct dev_pagemap *pgmap = host_calloc(1, sizeof(*pgmap));
	struct resource *res = request_free_mem_region(&iomem_resource, 4UL << 20, "t");
	unsigned long pfn, first;
	struct page *page;
	int owner, loglevel;

	(void)state;
	assert_false(IS_ERR(res));
	assert_int_equal(region_intersects(res->start, resource_size(res),
					   IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE),
			 REGION_DISJOINT);
	pgmap->type = MEMORY_DEVICE_PRIVATE;
	pgmap->range.start = res->start;
	pgmap->range.end = res->start + (4UL << 20) - 1;
	pgmap->nr_range = 1;
	pgmap->ops = &t_pgmap_ops;
	/*
	 * No owner: refused with the kernel's warning.  The test expects it:
	 * it is counted and checked, and kept out of the log.
	 */
	loglevel = model_loglevel;
	model_loglevel = -1;
	assert_int_equal(PTR_ERR(memremap_pages(pgmap, 0)), -EINVAL);
	model_loglevel = loglevel;
	t_expect_warn(1, "Missing owner");
	print_message("expected warning (memremap_pages() without an owner): "
		      "counted, not printed\n");
	pgmap->owner = &owner;
	assert_false(IS_ERR(memremap_pages(pgmap, 0)));

	first = PHYS_PFN(res->start);
	for (pfn = first; pfn < first + 1024; pfn++) {
		page = pfn_to_page(pfn);
		assert_true(is_device_private_page(page));
		assert_true(PageReserved(page));
		assert_int_equal(page_ref_count(page), 0);
		assert_ptr_equal(page->pgmap, pgmap);
		assert_true(model_pfn_initialized(pfn));
	}
	assert_int_equal(model_next_initialized_pfn(model_ram_end_pfn), first);
	assert_int_equal(model_next_initialized_pfn(first + 1023), first + 1023);
	assert_ptr_equal(get_dev_pagemap(first + 5, NULL), pgmap);
	put_dev_pagemap(pgmap);

	page = pfn_to_page(first + 7);
	zone_device_page_init(page);
	assert_int_equal(page_ref_count(page), 1);
	assert_true(PageLocked(page));
	/* A free device page cannot be grabbed; an allocated one can. */
	assert_null(folio_get_nontail_page(pfn_to_page(first + 8)));
	unlock_page(page);
	put_page(page);
	assert_int_equal(t_freed, 1);
	assert_ptr_equal(t_freed_page, page);

	memunmap_pages(pgmap);
	assert_false(model_pfn_initialized(first));
	assert_true(model_next_initialized_pfn(first) > first + 1023);
	assert_null(get_dev_pagemap(first, NULL));
	release_mem_region(res->start, resource_size(res));
	host_free(pgmap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_device_private_page_life),
	};

	return T_RUN(tests);
}
