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
 * The syscall entry points here only validate and forward to mmap.c and
 * fork.c, which take mmap_lock themselves.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
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
 * task of a process, -ENOMEM.
 */
int devmig_task_enter(struct devmig_proc *proc)
{
	struct model_task *t;

	if (!proc)
		return -EINVAL;
	if (current->mm)
		return -EBUSY;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
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
	if (!proc)
		return -EINVAL;
	return model_munmap(proc->mm, addr, len);
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
	if (!proc)
		return -EINVAL;
	return model_mprotect(proc->mm, addr, len, prot);
}

/**
 * devmig_madvise() - madvise(@addr, @len, @advice), THP advice only
 * @proc: the process
 * @addr: page-aligned start
 * @len: bytes, rounded up to pages
 * @advice: DEVMIG_MADV_HUGEPAGE or DEVMIG_MADV_NOHUGEPAGE
 *
 * Return: 0, -EINVAL, or -ENOMEM if part of the range is unmapped.
 */
int devmig_madvise(struct devmig_proc *proc, unsigned long addr,
		   unsigned long len, int advice)
{
	if (!proc)
		return -EINVAL;
	return model_madvise(proc->mm, addr, len, advice);
}
