// SPDX-License-Identifier: GPL-2.0
/*
 * bench_dev.c - the bench's device driver: a device-private pgmap, device
 * memory to hold its pages' bytes, and migration by the kernel API with one
 * copy per page (or none), nothing else.  Kernel-side code: the kernel
 * API only.  See bench_dev.h.
 *
 * Unlike the mirror device (drivers/dmirror.c) it keeps no device page
 * table, registers no notifier and hands nothing back to the caller, so
 * what it costs beyond the copy is what migrate_vma_*() and the mm cost.
 */
#include <linux/mm.h>
#include <linux/highmem.h>
#include <linux/ioport.h>
#include <linux/memremap.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "bench_dev.h"

/* Pages per migrate_vma_setup() call: one PMD's worth. */
#define BENCH_DEV_PIECE		512UL
/* A CPU's free list passes pages to the shared one beyond this many. */
#define BENCH_DEV_CPU_HIGH	(4 * BENCH_DEV_PIECE)

/* Free device pages, chained through zone_device_data. */
struct bench_dev_free {
	spinlock_t lock;
	struct page *first;
	unsigned long nr;
} ____cacheline_aligned_in_smp;

struct bench_dev {
	struct dev_pagemap pgmap;
	struct resource *res;
	unsigned long first_pfn;
	unsigned long npages;
	unsigned char *mem;		/* device memory, a page per pfn */
	bool copy;
	atomic_long_t faults;

	/*
	 * A page is freed to its CPU's list and taken from there first, as a
	 * driver's allocator keeps per-CPU caches: two CPUs migrating at once
	 * then share no lock and no struct page.  The shared list holds the
	 * pages no CPU has cached, and what a CPU's list has beyond its high
	 * mark.
	 */
	struct bench_dev_free shared;
	struct bench_dev_free cpu[NR_CPUS];
};

static struct bench_dev *page_to_bdev(struct page *page)
{
	return container_of(page->pgmap, struct bench_dev, pgmap);
}

static void *bench_dev_mem(struct bench_dev *bdev, struct page *dpage)
{
	return bdev->mem + ((page_to_pfn(dpage) - bdev->first_pfn) << PAGE_SHIFT);
}

/* Move up to @n pages from @from to the front of the chain *@head (locked). */
static unsigned long free_list_move(struct bench_dev_free *from,
				    struct page **head, unsigned long n)
{
	unsigned long got = 0;

	while (got < n && from->first) {
		struct page *page = from->first;

		from->first = page->zone_device_data;
		page->zone_device_data = *head;
		*head = page;
		got++;
	}
	from->nr -= got;
	return got;
}

static unsigned long free_list_take(struct bench_dev_free *from,
				    struct page **head, unsigned long n)
{
	unsigned long got;

	spin_lock(&from->lock);
	got = free_list_move(from, head, n);
	spin_unlock(&from->lock);
	return got;
}

/*
 * Take @n free device pages (fewer if the device has fewer), chained
 * through zone_device_data: this CPU's first, then the shared list's, then
 * what other CPUs have cached.
 */
static struct page *bench_dev_take(struct bench_dev *bdev, unsigned long n)
{
	int this_cpu = raw_smp_processor_id(), cpu;
	struct page *head = NULL;

	n -= free_list_take(&bdev->cpu[this_cpu], &head, n);
	if (n)
		n -= free_list_take(&bdev->shared, &head, n);
	for (cpu = 0; n && cpu < NR_CPUS; cpu++)
		if (cpu != this_cpu)
			n -= free_list_take(&bdev->cpu[cpu], &head, n);
	return head;
}

static void bench_dev_page_free(struct page *page)
{
	struct bench_dev *bdev = page_to_bdev(page);
	struct bench_dev_free *list = &bdev->cpu[raw_smp_processor_id()];

	spin_lock(&list->lock);
	page->zone_device_data = list->first;
	list->first = page;
	if (++list->nr > BENCH_DEV_CPU_HIGH) {
		/*
		 * A piece's worth to the shared list, moved under both locks
		 * (this CPU's, then the shared one's; a taker holds one at a
		 * time) so that no taker can miss pages in flight.
		 */
		spin_lock(&bdev->shared.lock);
		bdev->shared.nr += free_list_move(list, &bdev->shared.first,
						  BENCH_DEV_PIECE);
		spin_unlock(&bdev->shared.lock);
	}
	spin_unlock(&list->lock);
}

