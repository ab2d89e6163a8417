// SPDX-License-Identifier: GPL-2.0
/*
 * shadow.c - a byte-exact shadow of every region of every process, kept
 * from what the steps meant to do, and compared after each step with what
 * the world's memory holds (->peek(), which disturbs nothing).  A lost or
 * misplaced byte anywhere, on any path (migration, eviction, fork, CoW,
 * exclusive access, GUP), shows up at the step that lost it.
 *
 * Private regions have bytes per process (a fork copies them); shared ones
 * (anon-shared, file-shared) one copy for every process that maps them.
 * Which pages a process still maps is per process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "shadow.h"

/* The bytes of a region, one copy per process or shared by several. */
struct shadow_bytes {
	unsigned char *bytes;
	unsigned char *loose;		/* per page: adopt what is there */
	int refs;
};

struct shadow_region {
	struct shadow_bytes *data;	/* NULL: not in this process */
	unsigned char *mapped;		/* per page, this process's */
};

struct scn_shadow {
	const struct scn_script *s;
	struct shadow_region r[SCN_MAX_PROCS][SCN_MAX_REGIONS];
	unsigned char *peek;		/* one region's worth */
	unsigned char *state;
};

static int shared_kind(int kind)
{
	return kind == SCN_MAP_ANON_SHARED || kind == SCN_MAP_FILE_SHARED;
}

struct scn_shadow *scn_shadow_new(const struct scn_script *s)
{
	struct scn_shadow *sh = calloc(1, sizeof(*sh));
	unsigned long max = 1;
	int i;

	if (!sh)
		return NULL;
	sh->s = s;
	for (i = 0; i < s->nregions; i++)
		if (s->regions[i].npages > max)
			max = s->regions[i].npages;
	sh->peek = malloc(max * SCN_PAGE_SIZE);
	sh->state = malloc(max);
	if (!sh->peek || !sh->state) {
		scn_shadow_free(sh);
		return NULL;
	}
	return sh;
}

static void drop(struct shadow_region *r)
{
	if (r->data && !--r->data->refs) {
		free(r->data->bytes);
		free(r->data->loose);
		free(r->data);
	}
	free(r->mapped);
	memset(r, 0, sizeof(*r));
}

void scn_shadow_free(struct scn_shadow *sh)
{
	int p, i;

	if (!sh)
		return;
	for (p = 0; p < SCN_MAX_PROCS; p++)
		for (i = 0; i < SCN_MAX_REGIONS; i++)
			drop(&sh->r[p][i]);
	free(sh->peek);
	free(sh->state);
	free(sh);
}

static int region_init(struct shadow_region *r, unsigned long npages,
		       struct shadow_bytes *data)
{
	r->mapped = malloc(npages);
	if (!data) {
		data = calloc(1, sizeof(*data));
		if (data) {
			data->bytes = calloc(npages, SCN_PAGE_SIZE);
			data->loose = calloc(npages, 1);
		}
		if (data && (!data->bytes || !data->loose)) {
			free(data->bytes);
			free(data->loose);
			free(data);
			data = NULL;
		}
	}
	if (!r->mapped || !data) {
		free(r->mapped);
		return -1;
	}
	data->refs++;
	r->data = data;
	memset(r->mapped, 1, npages);
	return 0;
}

