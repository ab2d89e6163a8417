/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host.h - the model's window onto the host: threads, sleeping locks, big
 * memory reservations, a clock, printing and aborting.
 *
 * Both kinds of translation unit include this header: the kernel-side ones
 * (which must never see libc) and the host files (which implement it with libc).
 * So it uses plain C types only, and every libc object is opaque,
 * fixed-size storage; host/host.c checks at compile time that the real
 * pthread types fit.
 */
#ifndef _HOST_HOST_H
#define _HOST_HOST_H

#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

/* Opaque storage for pthread objects (sizes checked in host/host.c). */
struct host_mutex {
	_Alignas(16) unsigned char opaque[64];
};
struct host_rwlock {
	_Alignas(16) unsigned char opaque[64];
};
struct host_cond {
	_Alignas(16) unsigned char opaque[64];
};

void host_mutex_init(struct host_mutex *m);
void host_mutex_destroy(struct host_mutex *m);
void host_mutex_lock(struct host_mutex *m);
bool host_mutex_trylock(struct host_mutex *m);
void host_mutex_unlock(struct host_mutex *m);

void host_rwlock_init(struct host_rwlock *l);
void host_rwlock_destroy(struct host_rwlock *l);
void host_rwlock_rdlock(struct host_rwlock *l);
bool host_rwlock_tryrdlock(struct host_rwlock *l);
void host_rwlock_wrlock(struct host_rwlock *l);
bool host_rwlock_trywrlock(struct host_rwlock *l);
void host_rwlock_unlock(struct host_rwlock *l);

void host_cond_init(struct host_cond *c);
void host_cond_destroy(struct host_cond *c);
/* Wait on @c, atomically releasing @m; spurious wake-ups are possible. */
void host_cond_wait(struct host_cond *c, struct host_mutex *m);
/* As host_cond_wait(), giving up after @timeout_ns; false on timeout. */
bool host_cond_timedwait(struct host_cond *c, struct host_mutex *m,
			 unsigned long timeout_ns);
void host_cond_signal(struct host_cond *c);
void host_cond_broadcast(struct host_cond *c);

/* Threads. */
struct host_thread {
	unsigned long opaque;
};
int host_thread_create(struct host_thread *t, void *(*fn)(void *), void *arg);
int host_thread_join(struct host_thread *t, void **ret);
void host_yield(void);
void host_cpu_relax(void);
void host_sleep_ns(unsigned long ns);
/* A small integer unique to the calling host thread while it lives. */
unsigned long host_thread_id(void);

/* Memory. */
void *host_malloc(size_t size);
void *host_calloc(size_t n, size_t size);
/* @size bytes at a multiple of @align (a power of two); host_free() frees. */
void *host_malloc_aligned(size_t align, size_t size);
void *host_realloc(void *p, size_t size);
void host_free(void *p);
/*
 * Reserve @size bytes of address space without committing memory
 * (MAP_NORESERVE); every page is inaccessible until host_mem_protect() opens
 * it.  Returns NULL on failure.
 */
void *host_mem_reserve(size_t size);
void host_mem_release(void *addr, size_t size);
#define HOST_PROT_NONE	0
#define HOST_PROT_RW	1
int host_mem_protect(void *addr, size_t size, int prot);
/* Give the bytes back to the host (they read as zero afterwards). */
void host_mem_discard(void *addr, size_t size);
/* Back an accessible range with host memory now, not at each first touch. */
void host_mem_populate(void *addr, size_t size);
/*
 * Big allocations (the model's vmalloc): host mappings rounded up to 2 MiB,
 * in huge pages where the host allows, kept mapped and warm after
 * host_big_free() and handed out again to a request that fits, so a buffer
 * allocated per call does not take a host fault per page every time.
 * Contents are not zeroed on reuse.  host_big_free() returns false for an
 * address host_big_alloc() did not hand out; host_big_trim() unmaps every
 * region not in use.
 */
void *host_big_alloc(size_t size);
bool host_big_free(void *addr);
void host_big_trim(void);

/* Time. */
unsigned long long host_clock_ns(void);
unsigned long long host_clock_coarse_ns(void);

/* Printing and dying. */
void host_vprintf(const char *fmt, va_list ap);
void host_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int host_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int host_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void host_abort(const char *file, int line, const char *what);
/*
 * Print the calling thread's stack to stderr, one frame a line: function and
 * file:line where addr2line can tell (host/backtrace.c), symbol+offset else.
 */
void host_backtrace(void);

/* Environment knobs for tests (getenv). */
const char *host_getenv(const char *name);

#endif /* _HOST_HOST_H */
