// SPDX-License-Identifier: GPL-2.0
/*
 * model_rwsem.c - the rw_semaphore: a waiting writer stops new readers, as
 * the kernel's does.
 */
#include "harness.h"

/* test_rwsem_writer_not_starved: a writer thread and its progress. */
struct rw_writer {
	struct rw_semaphore *sem;
	struct host_thread th;
	int done;
};

static void *rw_writer_main(void *arg)
{
	struct rw_writer *w = arg;

	down_write(w->sem);
	up_write(w->sem);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * As the kernel's rw_semaphore, a waiting writer stops new readers: with a
 * reader holding the lock and a writer queued behind it, another read
 * attempt fails instead of joining (a stream of readers would starve the
 * writer otherwise); the writer gets the lock as soon as the holder leaves.
 */
static void test_rwsem_writer_not_starved(void **state)
{
	struct rw_semaphore sem;
	struct rw_writer w = { .sem = &sem };
	unsigned long long t0;
	bool queued = false;

	(void)state;
	init_rwsem(&sem);
	down_read(&sem);
	assert_int_equal(host_thread_create(&w.th, rw_writer_main, &w), 0);
	/* Until the writer queues, a second reader still gets in. */
	t0 = host_clock_ns();
	while (!queued && host_clock_ns() - t0 < 10ULL * 1000000000ULL) {
		if (down_read_trylock(&sem))
			up_read(&sem);
		else
			queued = true;
	}
	assert_true(queued);
	assert_false(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE));
	up_read(&sem);
	assert_int_equal(host_thread_join(&w.th, NULL), 0);
	assert_true(w.done);
	assert_true(down_read_trylock(&sem));
	up_read(&sem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FX_TEST_PROC(test_rwsem_writer_not_starved),
	};

	return T_RUN(tests);
}
