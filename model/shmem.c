// SPDX-License-Identifier: GPL-2.0
/*
 * shmem.c - shared anonymous memory (mmap(MAP_SHARED | MAP_ANONYMOUS)), the
 * part of mm/shmem.c that such a mapping exercises.
 *
 * Each shared anonymous mapping gets a shmem object of its own: an inode
 * whose page cache holds the folios, and a file the VMA points at.  Like the
 * kernel's, the VMA has vm_ops, so vma_is_anonymous() is false and device
 * migration treats it as file memory (holes are never filled, page-cache
 * folios are never moved to device memory).
 *
 * Folios are created zeroed on first fault, live in the page cache (one
 * reference) and on an LRU, and are mapped with file rmap.  The VMAs mapping
 * the object are on its i_mmap list (linked by vma->shared), so file rmap
 * walks find every mapping.  The object, and its folios, go away with the
 * last VMA.  No swap, no truncate, no private (CoW) file mappings.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/pagemap.h>
#include <linux/xarray.h>
#include <linux/memcontrol.h>
#include <host/host.h>
#include <model/process.h>

struct shmem_object {
	struct inode inode;		/* i_data is the page cache */
	struct file file;		/* what vma->vm_file points at */
	atomic_t users;			/* VMAs using the object */
};

static struct shmem_object *shmem_of(struct vm_area_struct *vma)
{
	return container_of(vma->vm_file, struct shmem_object, file);
}

/*
 * A new VMA of the object (first mapping, split or fork) goes on i_mmap
 * through vma->shared, where file rmap walks (rmap_walk_file()) look.
 */
static void shmem_vma_open(struct vm_area_struct *vma)
{
	struct shmem_object *obj = shmem_of(vma);
	struct address_space *mapping = &obj->inode.i_data;

	i_mmap_lock_write(mapping);
	list_add_tail(&vma->shared, &mapping->i_mmap);
	i_mmap_unlock_write(mapping);
	atomic_inc(&obj->users);
}

/* Drop the page cache: every mapping is gone already. */
static void shmem_evict(struct shmem_object *obj)
{
	struct address_space *mapping = &obj->inode.i_data;
	unsigned long index;
	struct folio *folio;

	xa_for_each(&mapping->i_pages, index, folio) {
		folio_lock(folio);
		xa_erase(&mapping->i_pages, index);
		mapping->nrpages--;
		folio->mapping = NULL;
		folio_unlock(folio);
		folio_put(folio);	/* the page cache's reference */
	}
	xa_destroy(&mapping->i_pages);
	host_free(obj);
}

static void shmem_vma_close(struct vm_area_struct *vma)
{
	struct shmem_object *obj = shmem_of(vma);
	struct address_space *mapping = &obj->inode.i_data;

	i_mmap_lock_write(mapping);
	list_del(&vma->shared);
	i_mmap_unlock_write(mapping);
	if (atomic_dec_and_test(&obj->users))
		shmem_evict(obj);
}

/* A new zeroed folio at @index, in the cache; NULL on OOM or lost race. */
static struct folio *shmem_add_folio(struct vm_area_struct *vma,
				     struct address_space *mapping,
				     pgoff_t index, bool *raced)
{
	struct folio *folio;
	void *old;

	*raced = false;
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	if (!folio)
		return NULL;
	if (mem_cgroup_charge(folio, vma->vm_mm, GFP_KERNEL)) {
		folio_put(folio);
		return NULL;
	}
	__folio_set_locked(folio);
	__folio_set_swapbacked(folio);
	__folio_mark_uptodate(folio);
	folio->mapping = mapping;
	folio->index = index;

	/* Insert unless another fault got there first (then put it back). */
	xa_lock(&mapping->i_pages);
	old = __xa_store(&mapping->i_pages, index, folio, GFP_KERNEL);
	if (old && !xa_is_err(old)) {
		__xa_store(&mapping->i_pages, index, old, GFP_KERNEL);
		*raced = true;
	} else if (!xa_is_err(old)) {
		mapping->nrpages++;
	}
	xa_unlock(&mapping->i_pages);
	if (*raced || xa_is_err(old)) {
		folio->mapping = NULL;
		folio_unlock(folio);
		folio_put(folio);
		return NULL;
	}
	/* The allocation reference is the cache's; the caller gets one more. */
	folio_get(folio);
	folio_add_lru(folio);
	return folio;
}

/* ->fault: the folio at vmf->pgoff, locked and referenced. */
static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct address_space *mapping = &shmem_of(vmf->vma)->inode.i_data;
	struct folio *folio;
	bool raced;

	for (;;) {
		folio = filemap_get_folio(mapping, vmf->pgoff);
		if (!IS_ERR(folio)) {
			folio_lock(folio);
			if (folio->mapping == mapping)
				break;
			/* Evicted under us: look again. */
			folio_unlock(folio);
			folio_put(folio);
			continue;
		}
		folio = shmem_add_folio(vmf->vma, mapping, vmf->pgoff, &raced);
		if (folio)
			break;
		if (!raced)
			return VM_FAULT_OOM;
	}
	vmf->page = &folio->page;
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct shmem_anon_vm_ops = {
	.open	= shmem_vma_open,
	.close	= shmem_vma_close,
	.fault	= shmem_fault,
};

/**
 * shmem_zero_setup() - back a new shared anonymous VMA with a shmem object
 * @vma: the VMA, not yet linked into its mm
 *
 * Return: 0, or -ENOMEM.
 */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct shmem_object *obj = host_calloc(1, sizeof(*obj));
	struct address_space *mapping;

	if (!obj)
		return -ENOMEM;
	mapping = &obj->inode.i_data;
	mapping->host = &obj->inode;
	xa_init(&mapping->i_pages);
	init_rwsem(&mapping->i_mmap_rwsem);
	INIT_LIST_HEAD(&mapping->i_mmap);
	obj->inode.i_mapping = mapping;
	obj->inode.i_size = vma->vm_end - vma->vm_start;
	obj->inode.i_private = obj;
	obj->file.f_inode = &obj->inode;
	obj->file.f_mapping = mapping;
	atomic_set(&obj->users, 0);
	vma->vm_file = &obj->file;
	vma->vm_ops = &shmem_anon_vm_ops;
	shmem_vma_open(vma);
	return 0;
}
