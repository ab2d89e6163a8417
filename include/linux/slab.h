/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slab.h - kernel object allocation over the host heap (model/slab.c).
 *
 * Every allocation is a named failure site (linux/fault-inject.h, class
 * FAULT_KMALLOC): each function is called through a macro that names the
 * caller.  A failed allocation returns NULL, as the kernel does, unless
 * __GFP_NOFAIL was given.
 */
#ifndef _LINUX_SLAB_H
#define _LINUX_SLAB_H

#include <linux/types.h>
#include <linux/gfp_types.h>
#include <linux/compiler.h>
#include <linux/fault-inject.h>

void *kmalloc_at(size_t size, gfp_t flags, struct fault_site *site);
void *kcalloc_at(size_t n, size_t size, gfp_t flags, struct fault_site *site);
void *kmalloc_array_at(size_t n, size_t size, gfp_t flags,
		       struct fault_site *site);
void *krealloc_at(const void *p, size_t new_size, gfp_t flags,
		  struct fault_site *site);
void kfree(const void *p);
void kvfree(const void *p);
char *kstrdup_at(const char *s, gfp_t gfp, struct fault_site *site);

#define KMALLOC_SITE(api)	FAULT_SITE(FAULT_KMALLOC, api)
#define kmalloc(size, flags)	kmalloc_at(size, flags, KMALLOC_SITE("kmalloc"))
#define kzalloc(size, flags)	\
	kmalloc_at(size, (flags) | __GFP_ZERO, KMALLOC_SITE("kzalloc"))
#define kcalloc(n, size, flags)	\
	kcalloc_at(n, size, flags, KMALLOC_SITE("kcalloc"))
#define kmalloc_array(n, size, flags)	\
	kmalloc_array_at(n, size, flags, KMALLOC_SITE("kmalloc_array"))
#define krealloc(p, new_size, flags)	\
	krealloc_at(p, new_size, flags, KMALLOC_SITE("krealloc"))
#define kvmalloc(size, flags)	kmalloc_at(size, flags, KMALLOC_SITE("kvmalloc"))
#define kvzalloc(size, flags)	\
	kmalloc_at(size, (flags) | __GFP_ZERO, KMALLOC_SITE("kvzalloc"))
#define kvcalloc(n, size, flags)	\
	kcalloc_at(n, size, flags, KMALLOC_SITE("kvcalloc"))
#define kvmalloc_array(n, size, flags)	\
	kmalloc_array_at(n, size, flags, KMALLOC_SITE("kvmalloc_array"))
#define kstrdup(s, gfp)		kstrdup_at(s, gfp, KMALLOC_SITE("kstrdup"))

#define kmalloc_node(size, flags, node)	kmalloc(size, flags)
#define kzalloc_node(size, flags, node)	kzalloc(size, flags)

struct kmem_cache;

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *s);
void *kmem_cache_alloc_at(struct kmem_cache *s, gfp_t flags,
			  struct fault_site *site);
#define kmem_cache_alloc(s, flags)	\
	kmem_cache_alloc_at(s, flags, KMALLOC_SITE("kmem_cache_alloc"))
#define kmem_cache_zalloc(s, flags)	\
	kmem_cache_alloc_at(s, (flags) | __GFP_ZERO, \
			    KMALLOC_SITE("kmem_cache_zalloc"))
void kmem_cache_free(struct kmem_cache *s, void *p);

/* Objects handed out and not freed yet (devmig_mem_usage()). */
long slab_objects_in_use(void);

#define SLAB_HWCACHE_ALIGN	0x00002000UL
#define SLAB_PANIC		0x00040000UL
#define SLAB_TYPESAFE_BY_RCU	0x00080000UL
#define SLAB_ACCOUNT		0x04000000UL

#endif /* _LINUX_SLAB_H */
