// SPDX-License-Identifier: GPL-2.0
/*
 * process.c - processes and tasks of api/devmig.h.
 *
 * A process is an mm_struct plus the reference that keeps it alive until
 * devmig_proc_exit(); a task is a host thread that runs on that mm as one
 * CPU, with its own TLB.  Like a kernel thread group, every task holds a user
 * reference (mm_users) on its mm, so the address space is torn down by
 * whichever of "process exited" and "last task left" comes last.
 *
 * The syscall entry points here only validate and forward to mmap.c,
 * vma.c, mprotect.c, madvise.c, fork.c and the files' operations, which
 * take their locks themselves.
 * Each ends as a return to user space would: files whose last reference
 * went meanwhile are released then (flush_delayed_fput()).
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/shmem_fs.h>
#include <model/tlb.h>
#include <model/process.h>
#include <model/boot.h>
#include <model/model.h>
#include <devmig.h>

struct devmig_proc {
	struct mm_struct *mm;
};

/* A task entered by devmig_task_enter(). */
struct model_task {
	struct task_struct task;
	struct model_task_counters counters;
};

/**
 * devmig_boot() - bring the model machine up
 * @cfg: configuration, or NULL for the defaults
 *
 * Return: 0 or a negative errno from the machine's boot code.
 */
int devmig_boot(const struct devmig_config *cfg)
{
	int ret = model_boot(cfg);

	if (!ret)
		model_hung_task_start();
	return ret;
}

/**
 * devmig_shutdown() - release the machine
 *
 * Every process must have exited (and every device been removed).
 */
void devmig_shutdown(void)
{
	model_hung_task_stop();
	model_shutdown();
}

/**
 * devmig_task_enter() - make the calling thread a task of @proc
 * @proc: the process
 *
 * Return: 0, -EINVAL for no process, -EBUSY if the thread already is a
 * task of a process.
 */
int devmig_task_enter(struct devmig_proc *proc)
{
	struct model_task *t;

	if (!proc)
		return -EINVAL;
	if (current->mm)
		return -EBUSY;
	/*
	 * The model's bookkeeping for a host thread acting as a task: the
	 * kernel's task exists from fork on, so nothing fails here.
	 */
	t = kzalloc(sizeof(*t), GFP_KERNEL | __GFP_NOFAIL);
	model_task_init(&t->task, "devmig");
	mmget(proc->mm);
	t->task.mm = proc->mm;
	t->task.active_mm = proc->mm;
	t->task.model_private = &t->counters;
	model_tlb_attach(&t->task, proc->mm);
	model_set_current(&t->task);
	return 0;
}

/* devmig_task_leave() - the calling thread stops being a task. */
void devmig_task_leave(void)
{
	struct task_struct *tsk = current;
	struct mm_struct *mm = tsk->mm;
	struct model_task *t;

	if (!mm || !tsk->model_private)
		return;
	t = container_of(tsk, struct model_task, task);
	model_hung_task_exit();
	model_set_current(NULL);
	model_tlb_detach(&t->task);
	t->task.mm = NULL;
	t->task.active_mm = NULL;
	mmput(mm);
	kfree(t);
}

/**
 * devmig_proc_create() - a new process with an empty address space
 *
 * The calling thread leaves the process it was in, if any, and enters the
 * new one.  Return: the process, or NULL if memory ran out or the machine
 * is not booted.
 */
struct devmig_proc *devmig_proc_create(void)
{
	struct devmig_proc *proc;

	if (!model_booted())
		return NULL;
	proc = kzalloc(sizeof(*proc), GFP_KERNEL);
	if (!proc)
		return NULL;
	proc->mm = model_mm_create();
	if (!proc->mm) {
		kfree(proc);
		return NULL;
	}
	proc->mm->model_private = proc;
	devmig_task_leave();
	if (devmig_task_enter(proc)) {
		mmput(proc->mm);
		kfree(proc);
		return NULL;
	}
	return proc;
}

/**
 * devmig_proc_exit() - the process exits
 * @proc: the process
 *
 * The calling thread leaves it if it is one of its tasks.  The address
 * space is torn down (as exit_mmap()) once no other task runs on it.
 */
