/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched.h - tasks.  A task is a host thread acting as one CPU of the model:
 * it has its own software TLB and its own LRU-add batch slot.  `current` is
 * the calling thread's task; a host thread that never entered a process
 * gets a private kernel-thread task (mm == NULL) of its own.
 */
#ifndef _LINUX_SCHED_H
#define _LINUX_SCHED_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/threads.h>
#include <asm/current.h>
#include <model/tlb.h>
#include <host/host.h>

#define TASK_COMM_LEN	16

#define PF_KTHREAD	0x00200000
#define PF_MEMALLOC	0x00000800

struct mm_struct;

struct task_struct {
	struct mm_struct *mm;		/* NULL for kernel threads */
	struct mm_struct *active_mm;
	pid_t pid;
	unsigned int flags;		/* PF_* */
	unsigned int cpu;		/* model CPU slot, < NR_CPUS */
	char comm[TASK_COMM_LEN];
	struct model_tlb tlb;		/* this CPU's TLB */
	/* Free for the process code (software CPU state, stats, ...). */
	void *model_private;
};

/*
 * model_set_current() - make @tsk the calling thread's `current` (NULL: back
 * to the thread's own kernel-thread task).  Used by process.c's task enter.
 */
void model_set_current(struct task_struct *tsk);
/* model_task_init() - initialise a task: new pid and CPU slot, empty TLB. */
void model_task_init(struct task_struct *tsk, const char *comm);

static inline int task_cpu(const struct task_struct *tsk)
{
	return tsk->cpu;
}

#define smp_processor_id()	((int)current->cpu)
#define raw_smp_processor_id()	smp_processor_id()
#define get_cpu()		smp_processor_id()
#define put_cpu()		do { } while (0)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < NR_CPUS; (cpu)++)
#define for_each_online_cpu(cpu)   for_each_possible_cpu(cpu)

static inline bool fatal_signal_pending(struct task_struct *p)
{
	(void)p;
	return false;
}

static inline bool signal_pending(struct task_struct *p)
{
	(void)p;
	return false;
}

static inline void schedule(void)
{
	host_yield();
}

#endif /* _LINUX_SCHED_H */
