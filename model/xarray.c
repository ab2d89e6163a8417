// SPDX-License-Identifier: GPL-2.0
/*
 * xarray.c - the XArray (lib/xarray.c), as a plain radix tree.
 *
 * Nodes have 64 slots; a node at shift S covers 64 << S indices.  The root
 * is either a single entry for index 0 or a node.  Node pointers in slots
 * are tagged like the kernel's internal entries (low bits 10) and are told
 * apart from small internal values by being above 4096.  Every operation,
 * readers included, runs under xa_lock: simpler than the kernel's RCU
 * readers and just as correct.
 */
#include <linux/kernel.h>
#include <linux/xarray.h>
#include <linux/slab.h>

#define XA_CHUNK_SHIFT	6
#define XA_CHUNK_SIZE	(1UL << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK	(XA_CHUNK_SIZE - 1)

struct xa_node {
	unsigned int shift;
	unsigned int count;		/* non-NULL slots */
	void *slots[XA_CHUNK_SIZE];
};

static inline bool xa_is_node(const void *entry)
{
	return xa_is_internal(entry) && (unsigned long)entry > 4096;
}

static inline struct xa_node *xa_to_node(const void *entry)
{
	return (struct xa_node *)((unsigned long)entry - 2);
}

static inline void *xa_mk_node(const struct xa_node *node)
{
	return (void *)((unsigned long)node | 2);
}

/* Highest index the current root can hold. */
static unsigned long xa_max_index(struct xarray *xa)
{
	void *head = xa->xa_head;
	unsigned int shift;

	if (!xa_is_node(head))
		return 0;
	shift = xa_to_node(head)->shift + XA_CHUNK_SHIFT;
	return shift >= BITS_PER_LONG ? ULONG_MAX : (1UL << shift) - 1;
}

static void *xa_load_locked(struct xarray *xa, unsigned long index)
{
	void *entry = xa->xa_head;

	if (index > xa_max_index(xa))
		return NULL;
	while (xa_is_node(entry)) {
		struct xa_node *node = xa_to_node(entry);

		entry = node->slots[(index >> node->shift) & XA_CHUNK_MASK];
	}
	return entry;
}

/* xa_load() - the entry at @index, or NULL. */
void *xa_load(struct xarray *xa, unsigned long index)
{
	void *entry;

	xa_lock(xa);
	entry = xa_load_locked(xa, index);
	xa_unlock(xa);
	return entry;
}

static struct xa_node *xa_node_alloc(unsigned int shift, gfp_t gfp)
{
	struct xa_node *node = kzalloc(sizeof(*node), gfp);

	if (node)
		node->shift = shift;
	return node;
}

/* Add levels on top until the root covers @index. */
static int xa_grow(struct xarray *xa, unsigned long index, gfp_t gfp)
{
	while (index > xa_max_index(xa)) {
		void *head = xa->xa_head;
		unsigned int shift = xa_is_node(head) ?
			xa_to_node(head)->shift + XA_CHUNK_SHIFT : 0;
		struct xa_node *node = xa_node_alloc(shift, gfp);

		if (!node)
			return -ENOMEM;
		if (head) {
			node->slots[0] = head;
			node->count = 1;
		}
		xa->xa_head = xa_mk_node(node);
	}
	return 0;
}

static void *xa_erase_locked(struct xarray *xa, unsigned long index)
{
	struct xa_node *path[BITS_PER_LONG / XA_CHUNK_SHIFT + 1];
	void **slot = &xa->xa_head;
	void *old;
	int depth = 0;

	if (index > xa_max_index(xa))
		return NULL;
	while (xa_is_node(*slot)) {
		struct xa_node *node = xa_to_node(*slot);

		path[depth++] = node;
		slot = &node->slots[(index >> node->shift) & XA_CHUNK_MASK];
	}
	old = *slot;
	if (!old)
		return NULL;
	*slot = NULL;
	/* Free nodes left empty, bottom up. */
	while (depth > 0) {
		struct xa_node *node = path[--depth];

		if (--node->count)
			break;
		kfree(node);
		if (depth == 0) {
			xa->xa_head = NULL;
		} else {
			struct xa_node *parent = path[depth - 1];

			parent->slots[(index >> parent->shift) & XA_CHUNK_MASK] = NULL;
		}
	}
	return old;
}

void *__xa_erase(struct xarray *xa, unsigned long index)
{
	return xa_erase_locked(xa, index);
}

/**
 * __xa_store() - store @entry at @index (xa_lock held)
 * @xa: the array
 * @index: where
 * @entry: a pointer or value entry; NULL erases
 * @gfp: allocation context for new nodes
 *
 * Return: the previous entry, or an error entry (xa_is_err()): -EINVAL for
 * an internal entry, -ENOMEM if a node could not be allocated.
 */