void devmig_proc_exit(struct devmig_proc *proc)
{
	struct mm_struct *mm = proc->mm;

	if (current->mm == mm)
		devmig_task_leave();
	mm->model_private = NULL;
	mmput(mm);
	kfree(proc);
	flush_delayed_fput();
}

/**
 * devmig_proc_fork() - a child process with a copy of @parent's address space
 * @parent: the process to copy
 *
 * The calling thread stays where it is.  Return: the child, or NULL if the
 * copy failed (the kernel's fork() would fail with ENOMEM).
 */
struct devmig_proc *devmig_proc_fork(struct devmig_proc *parent)
{
	struct devmig_proc *child;

	if (!parent)
		return NULL;
	child = kzalloc(sizeof(*child), GFP_KERNEL);
	if (!child)
		return NULL;
	child->mm = model_mm_create();
	if (!child->mm) {
		kfree(child);
		return NULL;
	}
	if (model_dup_mm(parent->mm, child->mm)) {
		mmput(child->mm);
		kfree(child);
		flush_delayed_fput();
		return NULL;
	}
	child->mm->model_private = child;
	return child;
}

/**
 * devmig_proc_mm() - the address space of @proc
 * @proc: the process
 *
 * Return: its mm_struct, valid until devmig_proc_exit().
 */
struct mm_struct *devmig_proc_mm(struct devmig_proc *proc)
{
	return proc->mm;
}

/**
 * devmig_mmap() - mmap(NULL, @len, @prot, @flags | MAP_ANONYMOUS, -1, 0)
 * @proc: the process
 * @len: bytes, rounded up to pages
 * @prot: DEVMIG_PROT_*
 * @flags: DEVMIG_MAP_PRIVATE or DEVMIG_MAP_SHARED (shmem)
 *
 * Return: the address, or -EINVAL / -ENOMEM.
 */
long devmig_mmap(struct devmig_proc *proc, unsigned long len, int prot,
		 int flags)
{
	if (!proc)
		return -EINVAL;
	return model_mmap(proc->mm, len, prot, flags);
}

/**
 * devmig_mmap_fixed() - mmap(@addr, @len, @prot, @flags | MAP_ANONYMOUS |
 *	MAP_FIXED_NOREPLACE, -1, 0)
 * @proc: the process
 * @addr: page-aligned address the mapping must have
 * @len: bytes, rounded up to pages
 * @prot: DEVMIG_PROT_*
 * @flags: DEVMIG_MAP_PRIVATE or DEVMIG_MAP_SHARED (shmem)
 *
 * Return: @addr, or -EINVAL, -EEXIST (something is mapped there), -ENOMEM.
 */
long devmig_mmap_fixed(struct devmig_proc *proc, unsigned long addr,
		       unsigned long len, int prot, int flags)
{
	if (!proc || !addr)
		return -EINVAL;
	return model_do_mmap_at(proc->mm, addr, NULL, len, prot, flags, 0);
}

/**
 * devmig_memfd_create() - memfd_create() then ftruncate(@size): a new
 * tmpfs file of @size bytes, all zero
 * @size: bytes
 * @out: the file
 *
 * Return: 0, -EINVAL (negative size) or -ENOMEM.
 */
int devmig_memfd_create(long size, struct file **out)
{
	struct file *file = shmem_file_setup("memfd:devmig", size, 0);

	if (IS_ERR(file))
		return PTR_ERR(file);
	*out = file;
	return 0;
}

/**
 * devmig_file_pwrite() - pwrite(@file, @buf, @len, @off)
 * @file: the file
 * @buf: the bytes
 * @len: how many
 * @off: file offset; the file grows to cover what is written
 *
 * Return: bytes written, or -EINVAL / -ENOMEM.
 */
long devmig_file_pwrite(struct file *file, const void *buf, size_t len,
			long off)
{
	loff_t pos = off;

	if (!file || off < 0)
		return -EINVAL;
	return kernel_write(file, buf, len, &pos);
}