void scn_shadow_step(struct scn_shadow *sh, const struct scn_step *st,
		     int rc, unsigned long done)
{
	const struct scn_script *s = sh->s;
	struct shadow_region *r = st->region >= 0 ?
				  &sh->r[st->proc][st->region] : NULL;
	const struct scn_region *reg = st->region >= 0 ?
				       &s->regions[st->region] : NULL;
	unsigned char *b = r && r->data ? r->data->bytes +
			   st->off * SCN_PAGE_SIZE : NULL;
	unsigned long i, k;
	int c;

	switch (st->op) {
	case SCN_MMAP:
		if (!rc)
			region_init(r, reg->npages, NULL);
		break;
	case SCN_MUNMAP:
		if (!rc && r->mapped)
			memset(r->mapped + st->off, 0, st->npages);
		break;
	case SCN_MADVISE:
		if (st->arg != SCN_MADV_DONTNEED || (rc && rc != -ENOMEM) ||
		    !r->data)
			break;
		/* Private anonymous memory reads as zeroes again. */
		if (reg->kind == SCN_MAP_ANON)
			memset(b, 0, st->npages * SCN_PAGE_SIZE);
		else if (!shared_kind(reg->kind))
			memset(r->data->loose + st->off, 1, st->npages);
		break;
	case SCN_WRITE:
		if (r->data)
			scn_pattern_fill(b, st->off, done, &st->pattern);
		break;
	case SCN_INCR:
		for (i = 0; r->data && i < done * SCN_INTS_PER_PAGE; i++) {
			unsigned int v;

			memcpy(&v, b + i * sizeof(v), sizeof(v));
			v++;
			memcpy(b + i * sizeof(v), &v, sizeof(v));
		}
		break;
	case SCN_DEV:
		if (st->arg != SCN_DEV_WRITE || !r->data)
			break;
		if (!rc)
			scn_pattern_fill(b, st->off, st->npages, &st->pattern);
		else	/* a failed WRITE may have written a prefix */
			memset(r->data->loose + st->off, 1, st->npages);
		break;
	case SCN_FORK:
		if (rc)
			break;
		for (k = 0; k < (unsigned long)s->nregions; k++) {
			struct shadow_region *from = &sh->r[st->proc][k];
			struct shadow_region *to = &sh->r[st->child][k];
			unsigned long n = s->regions[k].npages;

			if (!from->data)
				continue;
			if (shared_kind(s->regions[k].kind)) {
				if (region_init(to, n, from->data))
					continue;
			} else {
				if (region_init(to, n, NULL))
					continue;
				memcpy(to->data->bytes, from->data->bytes,
				       n * SCN_PAGE_SIZE);
				memcpy(to->data->loose, from->data->loose, n);
			}
			memcpy(to->mapped, from->mapped, n);
		}
		break;
	case SCN_EXIT:
		for (c = 0; c < s->nregions; c++)
			drop(&sh->r[st->proc][c]);
		break;
	default:
		break;
	}
}

unsigned long scn_shadow_check(struct scn_shadow *sh, struct scn_backend *be,
			       const unsigned long *addr, FILE *out)
{
	const struct scn_script *s = sh->s;
	unsigned long bad = 0, i, j, diff;
	int p, k;

	for (p = 0; p < s->nprocs; p++) {
		for (k = 0; k < s->nregions; k++) {
			struct shadow_region *r = &sh->r[p][k];
			unsigned long n = s->regions[k].npages;

			if (!r->data)
				continue;
			if (be->ops->peek(be, p, addr[k], sh->peek, sh->state,
					  n))
				continue;
			for (i = 0; i < n; i++) {
				unsigned char *want = r->data->bytes +
						      i * SCN_PAGE_SIZE;
				unsigned char *got = sh->peek +
						     i * SCN_PAGE_SIZE;

				if (!r->mapped[i])
					continue;
				if (sh->state[i] == SCN_PEEK_DATA &&
				    r->data->loose[i]) {
					memcpy(want, got, SCN_PAGE_SIZE);
					r->data->loose[i] = 0;
					continue;
				}
				if (sh->state[i] != SCN_PEEK_DATA) {
					diff = SCN_PAGE_SIZE;
				} else {
					for (diff = 0, j = 0;
					     j < SCN_PAGE_SIZE; j++)
						diff += want[j] != got[j];
				}
				if (!diff)
					continue;
				bad += diff;
				if (out)
					fprintf(out, "!! shadow: %s page %lu "
						"of '%s': %s\n", s->procs[p],
						i, s->regions[k].name,
						sh->state[i] == SCN_PEEK_DATA ?
						"bytes differ" :
						sh->state[i] == SCN_PEEK_NONE ?
						"not mapped" :
						"no data (a migration entry?)");
				memcpy(want, got, SCN_PAGE_SIZE);
			}
		}
	}
	return bad;
}
