// SPDX-License-Identifier: GPL-2.0
/*
 * shmem.c - tmpfs files: memfd_create() files and shared anonymous memory
 * (mmap(MAP_SHARED | MAP_ANONYMOUS)), the part of mm/shmem.c they exercise.
 *
 * A shmem file is an inode whose page cache holds its folios and an open
 * file referencing it (shmem_file_setup()).  The file is referenced by its
 * opener and by every VMA mapping it (model/file_table.c); its last fput()
 * drops the page cache and frees the inode.  A shared anonymous mapping is
 * a shmem file of its own whose only reference is its VMA's
 * (shmem_zero_setup()), as in the kernel.
 *
 * Folios are created zeroed when first written (kernel_write(), a shared
 * write fault) or faulted (any fault on a hole), live in the page cache
 * (one reference), on an LRU, and are mapped with file rmap.  Reads of a
 * hole through kernel_read() return zeros without allocating.  A fault at
 * or beyond i_size gets SIGBUS.  Like the kernel's, shmem VMAs have vm_ops,
 * so vma_is_anonymous() is false and device migration treats them as file
 * memory: holes are never filled, page-cache folios never move to device
 * memory; in a MAP_PRIVATE mapping, the anonymous copies that write faults
 * make (memory.c) are what migrates.
 *
 * Not modelled: swap, truncate (a file never shrinks), huge pages, seals.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/err.h>
#include <linux/rmap.h>
#include <linux/swap.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/pagemap.h>
#include <linux/xarray.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/shmem_fs.h>
#include <model/process.h>

struct shmem_inode_info {
	struct inode vfs_inode;		/* i_data is the page cache */
	struct mutex write_lock;	/* i_rwsem: writers and i_size */
};

static const struct file_operations shmem_file_operations;
static const struct vm_operations_struct shmem_vm_ops;

static struct shmem_inode_info *SHMEM_I(struct inode *inode)
{
	return container_of(inode, struct shmem_inode_info, vfs_inode);
}

static struct address_space *shmem_mapping_of(struct file *file)
{
	return file->f_inode->i_mapping;
}

/* Drop the page cache and the inode: the last file reference is gone. */
static int shmem_release(struct inode *inode, struct file *file)
{
	struct address_space *mapping = inode->i_mapping;
	unsigned long index;
	struct folio *folio;

	(void)file;
	xa_for_each(&mapping->i_pages, index, folio) {
		folio_lock(folio);
		xa_erase(&mapping->i_pages, index);
		mapping->nrpages--;
		folio->mapping = NULL;
		folio_unlock(folio);
		folio_put(folio);	/* the page cache's reference */
	}
	xa_destroy(&mapping->i_pages);
	kfree(SHMEM_I(inode));
	return 0;
}

/* A new zeroed folio at @index, in the cache; NULL on OOM or lost race. */
static struct folio *shmem_add_folio(struct mm_struct *charge_mm,
				     struct address_space *mapping,
				     pgoff_t index, bool *raced)
{
	struct folio *folio;
	void *old;

	*raced = false;
	folio = folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO, 0);
	if (!folio)
		return NULL;
	if (mem_cgroup_charge(folio, charge_mm, GFP_KERNEL)) {
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


/* Pages of the file: any index below this one is inside it. */
static pgoff_t shmem_size_pages(struct inode *inode)
{
	return DIV_ROUND_UP(READ_ONCE(inode->i_size), PAGE_SIZE);
}

/*
 * The folio at @index, locked and referenced, created zeroed if missing.
 * Return: the folio, or ERR_PTR(-ENOMEM).
 */
static struct folio *shmem_get_folio(struct mm_struct *charge_mm,
				     struct address_space *mapping,
				     pgoff_t index)
{
	struct folio *folio;
	bool raced;

	for (;;) {
		folio = filemap_get_folio(mapping, index);
		if (!IS_ERR(folio)) {
			folio_lock(folio);
			if (folio->mapping == mapping)
				return folio;
			/* Evicted under us: look again. */
			folio_unlock(folio);
			folio_put(folio);
			continue;
		}
		folio = shmem_add_folio(charge_mm, mapping, index, &raced);
		if (folio)
			return folio;
		if (!raced)
			return ERR_PTR(-ENOMEM);
	}
}

/* ->fault: the folio at vmf->pgoff, locked and referenced. */
static vm_fault_t shmem_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct inode *inode = file_inode(vma->vm_file);
	struct folio *folio;

	/* Past the end of the file: SIGBUS, as shmem_get_folio_gfp(). */
	if (vmf->pgoff >= shmem_size_pages(inode))
		return VM_FAULT_SIGBUS;
	folio = shmem_get_folio(vma->vm_mm, inode->i_mapping, vmf->pgoff);
	if (IS_ERR(folio))
		return VM_FAULT_OOM;
	vmf->page = &folio->page;
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct shmem_vm_ops = {
	.fault		= shmem_fault,
	.map_pages	= filemap_map_pages,
};

/* ->read: page cache to @buf; holes read as zeros and stay holes. */
static ssize_t shmem_file_read(struct file *file, char *buf, size_t count,
			       loff_t *pos)
{
	struct address_space *mapping = shmem_mapping_of(file);
	loff_t size = READ_ONCE(file->f_inode->i_size);
	size_t done = 0;

	if (*pos >= size)
		return 0;
	count = min_t(size_t, count, size - *pos);
	while (done < count) {
		pgoff_t index = (*pos + done) >> PAGE_SHIFT;
		size_t off = (*pos + done) & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, count - done);
		struct folio *folio = filemap_get_folio(mapping, index);

		if (IS_ERR(folio)) {
			memset(buf + done, 0, n);
		} else {
			memcpy_from_page(buf + done, &folio->page, off, n);
			folio_put(folio);
		}
		done += n;
	}
	*pos += done;
	return done;
}