/**
 * devmig_file_pread() - pread(@file, @buf, @len, @off)
 * @file: the file
 * @buf: where the bytes go
 * @len: how many
 * @off: file offset
 *
 * Return: bytes read (fewer at the end of the file, 0 past it) or -EINVAL.
 */
long devmig_file_pread(struct file *file, void *buf, size_t len, long off)
{
	loff_t pos = off;

	if (!file || off < 0)
		return -EINVAL;
	return kernel_read(file, buf, len, &pos);
}

/**
 * devmig_mmap_file() - mmap(NULL, @len, @prot, @flags, fd of @file, @off)
 * @proc: the process
 * @file: the file
 * @len: bytes, rounded up to pages
 * @prot: DEVMIG_PROT_*
 * @flags: DEVMIG_MAP_SHARED or DEVMIG_MAP_PRIVATE
 * @off: file offset, page aligned
 *
 * Return: the address, or -EINVAL / -ENOMEM / -ENODEV / -EOVERFLOW.
 */
long devmig_mmap_file(struct devmig_proc *proc, struct file *file,
		      unsigned long len, int prot, int flags, unsigned long off)
{
	return devmig_mmap_file_fixed(proc, 0, file, len, prot, flags, off);
}

/**
 * devmig_mmap_file_fixed() - devmig_mmap_file() at @addr exactly
 *	(MAP_FIXED_NOREPLACE), or anywhere when @addr is 0
 *
 * Return: as devmig_mmap_file(), or -EEXIST if something is mapped there.
 */
long devmig_mmap_file_fixed(struct devmig_proc *proc, unsigned long addr,
			    struct file *file, unsigned long len, int prot,
			    int flags, unsigned long off)
{
	long ret;

	if (!proc || !file || offset_in_page(off))
		return -EINVAL;
	ret = model_do_mmap_at(proc->mm, addr, file, len, prot, flags,
			       off >> PAGE_SHIFT);
	flush_delayed_fput();
	return ret;
}

/**
 * devmig_file_close() - close() of the opener's reference to @file
 * @file: the file; mappings of it keep it alive until they go
 */
void devmig_file_close(struct file *file)
{
	if (!file)
		return;
	fput(file);
	flush_delayed_fput();
}

/**
 * devmig_munmap() - munmap(@addr, @len)
 * @proc: the process
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages; holes in the range are fine
 *
 * Return: 0, or -EINVAL / -ENOMEM.
 */
int devmig_munmap(struct devmig_proc *proc, unsigned long addr,
		  unsigned long len)
{
	int ret;

	if (!proc)
		return -EINVAL;
	ret = model_munmap(proc->mm, addr, len);
	flush_delayed_fput();
	return ret;
}

/**
 * devmig_mprotect() - mprotect(@addr, @len, @prot)
 * @proc: the process
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages
 * @prot: DEVMIG_PROT_*
 *
 * Return: 0, -EINVAL, or -ENOMEM if part of the range is unmapped.
 */
int devmig_mprotect(struct devmig_proc *proc, unsigned long addr,
		    unsigned long len, int prot)
{
	int ret;

	if (!proc)
		return -EINVAL;
	ret = model_mprotect(proc->mm, addr, len, prot);
	flush_delayed_fput();
	return ret;
}

/**
 * devmig_madvise() - madvise(@addr, @len, @advice)
 * @proc: the process
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages
 * @advice: DEVMIG_MADV_HUGEPAGE, DEVMIG_MADV_NOHUGEPAGE,
 *	DEVMIG_MADV_DONTNEED or DEVMIG_MADV_COLLAPSE
 *
 * Return: 0, -EINVAL, -ENOMEM if part of the range is unmapped, or
 * MADV_COLLAPSE's -EAGAIN/-ENOMEM/-EINVAL (api/devmig.h).
 */
int devmig_madvise(struct devmig_proc *proc, unsigned long addr,
		   unsigned long len, int advice)
{
	if (!proc)
		return -EINVAL;
	return model_madvise(proc->mm, addr, len, advice);
}
