/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wait.h - wait queues.  A queue is a host mutex and condition variable; the
 * condition is always re-evaluated under the mutex, and wakers take the same
 * mutex, so a wake-up between the test and the sleep cannot be lost.
 */
#ifndef _LINUX_WAIT_H
#define _LINUX_WAIT_H

#include <linux/types.h>
#include <host/host.h>

typedef struct wait_queue_head {
	struct host_mutex lock;
	struct host_cond cond;
} wait_queue_head_t;

#define __WAIT_QUEUE_HEAD_INITIALIZER(name)	{ }
#define DECLARE_WAIT_QUEUE_HEAD(name)		wait_queue_head_t name = { }

static inline void init_waitqueue_head(wait_queue_head_t *wq)
{
	host_mutex_init(&wq->lock);
	host_cond_init(&wq->cond);
}

static inline void wake_up_all(wait_queue_head_t *wq)
{
	host_mutex_lock(&wq->lock);
	host_cond_broadcast(&wq->cond);
	host_mutex_unlock(&wq->lock);
}
#define wake_up(wq)		wake_up_all(wq)
#define wake_up_interruptible(wq) wake_up_all(wq)

#define wait_event(wq, condition)					\
do {									\
	host_mutex_lock(&(wq).lock);					\
	while (!(condition))						\
		host_cond_wait(&(wq).cond, &(wq).lock);			\
	host_mutex_unlock(&(wq).lock);					\
} while (0)

#define wait_event_interruptible(wq, condition)				\
({ wait_event(wq, condition); 0; })

#endif /* _LINUX_WAIT_H */
