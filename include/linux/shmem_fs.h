/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shmem_fs.h - tmpfs files (model/shmem.c).
 */
#ifndef _LINUX_SHMEM_FS_H
#define _LINUX_SHMEM_FS_H

#include <linux/fs.h>

struct vm_area_struct;

struct file *shmem_file_setup(const char *name, loff_t size,
			      unsigned long flags);
int shmem_zero_setup(struct vm_area_struct *vma);

#endif /* _LINUX_SHMEM_FS_H */
