// SPDX-License-Identifier: GPL-2.0
/*
 * host.c - the host side of include/host/host.h: pthreads, the C heap,
 * mmap reservations, the clock and stdio (backtraces: backtrace.c).  Like
 * every file of host/, it sees libc and never the shadow kernel headers.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "host.h"

static_assert(sizeof(pthread_mutex_t) <= sizeof(struct host_mutex), "mutex fits");
static_assert(sizeof(pthread_rwlock_t) <= sizeof(struct host_rwlock), "rwlock fits");
static_assert(sizeof(pthread_cond_t) <= sizeof(struct host_cond), "cond fits");
static_assert(sizeof(pthread_t) <= sizeof(struct host_thread), "thread fits");
static_assert(_Alignof(pthread_mutex_t) <= 16 && _Alignof(pthread_rwlock_t) <= 16 &&
	      _Alignof(pthread_cond_t) <= 16, "alignment fits");

#define MUTEX(m)	((pthread_mutex_t *)(m)->opaque)
#define RWLOCK(l)	((pthread_rwlock_t *)(l)->opaque)
#define COND(c)		((pthread_cond_t *)(c)->opaque)

/*
 * The shadow headers initialise statically defined locks (DEFINE_MUTEX,
 * DECLARE_RWSEM, DECLARE_WAIT_QUEUE_HEAD) to all-zero bytes.  That is only
 * right if glibc's static initialisers are all-zero too; check it once.
 */
__attribute__((constructor)) static void host_check_static_init(void)
{
	static const pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	static const pthread_rwlock_t l = PTHREAD_RWLOCK_INITIALIZER;
	static const pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	static const unsigned char zero[64];

	if (memcmp(&m, zero, sizeof(m)) || memcmp(&l, zero, sizeof(l)) ||
	    memcmp(&c, zero, sizeof(c))) {
		fprintf(stderr, "host: pthread static initialisers are not zero\n");
		abort();
	}
}

static void host_check(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "host: %s: %s\n", what, strerror(err));
		abort();
	}
}

void host_mutex_init(struct host_mutex *m)
{
	host_check(pthread_mutex_init(MUTEX(m), NULL), "mutex_init");
}

void host_mutex_destroy(struct host_mutex *m)
{
	pthread_mutex_destroy(MUTEX(m));
}

void host_mutex_lock(struct host_mutex *m)
{
	host_check(pthread_mutex_lock(MUTEX(m)), "mutex_lock");
}

bool host_mutex_trylock(struct host_mutex *m)
{
	return pthread_mutex_trylock(MUTEX(m)) == 0;
}

void host_mutex_unlock(struct host_mutex *m)
{
	host_check(pthread_mutex_unlock(MUTEX(m)), "mutex_unlock");
}

/*
 * Writer-preferring, as the kernel's rw_semaphore: once a writer waits, new
 * readers queue behind it (glibc's default lets a stream of readers starve
 * it).  Like the kernel's, a read lock taken again by its holder then
 * deadlocks.
 */
void host_rwlock_init(struct host_rwlock *l)
{
	pthread_rwlockattr_t attr;

	host_check(pthread_rwlockattr_init(&attr), "rwlockattr_init");
	host_check(pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
		   "rwlockattr_setkind_np");
	host_check(pthread_rwlock_init(RWLOCK(l), &attr), "rwlock_init");
	pthread_rwlockattr_destroy(&attr);
}

void host_rwlock_destroy(struct host_rwlock *l)
{
	pthread_rwlock_destroy(RWLOCK(l));
}

void host_rwlock_rdlock(struct host_rwlock *l)
{
	host_check(pthread_rwlock_rdlock(RWLOCK(l)), "rwlock_rdlock");
}

bool host_rwlock_tryrdlock(struct host_rwlock *l)
{
	return pthread_rwlock_tryrdlock(RWLOCK(l)) == 0;
}

void host_rwlock_wrlock(struct host_rwlock *l)
{
	host_check(pthread_rwlock_wrlock(RWLOCK(l)), "rwlock_wrlock");
}

bool host_rwlock_trywrlock(struct host_rwlock *l)
{
	return pthread_rwlock_trywrlock(RWLOCK(l)) == 0;
}

void host_rwlock_unlock(struct host_rwlock *l)
{
	host_check(pthread_rwlock_unlock(RWLOCK(l)), "rwlock_unlock");
}

void host_cond_init(struct host_cond *c)
{
	host_check(pthread_cond_init(COND(c), NULL), "cond_init");
}

void host_cond_destroy(struct host_cond *c)
{
	pthread_cond_destroy(COND(c));
}

void host_cond_wait(struct host_cond *c, struct host_mutex *m)
{
	host_check(pthread_cond_wait(COND(c), MUTEX(m)), "cond_wait");
}

bool host_cond_timedwait(struct host_cond *c, struct host_mutex *m,
			 unsigned long timeout_ns)
{
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ns / 1000000000UL;
	ts.tv_nsec += timeout_ns % 1000000000UL;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	err = pthread_cond_timedwait(COND(c), MUTEX(m), &ts);
	if (err == ETIMEDOUT)
		return false;
	host_check(err, "cond_timedwait");
	return true;
}

void host_cond_signal(struct host_cond *c)
{
	pthread_cond_signal(COND(c));
}

