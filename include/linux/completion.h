/* SPDX-License-Identifier: GPL-2.0 */
/* completion.h - one-shot (or counted) events over a wait queue. */
#ifndef _LINUX_COMPLETION_H
#define _LINUX_COMPLETION_H

#include <linux/wait.h>

struct completion {
	unsigned int done;
	wait_queue_head_t wait;
};

static inline void init_completion(struct completion *x)
{
	x->done = 0;
	init_waitqueue_head(&x->wait);
}

static inline void reinit_completion(struct completion *x)
{
	__atomic_store_n(&x->done, 0, __ATOMIC_RELAXED);
}

static inline void complete(struct completion *x)
{
	host_mutex_lock(&x->wait.lock);
	x->done++;
	host_cond_broadcast(&x->wait.cond);
	host_mutex_unlock(&x->wait.lock);
}

static inline void complete_all(struct completion *x)
{
	host_mutex_lock(&x->wait.lock);
	x->done = ~0U >> 1;
	host_cond_broadcast(&x->wait.cond);
	host_mutex_unlock(&x->wait.lock);
}

static inline void wait_for_completion(struct completion *x)
{
	host_mutex_lock(&x->wait.lock);
	while (!x->done)
		host_cond_wait(&x->wait.cond, &x->wait.lock);
	if (x->done != ~0U >> 1)
		x->done--;
	host_mutex_unlock(&x->wait.lock);
}

#endif /* _LINUX_COMPLETION_H */