/*
 * ->write: @buf into the page cache, each folio locked while it is written
 * (shmem_write_begin/end), the file growing to cover what was written.
 */
static ssize_t shmem_file_write(struct file *file, const char *buf,
				size_t count, loff_t *pos)
{
	struct inode *inode = file->f_inode;
	struct shmem_inode_info *info = SHMEM_I(inode);
	size_t done = 0;
	ssize_t ret;

	mutex_lock(&info->write_lock);
	while (done < count) {
		pgoff_t index = (*pos + done) >> PAGE_SHIFT;
		size_t off = (*pos + done) & ~PAGE_MASK;
		size_t n = min_t(size_t, PAGE_SIZE - off, count - done);
		struct folio *folio;

		folio = shmem_get_folio(current->mm, inode->i_mapping, index);
		if (IS_ERR(folio))
			break;
		memcpy_to_page(&folio->page, off, buf + done, n);
		folio_mark_dirty(folio);
		folio_unlock(folio);
		folio_put(folio);
		done += n;
		if (*pos + (loff_t)done > inode->i_size)
			WRITE_ONCE(inode->i_size, *pos + done);
	}
	mutex_unlock(&info->write_lock);
	/* As generic_perform_write(): a short write if anything was done. */
	ret = done ? (ssize_t)done : -ENOMEM;
	*pos += done;
	return count ? ret : 0;
}

/* ->mmap: shmem_mmap(); the VMA already holds its file reference. */
static int shmem_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

static const struct file_operations shmem_file_operations = {
	.mmap		= shmem_mmap,
	.read		= shmem_file_read,
	.write		= shmem_file_write,
	.release	= shmem_release,
	.llseek		= default_llseek,
};

/**
 * shmem_file_setup() - a new, empty tmpfs file of @size bytes
 * @name: unused
 * @size: i_size (its pages read as zeros until written)
 * @flags: unused (VM_NORESERVE in the kernel)
 *
 * Return: the file with one reference, or ERR_PTR(-EINVAL) for a negative
 * size, ERR_PTR(-ENOMEM).
 */
struct file *shmem_file_setup(const char *name, loff_t size,
			      unsigned long flags)
{
	struct shmem_inode_info *info;
	struct address_space *mapping;
	struct file *file;

	(void)flags;
	if (size < 0)
		return ERR_PTR(-EINVAL);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);
	mutex_init(&info->write_lock);
	mapping = &info->vfs_inode.i_data;
	mapping->host = &info->vfs_inode;
	xa_init(&mapping->i_pages);
	init_rwsem(&mapping->i_mmap_rwsem);
	INIT_LIST_HEAD(&mapping->i_mmap);
	info->vfs_inode.i_mapping = mapping;
	info->vfs_inode.i_size = size;
	file = alloc_file_pseudo(&info->vfs_inode, name, 0,
				 &shmem_file_operations);
	if (IS_ERR(file))
		kfree(info);
	return file;
}

/**
 * shmem_zero_setup() - back a new shared anonymous VMA with a tmpfs file
 * @vma: the VMA, not yet linked into its mm
 *
 * The file is as long as the VMA; the VMA holds its only reference.
 *
 * Return: 0, or -ENOMEM.
 */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct file *file = shmem_file_setup("dev/zero",
					     vma->vm_end - vma->vm_start, 0);

	if (IS_ERR(file))
		return PTR_ERR(file);
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}