void host_cond_broadcast(struct host_cond *c)
{
	pthread_cond_broadcast(COND(c));
}

int host_thread_create(struct host_thread *t, void *(*fn)(void *), void *arg)
{
	pthread_t tid;
	int err = pthread_create(&tid, NULL, fn, arg);

	if (err)
		return -err;
	memcpy(&t->opaque, &tid, sizeof(tid));
	return 0;
}

int host_thread_join(struct host_thread *t, void **ret)
{
	pthread_t tid;

	memcpy(&tid, &t->opaque, sizeof(tid));
	return -pthread_join(tid, ret);
}

void host_yield(void)
{
	sched_yield();
}

void host_cpu_relax(void)
{
	__builtin_ia32_pause();
}

void host_sleep_ns(unsigned long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000UL,
			       .tv_nsec = ns % 1000000000UL };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Ids start at 1 so that 0 can mean "nobody" in lock owner fields. */
unsigned long host_thread_id(void)
{
	static unsigned long next_id;
	static __thread unsigned long id;

	if (!id)
		id = __atomic_add_fetch(&next_id, 1, __ATOMIC_RELAXED);
	return id;
}

void *host_malloc(size_t size)
{
	return malloc(size);
}

void *host_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void *host_malloc_aligned(size_t align, size_t size)
{
	void *p;

	return posix_memalign(&p, align, size) ? NULL : p;
}

void *host_realloc(void *p, size_t size)
{
	return realloc(p, size);
}

void host_free(void *p)
{
	free(p);
}

void *host_mem_reserve(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Model RAM and struct pages are touched page by page all over a big
	 * range: in 2 MiB host pages that is one host fault (and one TLB
	 * entry) per 512 model pages, not one each.  Advice only: the host
	 * may have THP off, and then nothing changes but speed.
	 */
	madvise(p, size, MADV_HUGEPAGE);
	return p;
}

void host_mem_release(void *addr, size_t size)
{
	munmap(addr, size);
}

int host_mem_protect(void *addr, size_t size, int prot)
{
	int p = prot == HOST_PROT_RW ? PROT_READ | PROT_WRITE : PROT_NONE;

	return mprotect(addr, size, p) ? -errno : 0;
}

void host_mem_discard(void *addr, size_t size)
{
	madvise(addr, size, MADV_DONTNEED);
}

void host_mem_populate(void *addr, size_t size)
{
	/* Advice too: an older host kernel without it faults on first touch. */
	madvise(addr, size, MADV_POPULATE_WRITE);
}

/* The regions of host_big_alloc(), in use or kept warm, under big_lock. */
struct big_region {
	void *addr;
	size_t size;
	bool used;
};

static pthread_mutex_t big_lock = PTHREAD_MUTEX_INITIALIZER;
static struct big_region *big_regions;
static size_t nr_big_regions, big_capacity;

#define BIG_ALIGN	(2UL << 20)

void *host_big_alloc(size_t size)
{
	struct big_region *best = NULL, *r;
	void *p;
	size_t i;

	size = (size + BIG_ALIGN - 1) & ~(BIG_ALIGN - 1);
	pthread_mutex_lock(&big_lock);
	/* The smallest free region that fits, if it wastes at most half. */
	for (i = 0; i < nr_big_regions; i++) {
		r = &big_regions[i];
		if (!r->used && r->size >= size && r->size / 2 <= size &&
		    (!best || r->size < best->size))
			best = r;
	}
	if (best) {
		best->used = true;
		pthread_mutex_unlock(&big_lock);
		return best->addr;
	}
	if (nr_big_regions == big_capacity) {
		size_t cap = big_capacity ? 2 * big_capacity : 16;

		r = realloc(big_regions, cap * sizeof(*r));
		if (!r) {
			pthread_mutex_unlock(&big_lock);
			return NULL;
		}
		big_regions = r;
		big_capacity = cap;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		pthread_mutex_unlock(&big_lock);
		return NULL;
	}
	madvise(p, size, MADV_HUGEPAGE);
	big_regions[nr_big_regions++] = (struct big_region){ p, size, true };
	pthread_mutex_unlock(&big_lock);
	return p;
}

bool host_big_free(void *addr)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&big_lock);
	for (i = 0; i < nr_big_regions && !found; i++) {
		if (big_regions[i].addr == addr) {
			assert(big_regions[i].used);
			big_regions[i].used = false;
			found = true;
		}
	}
	pthread_mutex_unlock(&big_lock);
	return found;
}

void host_big_trim(void)
{
	size_t i, kept = 0;

	pthread_mutex_lock(&big_lock);
	for (i = 0; i < nr_big_regions; i++) {
		if (big_regions[i].used)
			big_regions[kept++] = big_regions[i];
		else
			munmap(big_regions[i].addr, big_regions[i].size);
	}
	nr_big_regions = kept;
	pthread_mutex_unlock(&big_lock);
}

unsigned long long host_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * The same clock at the host's tick resolution (a few ms), as jiffies are:
 * a fifth of the cost of host_clock_ns() in a VM, for checks made on every
 * access.
 */
unsigned long long host_clock_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void host_vprintf(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
}

void host_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int host_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

_Noreturn void host_abort(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: %s\n", file, line, what);
	host_backtrace();
	abort();
}

const char *host_getenv(const char *name)
{
	return getenv(name);
}
