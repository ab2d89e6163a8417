// SPDX-License-Identifier: GPL-2.0
/*
 * sched.c - tasks and `current` (kernel/sched/core.c, arch/x86 current).
 *
 * The kernel finds the running task through a per-CPU variable; here each
 * host thread has its own.  A thread that has not entered a process runs as
 * its own kernel thread (mm == NULL), a task kept in thread-local storage so
 * it needs no allocation and dies with the thread.
 */
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <model/tlb.h>

static __thread struct task_struct *current_task;
static __thread struct task_struct kthread_task;
static __thread bool kthread_ready;
static int next_pid;
unsigned int model_nr_cpus = NR_CPUS;

/* The shared word of smp_mb() & co under ThreadSanitizer (linux/compiler.h). */
unsigned long model_barrier_word;

/**
 * model_task_init() - initialise a task
 * @tsk: the task (its storage is the caller's)
 * @comm: a name for messages
 *
 * Gives it a new pid and a model CPU slot (round robin), an empty TLB and
 * no mm.  The caller attaches it to an mm (model_tlb_attach()) and makes it
 * current (model_set_current()).
 */
void model_task_init(struct task_struct *tsk, const char *comm)
{
	size_t i;

	memset(tsk, 0, sizeof(*tsk));
	tsk->pid = __atomic_add_fetch(&next_pid, 1, __ATOMIC_RELAXED);
	tsk->cpu = (unsigned int)tsk->pid % model_nr_cpus;
	for (i = 0; comm && comm[i] && i < TASK_COMM_LEN - 1; i++)
		tsk->comm[i] = comm[i];
	spin_lock_init(&tsk->tlb.lock);
	INIT_LIST_HEAD(&tsk->tlb.node);
}

/**
 * model_set_current() - run the calling host thread as @tsk
 * @tsk: the task, or NULL to return to the thread's own kernel thread
 */
void model_set_current(struct task_struct *tsk)
{
	current_task = tsk;
}

/* `current`: the task of the calling host thread. */
struct task_struct *get_current(void)
{
	if (likely(current_task))
		return current_task;
	if (!kthread_ready) {
		model_task_init(&kthread_task, "kthread");
		kthread_task.flags |= PF_KTHREAD;
		kthread_ready = true;
	}
	return &kthread_task;
}
