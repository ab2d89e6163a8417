// SPDX-License-Identifier: GPL-2.0
/*
 * broken_driver.c - two deliberately broken device drivers, for the hung-
 * task detector (model/hung_task.c).  Each hangs a CPU forever; the detector
 * must end the process within DEVMIG_HUNG_TASK_SECS and name the cause
 * (scripts/hang-check.sh runs both and checks the message).
 *
 *   no-fault-page: migrate_to_ram() calls migrate_vma_setup() without
 *	fault_page, so the pin check counts the fault path's reference as a
 *	pin, nothing migrates, and the CPU refaults forever;
 *   no-finalize:   a migration is set up and never finalized, so the CPU
 *	touching the page sleeps on the migration entry forever.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/string.h>
#include <host/host.h>
#include "devmig.h"

#define B_PAGES	16

static struct dev_pagemap b_pgmap;
static unsigned long b_next;

static void b_page_free(struct page *page)
{
	(void)page;
}

/* The broken handler: no .fault_page. */
static vm_fault_t b_migrate_to_ram(struct vm_fault *vmf)
{
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address,
		.end = vmf->address + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = &b_pgmap,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
	};
	struct page *page;

	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	if (src & MIGRATE_PFN_MIGRATE) {
		page = alloc_page(GFP_HIGHUSER);
		lock_page(page);
		dst = migrate_pfn(page_to_pfn(page));
	}
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 0;
}

static const struct dev_pagemap_ops b_ops = {
	.page_free = b_page_free,
	.migrate_to_ram = b_migrate_to_ram,
};

/* Set up a migration of @addr's page to the device; mmap_lock stays held. */
static void b_setup(struct mm_struct *mm, unsigned long addr,
		    struct migrate_vma *args)
{
	struct page *dpage;

	mmap_read_lock(mm);
	args->vma = vma_lookup(mm, addr);
	args->start = addr;
	args->end = addr + PAGE_SIZE;
	args->flags = MIGRATE_VMA_SELECT_SYSTEM;
	args->pgmap_owner = &b_pgmap;
	if (migrate_vma_setup(args) || !(args->src[0] & MIGRATE_PFN_MIGRATE))
		host_abort(__FILE__, __LINE__, "setup selected nothing");
	dpage = pfn_to_page(PHYS_PFN(b_pgmap.range.start) + b_next++);
	zone_device_page_init(dpage);
	args->dst[0] = migrate_pfn(page_to_pfn(dpage));
}

int main(int argc, char **argv)
{
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = { .src = &src, .dst = &dst };
	struct devmig_proc *proc;
	struct resource *res;
	struct mm_struct *mm;
	long addr, v = 42;

	if (argc != 2 || (strcmp(argv[1], "no-fault-page") &&
			  strcmp(argv[1], "no-finalize"))) {
		host_printf("usage: broken_driver no-fault-page|no-finalize\n");
		return 2;
	}
	if (devmig_boot(NULL))
		return 1;
	res = request_free_mem_region(&iomem_resource, B_PAGES * PAGE_SIZE,
				      "broken");
	b_pgmap.type = MEMORY_DEVICE_PRIVATE;
	b_pgmap.range.start = res->start;
	b_pgmap.range.end = res->end;
	b_pgmap.nr_range = 1;
	b_pgmap.ops = &b_ops;
	b_pgmap.owner = &b_pgmap;
	if (IS_ERR(memremap_pages(&b_pgmap, 0)))
		return 1;
	proc = devmig_proc_create();
	mm = devmig_proc_mm(proc);
	addr = devmig_mmap(proc, PAGE_SIZE, DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			   DEVMIG_MAP_PRIVATE);
	devmig_store(addr, &v, sizeof(v));

	b_setup(mm, addr, &args);
	if (!strcmp(argv[1], "no-finalize")) {
		/* The driver forgets migrate_vma_pages() and finalize. */
		mmap_read_unlock(mm);
	} else {
		migrate_vma_pages(&args);
		migrate_vma_finalize(&args);
		mmap_read_unlock(mm);
	}
	/* Hangs: the detector must end the process. */
	devmig_load(addr, &v, sizeof(v));
	host_printf("the access returned: the driver is not broken\n");
	return 0;
}
