// SPDX-License-Identifier: GPL-2.0
/*
 * file_table.c - open files and their lifetime (fs/file_table.c), kernel
 * reads and writes of a file (fs/read_write.c) and files without a file
 * system of their own (fs/anon_inodes.c).
 *
 * A file is referenced by whoever opened it and by every VMA mapping it
 * (get_file() when a VMA is made, fput() when it is freed), so closing a
 * file that is still mapped is safe: the mapping keeps it alive.
 *
 * The last fput() does not release the file there and then.  The kernel
 * defers the release to the task's return to user space (task_work), since
 * fput() is called with mmap_lock held (munmap, exit) and a release may need
 * locks that rank above it (a driver's release may migrate pages, take
 * mmap_lock of another mm, wait for a device).  Here the file goes on a
 * delayed list, and flush_delayed_fput() releases it: every entry point of
 * api/devmig.h that may drop a file calls it just before returning, which
 * is where the kernel's task_work would run.
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/errno.h>
#include <linux/err.h>

static DEFINE_SPINLOCK(delayed_fput_lock);
static LIST_HEAD(delayed_fput_list);

/**
 * alloc_file_pseudo() - a new open file of @inode
 * @inode: the inode (its owner keeps it alive until ->release)
 * @name: unused (no dentries in the model)
 * @flags: O_* flags, kept in f_flags
 * @fops: the file's operations
 *
 * Return: the file with one reference (the caller's), or ERR_PTR(-ENOMEM).
 */
struct file *alloc_file_pseudo(struct inode *inode, const char *name,
			       int flags, const struct file_operations *fops)
{
	struct file *file = kzalloc(sizeof(*file), GFP_KERNEL);

	(void)name;
	if (!file)
		return ERR_PTR(-ENOMEM);
	atomic_long_set(&file->f_count, 1);
	INIT_LIST_HEAD(&file->f_delayed);
	file->f_inode = inode;
	file->f_mapping = inode->i_mapping;
	file->f_op = fops;
	file->f_flags = flags;
	return file;
}

static void __fput(struct file *file)
{
	if (file->f_op && file->f_op->release)
		file->f_op->release(file->f_inode, file);
	kfree(file);
}

/**
 * fput() - drop a reference to @file
 * @file: the file
 *
 * The last reference queues the file for release by flush_delayed_fput().
 * May be called with any lock held.
 */
void fput(struct file *file)
{
	if (!atomic_long_dec_and_test(&file->f_count))
		return;
	spin_lock(&delayed_fput_lock);
	list_add_tail(&file->f_delayed, &delayed_fput_list);
	spin_unlock(&delayed_fput_lock);
}

/**
 * flush_delayed_fput() - release every file whose last reference is gone
 *
 * Context: no lock held (a release may sleep and take mmap_lock).
 */
void flush_delayed_fput(void)
{
	struct file *file;

	for (;;) {
		spin_lock(&delayed_fput_lock);
		file = list_first_entry_or_null(&delayed_fput_list,
						struct file, f_delayed);
		if (file)
			list_del_init(&file->f_delayed);
		spin_unlock(&delayed_fput_lock);
		if (!file)
			return;
		__fput(file);
	}
}

/**
 * kernel_read() - read from a file into a kernel buffer
 * @file: the file
 * @buf: destination
 * @count: bytes wanted
 * @pos: file offset, advanced by what was read
 *
 * Return: bytes read (0 at end of file), or -EINVAL if the file cannot
 * be read.
 */
ssize_t kernel_read(struct file *file, void *buf, size_t count, loff_t *pos)
{
	if (!file->f_op || !file->f_op->read || *pos < 0)
		return -EINVAL;
	return file->f_op->read(file, buf, count, pos);
}

/**
 * kernel_write() - write a kernel buffer to a file
 * @file: the file
 * @buf: source
 * @count: bytes
 * @pos: file offset, advanced by what was written
 *
 * Return: bytes written, or a negative errno.
 */
ssize_t kernel_write(struct file *file, const void *buf, size_t count,
		     loff_t *pos)
{
	if (!file->f_op || !file->f_op->write || *pos < 0)
		return -EINVAL;
	return file->f_op->write(file, buf, count, pos);
}

/* One inode for every anonymous-inode file, as the kernel's. */
static struct inode anon_inode_inode;
static DEFINE_SPINLOCK(anon_inode_lock);
static bool anon_inode_ready;

static struct inode *anon_inode(void)
{
	struct address_space *mapping = &anon_inode_inode.i_data;

	spin_lock(&anon_inode_lock);
	if (!anon_inode_ready) {
		mapping->host = &anon_inode_inode;
		xa_init(&mapping->i_pages);
		init_rwsem(&mapping->i_mmap_rwsem);
		INIT_LIST_HEAD(&mapping->i_mmap);
		anon_inode_inode.i_mapping = mapping;
		anon_inode_ready = true;
	}
	spin_unlock(&anon_inode_lock);
	return &anon_inode_inode;
}

/**
 * anon_inode_getfile() - a file of the anonymous inode with @fops
 * @name: unused
 * @fops: the file's operations (a driver's)
 * @priv: the file's private_data
 * @flags: O_* flags
 *
 * Return: the file with one reference, or ERR_PTR(-ENOMEM).
 */
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags)
{
	struct file *file = alloc_file_pseudo(anon_inode(), name, flags, fops);

	if (!IS_ERR(file))
		file->private_data = priv;
	return file;
}
