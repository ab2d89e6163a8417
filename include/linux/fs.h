/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fs.h - files, inodes and address spaces, as far as the mm needs them.
 * The page-cache itself (i_pages) is an xarray of folios by index.
 */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <linux/mm_types.h>

struct address_space;
struct file;
struct inode;
struct folio;
struct vm_area_struct;
struct poll_table_struct;

struct address_space_operations {
	bool (*dirty_folio)(struct address_space *mapping, struct folio *folio);
	int (*migrate_folio)(struct address_space *mapping, struct folio *dst,
			     struct folio *src, int mode);
};

/**
 * struct address_space - a file's page cache and mappings
 * @host: the inode
 * @i_pages: folios by index
 * @i_mmap_rwsem: protects @i_mmap
 * @i_mmap: VMAs mapping this file, linked by vma->shared (vma.c)
 * @nrpages: folios in @i_pages
 * @a_ops: operations
 * @flags: AS_* bits
 */
struct address_space {
	struct inode *host;
	struct xarray i_pages;
	struct rw_semaphore i_mmap_rwsem;
	struct list_head i_mmap;
	unsigned long nrpages;
	const struct address_space_operations *a_ops;
	unsigned long flags;
};

#define S_DAX		(1 << 13)

struct inode {
	umode_t i_mode;
	unsigned int i_flags;		/* S_* */
	dev_t i_rdev;
	loff_t i_size;
	struct address_space *i_mapping;
	struct address_space i_data;
	void *i_cdev;
	void *i_private;
};

/* Writers of i_size hold the inode's lock; readers take a snapshot. */
static inline loff_t i_size_read(const struct inode *inode)
{
	return READ_ONCE(inode->i_size);
}

struct file_operations;

/*
 * struct file - an open file
 * @f_count: references: the opener's and one per VMA mapping it (as the
 *	kernel's get_file()/fput()); the last fput() releases the file
 * @f_delayed: on the delayed-fput list between the last fput() and the
 *	release (model/file_table.c)
 */
struct file {
	atomic_long_t f_count;
	struct list_head f_delayed;
	struct inode *f_inode;
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	unsigned int f_flags;
	unsigned int f_mode;
	void *private_data;
};

struct file_operations {
	void *owner;
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
	long (*unlocked_ioctl)(struct file *file, unsigned int cmd,
			       unsigned long arg);
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
	int (*open)(struct inode *inode, struct file *file);
	int (*release)(struct inode *inode, struct file *file);
	/* Kernel buffers (kernel_read()/kernel_write()); no __user here. */
	ssize_t (*read)(struct file *file, char *buf, size_t count,
			loff_t *pos);
	ssize_t (*write)(struct file *file, const char *buf, size_t count,
			 loff_t *pos);
};

/* model/file_table.c (fs/file_table.c, fs/read_write.c, fs/anon_inodes.c) */
static inline struct file *get_file(struct file *f)
{
	atomic_long_inc(&f->f_count);
	return f;
}

void fput(struct file *file);
void flush_delayed_fput(void);
ssize_t kernel_read(struct file *file, void *buf, size_t count, loff_t *pos);
ssize_t kernel_write(struct file *file, const void *buf, size_t count,
		     loff_t *pos);
struct file *anon_inode_getfile(const char *name,
				const struct file_operations *fops,
				void *priv, int flags);
struct file *alloc_file_pseudo(struct inode *inode, const char *name,
			       int flags, const struct file_operations *fops);

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

#define IS_DAX(inode)	((inode)->i_flags & S_DAX)

static inline bool vma_is_dax(const struct vm_area_struct *vma)
{
	return vma->vm_file && IS_DAX(vma->vm_file->f_inode);
}

static inline loff_t default_llseek(struct file *file, loff_t off, int whence)
{
	(void)file; (void)whence;
	return off;
}

static inline void i_mmap_lock_read(struct address_space *mapping)
{
	down_read(&mapping->i_mmap_rwsem);
}

static inline void i_mmap_unlock_read(struct address_space *mapping)
{
	up_read(&mapping->i_mmap_rwsem);
}

static inline void i_mmap_lock_write(struct address_space *mapping)
{
	down_write(&mapping->i_mmap_rwsem);
}

static inline void i_mmap_unlock_write(struct address_space *mapping)
{
	up_write(&mapping->i_mmap_rwsem);
}

#endif /* _LINUX_FS_H */
