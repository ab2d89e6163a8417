// SPDX-License-Identifier: GPL-2.0
/*
 * slab.c - kernel object allocators over the host heap (mm/slub.c,
 * mm/util.c, mm/vmalloc.c).  Each call names its site (linux/slab.h); the
 * site decides whether it fails (model/fault-inject.c).
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/string.h>
#include <linux/cache.h>
#include <asm/page.h>
#include <host/host.h>

/* Objects handed out minus objects freed: the leak checks' count. */
static long slab_objects;

long slab_objects_in_use(void)
{
	return __atomic_load_n(&slab_objects, __ATOMIC_RELAXED);
}

static void slab_count(void *p, long n)
{
	if (p)
		__atomic_fetch_add(&slab_objects, n, __ATOMIC_RELAXED);
}

static void *slab_alloc(size_t size, gfp_t flags, struct fault_site *site)
{
	void *p;

	if (fault_site_fails(site, !(flags & __GFP_NOFAIL)))
		return NULL;
	/*
	 * An object of a cache line or more starts on one, as in the kernel's
	 * kmalloc caches, so ____cacheline_aligned members inside it are.
	 */
	if (size >= SMP_CACHE_BYTES) {
		p = host_malloc_aligned(SMP_CACHE_BYTES, size);
		if (p && (flags & __GFP_ZERO))
			memset(p, 0, size);
	} else {
		p = flags & __GFP_ZERO ? host_calloc(1, size ? size : 1) :
					 host_malloc(size ? size : 1);
	}
	BUG_ON(!p && (flags & __GFP_NOFAIL));
	slab_count(p, 1);
	return p;
}

void *kmalloc_at(size_t size, gfp_t flags, struct fault_site *site)
{
	return slab_alloc(size, flags, site);
}

void *kmalloc_array_at(size_t n, size_t size, gfp_t flags,
		       struct fault_site *site)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return slab_alloc(n * size, flags, site);
}

void *kcalloc_at(size_t n, size_t size, gfp_t flags, struct fault_site *site)
{
	return kmalloc_array_at(n, size, flags | __GFP_ZERO, site);
}

void *krealloc_at(const void *p, size_t new_size, gfp_t flags,
		  struct fault_site *site)
{
	void *n;

	if (fault_site_fails(site, !(flags & __GFP_NOFAIL)))
		return NULL;
	/* realloc() keeps 16-byte alignment only: no caller needs more. */
	n = host_realloc((void *)p, new_size ? new_size : 1);
	if (!p)
		slab_count(n, 1);
	return n;
}

void kfree(const void *p)
{
	slab_count((void *)p, -1);
	host_free((void *)p);
}

void kvfree(const void *p)
{
	vfree(p);
}

char *kstrdup_at(const char *s, gfp_t gfp, struct fault_site *site)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	len = strlen(s) + 1;
	p = slab_alloc(len, gfp, site);
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
void *vmalloc_at(unsigned long size, bool zero, struct fault_site *site)
{
	gfp_t flags = GFP_KERNEL | (zero ? __GFP_ZERO : 0);
	void *p;

	if (size < PMD_SIZE)
		return slab_alloc(size, flags, site);
	if (fault_site_fails(site, true))
		return NULL;
	p = host_big_alloc(size);
	if (p && zero)
		memset(p, 0, size);
	slab_count(p, 1);
	return p;
}

void *vmalloc_array_at(size_t n, size_t size, bool zero,
		       struct fault_site *site)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return vmalloc_at(n * size, zero, site);
}

/* Also kvfree(): whichever allocator @addr came from. */
void vfree(const void *addr)
{
	if (!addr)
		return;
	if (host_big_free((void *)addr))
		slab_count((void *)addr, -1);
	else
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

void *kmem_cache_alloc_at(struct kmem_cache *s, gfp_t flags,
			  struct fault_site *site)
{
	void *p = slab_alloc(s->size, flags, site);

	if (p && s->ctor && !(flags & __GFP_ZERO))
		s->ctor(p);
	return p;
}

void kmem_cache_free(struct kmem_cache *s, void *p)
{
	(void)s;
	kfree(p);
}