void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	struct xa_node *node;
	void **slot;
	void *old;

	if (WARN_ON_ONCE(xa_is_internal(entry)))
		return XA_ERROR(-EINVAL);
	if (!entry)
		return xa_erase_locked(xa, index);
	if (index == 0 && !xa_is_node(xa->xa_head)) {
		old = xa->xa_head;
		xa->xa_head = entry;
		return old;
	}
	if (xa_grow(xa, index, gfp))
		return XA_ERROR(-ENOMEM);
	node = xa_to_node(xa->xa_head);
	for (;;) {
		slot = &node->slots[(index >> node->shift) & XA_CHUNK_MASK];
		if (!node->shift)
			break;
		if (!*slot) {
			struct xa_node *child = xa_node_alloc(node->shift - XA_CHUNK_SHIFT,
							      gfp);

			if (!child)
				return XA_ERROR(-ENOMEM);
			*slot = xa_mk_node(child);
			node->count++;
		}
		node = xa_to_node(*slot);
	}
	old = *slot;
	*slot = entry;
	if (!old)
		node->count++;
	return old;
}

void *xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	void *old;

	xa_lock(xa);
	old = __xa_store(xa, index, entry, gfp);
	xa_unlock(xa);
	return old;
}

/* xa_insert() - store @entry at @index unless something is there already. */
int xa_insert(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	void *old;
	int ret = -EBUSY;

	xa_lock(xa);
	if (!xa_load_locked(xa, index)) {
		old = __xa_store(xa, index, entry, gfp);
		ret = xa_is_err(old) ? xa_err(old) : 0;
	}
	xa_unlock(xa);
	return ret;
}

/* xa_erase() - remove and return the entry at @index. */
void *xa_erase(struct xarray *xa, unsigned long index)
{
	void *old;

	xa_lock(xa);
	old = xa_erase_locked(xa, index);
	xa_unlock(xa);
	return old;
}

/* First entry in the subtree @entry (covering from @base) within [*idx, max]. */
static void *xa_find_in(void *entry, unsigned long base, unsigned int level_shift,
			unsigned long *idx, unsigned long max)
{
	struct xa_node *node;
	unsigned long off;

	if (!xa_is_node(entry)) {
		if (entry && base >= *idx && base <= max) {
			*idx = base;
			return entry;
		}
		return NULL;
	}
	node = xa_to_node(entry);
	(void)level_shift;
	for (off = 0; off < XA_CHUNK_SIZE; off++) {
		unsigned long start = base + (off << node->shift);
		unsigned long last = start + ((1UL << node->shift) - 1);
		void *found;

		if (!node->slots[off] || last < *idx)
			continue;
		if (start > max)
			break;
		found = xa_find_in(node->slots[off], start, node->shift, idx, max);
		if (found)
			return found;
	}
	return NULL;
}

/**
 * xa_find() - first present entry with index in [*@indexp, @max]
 * @xa: the array
 * @indexp: in: first index to consider; out: index of the entry found
 * @max: last index to consider
 * @filter: XA_PRESENT (marks are not supported)
 *
 * Return: the entry, or NULL (then *@indexp is unchanged).
 */
void *xa_find(struct xarray *xa, unsigned long *indexp, unsigned long max,
	      xa_mark_t filter)
{
	unsigned long idx = *indexp;
	void *entry;

	(void)filter;
	xa_lock(xa);
	entry = xa_find_in(xa->xa_head, 0, 0, &idx, max);
	xa_unlock(xa);
	if (entry)
		*indexp = idx;
	return entry;
}

void *xa_find_after(struct xarray *xa, unsigned long *indexp,
		    unsigned long max, xa_mark_t filter)
{
	unsigned long idx = *indexp + 1;
	void *entry;

	if (*indexp >= max)
		return NULL;
	entry = xa_find(xa, &idx, max, filter);
	if (entry)
		*indexp = idx;
	return entry;
}

static void xa_free_nodes(void *entry)
{
	struct xa_node *node;
	unsigned long off;

	if (!xa_is_node(entry))
		return;
	node = xa_to_node(entry);
	for (off = 0; off < XA_CHUNK_SIZE; off++)
		xa_free_nodes(node->slots[off]);
	kfree(node);
}

/* xa_destroy() - remove every entry and free the tree (entries are not freed). */
void xa_destroy(struct xarray *xa)
{
	xa_lock(xa);
	xa_free_nodes(xa->xa_head);
	xa->xa_head = NULL;
	xa_unlock(xa);
}
