// SPDX-License-Identifier: GPL-2.0
/*
 * slab.c - kernel object allocators over the host heap (mm/slub.c,
 * mm/util.c, mm/vmalloc.c), and the failure injection every allocation
 * site of the model goes through (include/model/fail.h).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <asm/page.h>
#include <model/fail.h>
#include <host/host.h>

/* Per site: countdown to the failing allocation (0: not armed). */
static unsigned long fail_countdown[MODEL_FAIL_NR_SITES];
static bool fail_always[MODEL_FAIL_NR_SITES];
static bool fail_fired;

void model_fail_nth(enum model_fail_site site, unsigned long n)
{
	WRITE_ONCE(fail_countdown[site], n);
	WRITE_ONCE(fail_fired, false);
}

void model_fail_every(enum model_fail_site site, bool on)
{
	WRITE_ONCE(fail_always[site], on);
	WRITE_ONCE(fail_fired, false);
}

void model_fail_reset(void)
{
	int i;

	for (i = 0; i < MODEL_FAIL_NR_SITES; i++) {
		WRITE_ONCE(fail_countdown[i], 0);
		WRITE_ONCE(fail_always[i], false);
	}
	WRITE_ONCE(fail_fired, false);
}

bool model_fail_fired(void)
{
	return READ_ONCE(fail_fired);
}

/* Count one allocation against @site; true if it is the armed one. */
static bool fail_tick(enum model_fail_site site)
{
	unsigned long n = __atomic_load_n(&fail_countdown[site], __ATOMIC_RELAXED);

	while (n) {
		if (__atomic_compare_exchange_n(&fail_countdown[site], &n, n - 1,
						false, __ATOMIC_RELAXED,
						__ATOMIC_RELAXED))
			return n == 1;
	}
	return READ_ONCE(fail_always[site]);
}

bool model_should_fail(enum model_fail_site site)
{
	bool fail = fail_tick(site);

	if (site != MODEL_FAIL_ANY && fail_tick(MODEL_FAIL_ANY))
		fail = true;
	if (fail)
		WRITE_ONCE(fail_fired, true);
	return fail;
}

static void *slab_alloc(size_t size, gfp_t flags)
{
	void *p;

	if (!(flags & __GFP_NOFAIL) && model_should_fail(MODEL_FAIL_KMALLOC))
		return NULL;
	p = flags & __GFP_ZERO ? host_calloc(1, size ? size : 1) :
				 host_malloc(size ? size : 1);
	BUG_ON(!p && (flags & __GFP_NOFAIL));
	return p;
}

void *kmalloc(size_t size, gfp_t flags)
{
	return slab_alloc(size, flags);
}

void *kzalloc(size_t size, gfp_t flags)
{
	return slab_alloc(size, flags | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return slab_alloc(n * size, flags);
}

void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags | __GFP_ZERO);
}

void *krealloc(const void *p, size_t new_size, gfp_t flags)
{
	void *n;

	if (!(flags & __GFP_NOFAIL) && model_should_fail(MODEL_FAIL_KMALLOC))
		return NULL;
	n = host_realloc((void *)p, new_size ? new_size : 1);
	return n;
}

void kfree(const void *p)
{
	host_free((void *)p);
}

void *kvmalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags);
}

void *kvzalloc(size_t size, gfp_t flags)
{
	return kzalloc(size, flags);
}

void *kvcalloc(size_t n, size_t size, gfp_t flags)
{
	return kcalloc(n, size, flags);
}

void *kvmalloc_array(size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(n, size, flags);
}

void kvfree(const void *p)
{
	vfree(p);
}

char *kstrdup(const char *s, gfp_t gfp)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	p = kmalloc(len, gfp);
	if (p)
		memcpy(p, s, len);
	return p;
}

/*
 * vmalloc: from PMD_SIZE up, host_big_alloc(), which keeps freed areas
 * warm as the kernel keeps freed pages (a driver's per-call bounce buffer
 * would otherwise cost a host fault per page on every call); smaller
 * sizes come from the heap like kmalloc.
 */
static void *vmalloc_gfp(unsigned long size, gfp_t flags)
{
	void *p;

	if (size < PMD_SIZE)
		return slab_alloc(size, flags);
	if (model_should_fail(MODEL_FAIL_KMALLOC))
		return NULL;
	p = host_big_alloc(size);
	if (p && (flags & __GFP_ZERO))
		memset(p, 0, size);
	return p;
}

void *vmalloc(unsigned long size)
{
	return vmalloc_gfp(size, GFP_KERNEL);
}

void *vzalloc(unsigned long size)
{
	return vmalloc_gfp(size, GFP_KERNEL | __GFP_ZERO);
}

void *vmalloc_array(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return vmalloc_gfp(n * size, GFP_KERNEL);
}

void *vcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return vmalloc_gfp(n * size, GFP_KERNEL | __GFP_ZERO);
}

/* Also kvfree(): whichever allocator @addr came from. */
void vfree(const void *addr)
{
	if (addr && !host_big_free((void *)addr))
		kfree(addr);
}

struct kmem_cache {
	unsigned int size;
	void (*ctor)(void *obj);
};

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = host_calloc(1, sizeof(*s));

	(void)name; (void)align; (void)flags;
	if (!s)
		return NULL;
	s->size = size;
	s->ctor = ctor;
	return s;
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	host_free(s);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	void *p = slab_alloc(s->size, flags);

	if (p && s->ctor)
		s->ctor(p);
	return p;
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return slab_alloc(s->size, flags | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *s, void *p)
{
	(void)s;
	host_free(p);
}