static unsigned long count_selected(const struct migrate_vma *args)
{
	unsigned long i, n = 0;

	for (i = 0; i < args->npages; i++)
		n += !!(args->src[i] & MIGRATE_PFN_MIGRATE);
	return n;
}

/* One device page per selected system page, holding a copy of it. */
static void fill_device_dst(struct bench_dev *bdev, struct migrate_vma *args)
{
	struct page *dpage = bench_dev_take(bdev, count_selected(args));
	unsigned long i;

	for (i = 0; i < args->npages && dpage; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *next = dpage->zone_device_data;

		if (!(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage->zone_device_data = NULL;
		zone_device_page_init(dpage);
		if (bdev->copy && spage)
			copy_page(bench_dev_mem(bdev, dpage), page_address(spage));
		else if (bdev->copy)
			clear_page(bench_dev_mem(bdev, dpage));
		args->dst[i] = migrate_pfn(page_to_pfn(dpage)) |
			       (args->src[i] & MIGRATE_PFN_WRITE);
		dpage = next;
	}
}

/* One new system page per selected device page, holding a copy of it. */
static void fill_system_dst(struct bench_dev *bdev, struct migrate_vma *args)
{
	unsigned long i;

	for (i = 0; i < args->npages; i++) {
		struct page *spage = migrate_pfn_to_page(args->src[i]);
		struct page *dpage;

		if (!spage || !(args->src[i] & MIGRATE_PFN_MIGRATE))
			continue;
		dpage = alloc_page_vma(GFP_HIGHUSER_MOVABLE, args->vma,
				       args->start + (i << PAGE_SHIFT));
		if (!dpage)
			continue;
		lock_page(dpage);
		if (bdev->copy)
			copy_page(page_address(dpage), bench_dev_mem(bdev, spage));
		args->dst[i] = migrate_pfn(page_to_pfn(dpage)) |
			       (args->src[i] & MIGRATE_PFN_WRITE);
	}
}

static long bench_dev_migrate(struct bench_dev *bdev, unsigned long start,
			      unsigned long npages, bool to_device)
{
	struct mm_struct *mm = current->mm;
	unsigned long end = start + (npages << PAGE_SHIFT);
	unsigned long src[BENCH_DEV_PIECE], dst[BENCH_DEV_PIECE];
	unsigned long addr, next;
	long done = 0;
	int ret = 0;

	if (!mm)
		return -EINVAL;
	mmap_read_lock(mm);
	for (addr = start; addr < end; addr = next) {
		struct vm_area_struct *vma = vma_lookup(mm, addr);
		struct migrate_vma args = {
			.src = src,
			.dst = dst,
			.pgmap_owner = bdev,
			.flags = to_device ? MIGRATE_VMA_SELECT_SYSTEM :
					     MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		};

		if (!vma) {
			ret = -EFAULT;
			break;
		}
		next = min(end, addr + (BENCH_DEV_PIECE << PAGE_SHIFT));
		next = min(next, vma->vm_end);
		args.vma = vma;
		args.start = addr;
		args.end = next;
		ret = migrate_vma_setup(&args);
		if (ret)
			break;
		if (to_device)
			fill_device_dst(bdev, &args);
		else
			fill_system_dst(bdev, &args);
		migrate_vma_pages(&args);
		done += count_selected(&args);
		migrate_vma_finalize(&args);
	}
	mmap_read_unlock(mm);
	return ret ? ret : done;
}

long bench_dev_to_device(struct bench_dev *bdev, unsigned long addr,
			 unsigned long npages)
{
	return bench_dev_migrate(bdev, addr, npages, true);
}

long bench_dev_to_system(struct bench_dev *bdev, unsigned long addr,
			 unsigned long npages)
{
	return bench_dev_migrate(bdev, addr, npages, false);
}

/* The CPU touched one of our pages: bring that page back. */
static vm_fault_t bench_dev_migrate_to_ram(struct vm_fault *vmf)
{
	struct bench_dev *bdev = page_to_bdev(vmf->page);
	unsigned long src = 0, dst = 0;
	struct migrate_vma args = {
		.vma = vmf->vma,
		.start = vmf->address & PAGE_MASK,
		.end = (vmf->address & PAGE_MASK) + PAGE_SIZE,
		.src = &src,
		.dst = &dst,
		.pgmap_owner = bdev,
		.flags = MIGRATE_VMA_SELECT_DEVICE_PRIVATE,
		.fault_page = vmf->page,
	};

	atomic_long_inc(&bdev->faults);
	if (migrate_vma_setup(&args))
		return VM_FAULT_SIGBUS;
	fill_system_dst(bdev, &args);
	migrate_vma_pages(&args);
	migrate_vma_finalize(&args);
	return 0;
}

static const struct dev_pagemap_ops bench_dev_ops = {
	.migrate_to_ram = bench_dev_migrate_to_ram,
	.page_free = bench_dev_page_free,
};

int bench_dev_create(unsigned long bytes, struct bench_dev **out)
{
	struct bench_dev *bdev;
	unsigned long pfn;
	void *addr;
	int ret = -ENOMEM, cpu;

	if (!bytes || (bytes & ~PAGE_MASK))
		return -EINVAL;
	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	if (!bdev)
		return -ENOMEM;
	bdev->npages = bytes >> PAGE_SHIFT;
	bdev->copy = true;
	spin_lock_init(&bdev->shared.lock);
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		spin_lock_init(&bdev->cpu[cpu].lock);
	bdev->mem = vmalloc(bytes);
	if (!bdev->mem)
		goto err_free;
	/* Device memory is there from the start: no host fault on first use. */
	memset(bdev->mem, 0, bytes);
	bdev->res = request_free_mem_region(&iomem_resource, bytes, "bench_dev");
	if (IS_ERR_OR_NULL(bdev->res)) {
		ret = bdev->res ? PTR_ERR(bdev->res) : -ENOMEM;
		goto err_mem;
	}
	bdev->pgmap.type = MEMORY_DEVICE_PRIVATE;
	bdev->pgmap.range.start = bdev->res->start;
	bdev->pgmap.range.end = bdev->res->start + bytes - 1;
	bdev->pgmap.nr_range = 1;
	bdev->pgmap.ops = &bench_dev_ops;
	bdev->pgmap.owner = bdev;
	addr = memremap_pages(&bdev->pgmap, numa_node_id());
	if (IS_ERR_OR_NULL(addr)) {
		ret = addr ? PTR_ERR(addr) : -EFAULT;
		goto err_region;
	}
	bdev->first_pfn = bdev->res->start >> PAGE_SHIFT;
	for (pfn = bdev->first_pfn + bdev->npages; pfn-- > bdev->first_pfn;) {
		struct page *page = pfn_to_page(pfn);

		page->zone_device_data = bdev->shared.first;
		bdev->shared.first = page;
	}
	bdev->shared.nr = bdev->npages;
	*out = bdev;
	return 0;

err_region:
	release_mem_region(bdev->res->start, resource_size(bdev->res));
err_mem:
	vfree(bdev->mem);
err_free:
	kfree(bdev);
	return ret;
}

void bench_dev_destroy(struct bench_dev *bdev)
{
	memunmap_pages(&bdev->pgmap);
	release_mem_region(bdev->res->start, resource_size(bdev->res));
	vfree(bdev->mem);
	kfree(bdev);
}

void bench_dev_set_copy(struct bench_dev *bdev, int copy)
{
	bdev->copy = copy;
}

unsigned long bench_dev_faults(struct bench_dev *bdev)
{
	return atomic_long_read(&bdev->faults);
}
