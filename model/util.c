// SPDX-License-Identifier: GPL-2.0
/*
 * util.c - small folio helpers of the kernel's mm/util.c: which address
 * space a folio belongs to, its anon_vma, copying contents; vm_mmap().
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/highmem.h>
#include <linux/memremap.h>
#include <linux/swap.h>
#include <linux/sched.h>
#include <model/process.h>

/**
 * folio_mapping() - the page-cache address_space of a folio
 * @folio: the folio
 *
 * Return: the file's address_space, the swap cache's for a folio in it;
 * NULL for other anon folios, KSM and movable-ops folios.
 */
struct address_space *folio_mapping(struct folio *folio)
{
	struct address_space *mapping;

	if (unlikely(folio_test_slab(folio)))
		return NULL;
	if (unlikely(folio_test_swapcache(folio)))
		return &swapper_space;
	mapping = READ_ONCE(folio->mapping);
	if ((unsigned long)mapping & PAGE_MAPPING_FLAGS)
		return NULL;
	return mapping;
}

/**
 * folio_anon_vma() - the anon_vma an anonymous folio points at
 * @folio: the folio
 *
 * Return: the anon_vma, or NULL if @folio is not anonymous.  The caller
 * keeps it alive (rmap lock, or a mapped folio under the PTE lock).
 */
struct anon_vma *folio_anon_vma(struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	if ((mapping & PAGE_MAPPING_FLAGS) != PAGE_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping - PAGE_MAPPING_ANON);
}

/* folio_copy() - copy the contents of @src into @dst, page by page. */
void folio_copy(struct folio *dst, struct folio *src)
{
	long i, nr = folio_nr_pages(src);

	for (i = 0; i < nr; i++)
		copy_highpage(folio_page(dst, i), folio_page(src, i));
}

int folio_mc_copy(struct folio *dst, struct folio *src)
{
	folio_copy(dst, src);
	return 0;
}

/*
 * Long-term pins (FOLL_LONGTERM) must not stay on device-coherent memory:
 * the device may need it back.  Everything else the model has is fine.
 */
bool folio_is_longterm_pinnable(struct folio *folio)
{
	return !folio_is_device_coherent(folio);
}

/**
 * vm_mmap() - mmap() on behalf of the current task, for drivers
 * @file: the file to map (NULL: anonymous memory)
 * @addr: 0, or a hint: used exactly when that range is free (as Linux
 *	uses a free hint), else the kernel chooses
 * @len: length in bytes
 * @prot: PROT_* (DEVMIG_PROT_* have the same values)
 * @flag: MAP_SHARED or MAP_PRIVATE
 * @offset: byte offset in @file, page aligned
 *
 * Return: the address, or a negative errno cast to unsigned long.
 */
unsigned long vm_mmap(struct file *file, unsigned long addr, unsigned long len,
		      unsigned long prot, unsigned long flag,
		      unsigned long offset)
{
	long ret;

	if (offset_in_page(offset) || !current->mm)
		return (unsigned long)-EINVAL;
	ret = model_do_mmap_at(current->mm, addr & PAGE_MASK, file, len, prot,
			       flag, offset >> PAGE_SHIFT);
	if (addr && (ret == -EEXIST || ret == -EINVAL))
		ret = model_do_mmap(current->mm, file, len, prot, flag,
				    offset >> PAGE_SHIFT);
	return ret;
}
