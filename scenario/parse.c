// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - the scenario language (doc/SCENARIOS.md) into a struct
 * scn_script.
 *
 * Every check that can be made without running the script is made here, so
 * the interpreter never meets an undefined name, a range outside its
 * region or a process acting after its exit.  The first problem ends the
 * parse with one line "file:line: what is wrong".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

const char *const scn_op_names[SCN_NR_OPS] = {
	[SCN_THP] = "thp", [SCN_OPEN] = "open", [SCN_CLOSE] = "close",
	[SCN_MMAP] = "mmap", [SCN_MUNMAP] = "munmap",
	[SCN_MPROTECT] = "mprotect", [SCN_MADVISE] = "madvise",
	[SCN_WRITE] = "write", [SCN_READ] = "read", [SCN_TOUCH] = "touch",
	[SCN_INCR] = "incr", [SCN_SUM] = "sum", [SCN_GUP] = "gup",
	[SCN_PIN] = "pin", [SCN_UNPIN] = "unpin", [SCN_DEV] = "dev",
	[SCN_FORK] = "fork", [SCN_EXIT] = "exit", [SCN_WAIT] = "wait",
};

const char *const scn_map_names[SCN_NR_MAPS] = {
	[SCN_MAP_ANON] = "anon", [SCN_MAP_ANON_SHARED] = "anon-shared",
	[SCN_MAP_FILE_SHARED] = "file-shared",
	[SCN_MAP_FILE_PRIVATE] = "file-private",
	[SCN_MAP_HUGETLB] = "hugetlb", [SCN_MAP_DEVFILE] = "devfile",
};

const char *const scn_madv_names[SCN_NR_MADVS] = {
	[SCN_MADV_HUGEPAGE] = "hugepage", [SCN_MADV_NOHUGEPAGE] = "nohugepage",
	[SCN_MADV_COLLAPSE] = "collapse", [SCN_MADV_DONTNEED] = "dontneed",
};

const char *const scn_gup_names[SCN_NR_GUPS] = {
	[SCN_GUP_GET] = "get", [SCN_GUP_GET_FAST] = "get-fast",
	[SCN_GUP_PIN] = "pin", [SCN_GUP_PIN_FAST] = "pin-fast",
	[SCN_GUP_PIN_LONGTERM] = "pin-longterm",
	[SCN_GUP_HOLD] = "hold", [SCN_GUP_RELEASE] = "release",
};

const char *const scn_dev_names[SCN_NR_DEVS] = {
	[SCN_DEV_READ] = "read", [SCN_DEV_WRITE] = "write",
	[SCN_DEV_MIGRATE] = "migrate", [SCN_DEV_MIGRATE_SYS] = "migrate-sys",
	[SCN_DEV_SNAPSHOT] = "snapshot", [SCN_DEV_EXCLUSIVE] = "exclusive",
	[SCN_DEV_CHECK_EXCLUSIVE] = "check-exclusive",
	[SCN_DEV_RELEASE] = "release",
};

const char *const scn_feature_names[SCN_NR_FEATURES] = {
	[SCN_FEAT_COHERENT] = "coherent", [SCN_FEAT_FILE] = "file",
	[SCN_FEAT_HUGETLB] = "hugetlb", [SCN_FEAT_DEVFILE] = "devfile",
	[SCN_FEAT_COLLAPSE] = "collapse", [SCN_FEAT_GUP] = "gup",
	[SCN_FEAT_THP] = "thp", [SCN_FEAT_FILE_PRIVATE] = "file-private",
};

static const char *const thp_names[] = { "never", "madvise", "always" };
static const char *const prot_names[] = { "none", "r", "w", "rw" };

/* Parser state for one script. */
struct parser {
	struct scn_script *s;
	int line;
	char *err;
	size_t errlen;
	char *tok[SCN_MAX_TOKENS];
	int ntok;
	int next;			/* next token to consume */
	/* per process: alive, exited, waited, parent, visible regions */
	int alive[SCN_MAX_PROCS];
	int exited[SCN_MAX_PROCS];
	int waited[SCN_MAX_PROCS];
	int parent[SCN_MAX_PROCS];
	unsigned long long visible[SCN_MAX_PROCS];
	int closed[SCN_MAX_MIRRORS];
	int pin_proc;			/* process holding the pin, or -1 */
	int cap;			/* steps allocated */
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->s->file, p->line, msg);
	return -1;
}

static int lookup(const char *const *names, int n, const char *word)
{
	int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], word))
			return i;
	return -1;
}

static int valid_name(const char *w)
{
	size_t i, n = strlen(w);

	if (!n || n >= SCN_NAME_MAX || !(isalpha((unsigned char)w[0]) ||
					 w[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_' &&
		    w[i] != '-')
			return 0;
	return 1;
}

/* The next token, or NULL with an error naming @what. */
static const char *need(struct parser *p, const char *what)
{
	if (p->next >= p->ntok) {
		fail(p, "%s: missing %s", p->tok[0], what);
		return NULL;
	}
	return p->tok[p->next++];
}

static const char *peek(struct parser *p)
{
	return p->next < p->ntok ? p->tok[p->next] : NULL;
}

/* "-" and a digit: meant as a number, and no number may be negative. */
static int negative_number(const char *w)
{
	return w[0] == '-' && isdigit((unsigned char)w[1]);
}

/* A decimal number in [min, max]. */
static int number(struct parser *p, const char *what, long min, long max,
		  long *out)
{
	const char *w = need(p, what);
	char *end;
	long v;

	if (!w)
		return -1;
	if (negative_number(w))
		return fail(p, "%s: %s '%s': negative numbers are not allowed "
			    "(expected %ld..%ld)", p->tok[0], what, w, min, max);
	errno = 0;
	v = strtol(w, &end, 10);
	if (errno || end == w || *end || !isdigit((unsigned char)w[0]) ||
	    v < min || v > max)
		return fail(p, "%s: %s '%s' is not a number in %ld..%ld",
			    p->tok[0], what, w, min, max);
	*out = v;
	return 0;
}

static int keyword(struct parser *p, const char *what,
		   const char *const *names, int n, int *out)
{
	const char *w = need(p, what);
	int i, len = 0;
	char list[256];

	if (!w)
		return -1;
	*out = lookup(names, n, w);
	if (*out >= 0)
		return 0;
	list[0] = 0;
	for (i = 0; i < n; i++)
		if (names[i])
			len += snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? "|" : "", names[i]);
	return fail(p, "%s: unknown %s '%s' (expected %s)", p->tok[0], what, w,
		    list);
}

static int find_region(const struct scn_script *s, const char *name)
{
	int i;

	for (i = 0; i < s->nregions; i++)
		if (!strcmp(s->regions[i].name, name))
			return i;
	return -1;
}

static int find_mirror(const struct scn_script *s, const char *name)
{
	int i;

	for (i = 0; i < s->nmirrors; i++)
		if (!strcmp(s->mirrors[i].name, name))
			return i;
	return -1;
}

static int find_proc(const struct scn_script *s, const char *name)
{
	int i;

	for (i = 0; i < s->nprocs; i++)
		if (!strcmp(s->procs[i], name))
			return i;
	return -1;
}

/* REGION [OFF N]: a region the process sees, and a range inside it. */
static int range(struct parser *p, struct scn_step *st, long min_pages)
{
	const char *w = need(p, "region");
	const struct scn_region *r;
	long off, n;

	if (!w)
		return -1;
	st->region = find_region(p->s, w);
	if (st->region < 0)
		return fail(p, "%s: no region '%s' (map it first)", p->tok[0],
			    w);
	if (!(p->visible[st->proc] & (1ULL << st->region)))
		return fail(p, "%s: region '%s' is not in process '%s'",
			    p->tok[0], w, p->s->procs[st->proc]);
	r = &p->s->regions[st->region];
	if (!peek(p) || !(isdigit((unsigned char)peek(p)[0]) ||
			  negative_number(peek(p)))) {
		st->off = 0;
		st->npages = r->npages;
		return 0;
	}
	if (number(p, "offset", 0, r->npages, &off) ||
	    number(p, "page count", min_pages, r->npages, &n))
		return -1;
	if ((unsigned long)(off + n) > r->npages)
		return fail(p, "%s: pages %ld..%ld are outside region '%s' "
			    "(%lu pages)", p->tok[0], off, off + n - 1, w,
			    r->npages);
	st->off = off;
	st->npages = n;
	return 0;
}

/* i, i+N, i-N, -i, -i+N, -i-N, bXX, seedN */
static int pattern(struct parser *p, struct scn_step *st)
{
	const char *w = need(p, "pattern");
	struct scn_pattern *pat = &st->pattern;
	const char *q;
	char *end;

	if (!w)
		return -1;
	st->has_pattern = 1;
	pat->sign = 1;
	pat->add = 0;
	if (w[0] == 'b' && strlen(w) == 3 && isxdigit((unsigned char)w[1]) &&
	    isxdigit((unsigned char)w[2])) {
		pat->kind = SCN_PAT_BYTE;
		pat->add = strtol(w + 1, NULL, 16);
		return 0;
	}
	if (!strncmp(w, "seed", 4) && isdigit((unsigned char)w[4])) {
		pat->kind = SCN_PAT_SEED;
		errno = 0;
		pat->add = strtol(w + 4, &end, 10);
		if (!errno && !*end)
			return 0;
	}
	q = w;
	pat->kind = SCN_PAT_INDEX;
	if (*q == '-') {
		pat->sign = -1;
		q++;
	}
	if (*q == 'i') {
		q++;
		if (!*q)
			return 0;
		if ((*q == '+' || *q == '-') && isdigit((unsigned char)q[1])) {
			errno = 0;
			pat->add = strtol(q, &end, 10);
			if (!errno && !*end && labs(pat->add) < (1L << 30))
				return 0;
		}
	}
	return fail(p, "%s: bad pattern '%s' (expected i, i+N, -i, -i+N, "
		    "bXX or seedN)", p->tok[0], w);
}

static void render_pattern(const struct scn_pattern *pat, char *out,
			   size_t len)
{
	switch (pat->kind) {
	case SCN_PAT_BYTE:
		snprintf(out, len, "b%02lx", pat->add);
		break;
	case SCN_PAT_SEED:
		snprintf(out, len, "seed%ld", pat->add);
		break;
	default:
		snprintf(out, len, "%si%s%.0ld", pat->sign < 0 ? "-" : "",
			 pat->add > 0 ? "+" : "", pat->add);
		break;
	}
}

/* The canonical text of a step: what the transcript shows. */
static void render(const struct scn_script *s, struct scn_step *st)
{
	char *o = st->canon, pat[48] = "";
	size_t len = sizeof(st->canon);
	int n = 0;

	if (st->proc)
		n += snprintf(o + n, len - n, "@%s ", s->procs[st->proc]);
	n += snprintf(o + n, len - n, "%s", scn_op_names[st->op]);
	switch (st->op) {
	case SCN_THP:
		snprintf(o + n, len - n, " %s", thp_names[st->arg]);
		return;
	case SCN_OPEN:
		snprintf(o + n, len - n, " %s %s %d", s->mirrors[st->mirror].name,
			 s->mirrors[st->mirror].type ==
			 HMM_DMIRROR_MEMORY_DEVICE_PRIVATE ? "private" :
			 "coherent", s->mirrors[st->mirror].index);
		return;
	case SCN_CLOSE:
		snprintf(o + n, len - n, " %s", s->mirrors[st->mirror].name);
		return;
	case SCN_MMAP: {
		const struct scn_region *r = &s->regions[st->region];

		n += snprintf(o + n, len - n, " %s %lu %s", r->name, r->npages,
			      scn_map_names[r->kind]);
		if (r->kind == SCN_MAP_DEVFILE)
			n += snprintf(o + n, len - n, ":%s",
				      s->mirrors[r->mirror].name);
		snprintf(o + n, len - n, " %s", prot_names[r->prot]);
		return;
	}
	case SCN_FORK:
	case SCN_WAIT:
		snprintf(o + n, len - n, " %s", s->procs[st->child]);
		return;
	case SCN_EXIT:
		snprintf(o + n, len - n, " %d", st->arg);
		return;
	case SCN_UNPIN:
		return;
	case SCN_GUP:
		n += snprintf(o + n, len - n, " %s", scn_gup_names[st->arg]);
		break;
	case SCN_DEV:
		n += snprintf(o + n, len - n, " %s %s", scn_dev_names[st->arg],
			      s->mirrors[st->mirror].name);
		break;
	default:
		break;
	}
	if (st->has_pattern)
		render_pattern(&st->pattern, pat + 1, sizeof(pat) - 1), pat[0] = ' ';
	n += snprintf(o + n, len - n, " %s %lu %lu%s",
		      s->regions[st->region].name, st->off, st->npages, pat);
	if (st->op == SCN_MPROTECT)
		n += snprintf(o + n, len - n, " %s", prot_names[st->arg]);
	if (st->op == SCN_MADVISE)
		n += snprintf(o + n, len - n, " %s", scn_madv_names[st->arg]);
	if ((st->op == SCN_GUP || st->op == SCN_PIN) &&
	    !(st->flags & SCN_GUP_WRITE))
		n += snprintf(o + n, len - n, " ro");
	if (st->op == SCN_GUP && (st->flags & SCN_GUP_LONGTERM))
		n += snprintf(o + n, len - n, " longterm");
	if (st->op == SCN_PIN && (st->flags & SCN_GUP_FAST))
		snprintf(o + n, len - n, " fast");
}

/* none, r or rw (prot_names also has "w", which no step accepts). */
static int prot_word(struct parser *p, int *prot)
{
	const char *w = need(p, "protection");

	if (!w)
		return -1;
	*prot = lookup(prot_names, 4, w);
	if (*prot == SCN_PROT_WRITE)
		return fail(p, "%s: write-only protection is not supported "
			    "(use rw)", p->tok[0]);
	if (*prot >= 0)
		return 0;
	if (strchr(w, 'x'))
		return fail(p, "%s: protection '%s': execute permission is not "
			    "modelled (expected none|r|rw)", p->tok[0], w);
	return fail(p, "%s: unknown protection '%s' (expected none|r|rw)",
		    p->tok[0], w);
}

static int parse_mmap(struct parser *p, struct scn_step *st)
{
	struct scn_script *s = p->s;
	struct scn_region *r;
	const char *name = need(p, "region name"), *kind;
	char kbuf[SCN_NAME_MAX * 2];
	char *colon;
	long npages;

	if (!name)
		return -1;
	if (!valid_name(name))
		return fail(p, "mmap: bad region name '%s'", name);
	if (find_region(s, name) >= 0)
		return fail(p, "mmap: region '%s' is already mapped", name);
	if (s->nregions >= SCN_MAX_REGIONS)
		return fail(p, "mmap: more than %d regions", SCN_MAX_REGIONS);
	if (number(p, "page count", 1, SCN_MAX_REGION_PAGES, &npages))
		return -1;
	kind = need(p, "kind");
	if (!kind)
		return -1;
	r = &s->regions[s->nregions];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->npages = npages;
	r->mirror = -1;
	r->proc = st->proc;
	snprintf(kbuf, sizeof(kbuf), "%s", kind);
	colon = strchr(kbuf, ':');
	if (colon)
		*colon++ = 0;
	r->kind = lookup(scn_map_names, SCN_NR_MAPS, kbuf);
	if (r->kind < 0)
		return fail(p, "mmap: unknown kind '%s' (expected anon|"
			    "anon-shared|file-shared|file-private|hugetlb|"
			    "devfile:MIRROR)", kind);
	if ((r->kind == SCN_MAP_DEVFILE) != !!colon)
		return fail(p, "mmap: %s", colon ?
			    "only devfile takes ':MIRROR'" :
			    "devfile needs ':MIRROR'");
	if (colon) {
		r->mirror = find_mirror(s, colon);
		if (r->mirror < 0 || p->closed[r->mirror] ||
		    s->mirrors[r->mirror].proc != st->proc)
			return fail(p, "mmap: no open mirror '%s' in this "
				    "process", colon);
		s->features |= 1u << SCN_FEAT_DEVFILE;
	}
	if (r->kind == SCN_MAP_HUGETLB) {
		if (npages % 512)
			return fail(p, "mmap: a hugetlb region is a multiple "
				    "of 512 pages (2 MiB)");
		s->features |= 1u << SCN_FEAT_HUGETLB;
	}
	if (r->kind == SCN_MAP_FILE_SHARED || r->kind == SCN_MAP_FILE_PRIVATE)
		s->features |= 1u << SCN_FEAT_FILE;
	if (r->kind == SCN_MAP_FILE_PRIVATE)
		s->features |= 1u << SCN_FEAT_FILE_PRIVATE;
	if (prot_word(p, &r->prot))
		return -1;
	st->region = s->nregions++;
	p->visible[st->proc] |= 1ULL << st->region;
	return 0;
}

static int parse_open(struct parser *p, struct scn_step *st)
{
	struct scn_script *s = p->s;
	struct scn_mirror *m;
	const char *name = need(p, "mirror name");
	static const char *const types[] = { "private", "coherent" };
	int type;
	long index = 0;

	if (!name)
		return -1;
	if (!valid_name(name))
		return fail(p, "open: bad mirror name '%s'", name);
	if (find_mirror(s, name) >= 0)
		return fail(p, "open: mirror '%s' already exists", name);
	if (s->nmirrors >= SCN_MAX_MIRRORS)
		return fail(p, "open: more than %d mirrors", SCN_MAX_MIRRORS);
	if (keyword(p, "device type", types, 2, &type))
		return -1;
	if (peek(p) && number(p, "device index", 0, 1, &index))
		return -1;
	m = &s->mirrors[s->nmirrors];
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = type ? HMM_DMIRROR_MEMORY_DEVICE_COHERENT :
			 HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
	m->index = index;
	m->proc = st->proc;
	if (type)
		s->features |= 1u << SCN_FEAT_COHERENT;
	st->mirror = s->nmirrors++;
	return 0;
}

/* A mirror open in this process. */
static int mirror_ref(struct parser *p, struct scn_step *st)
{
	const char *w = need(p, "mirror");

	if (!w)
		return -1;
	st->mirror = find_mirror(p->s, w);
	if (st->mirror < 0)
		return fail(p, "%s: no mirror '%s' (open it first)", p->tok[0],
			    w);
	if (p->closed[st->mirror])
		return fail(p, "%s: mirror '%s' is closed", p->tok[0], w);
	if (p->s->mirrors[st->mirror].proc != st->proc)
		return fail(p, "%s: mirror '%s' belongs to process '%s'",
			    p->tok[0], w,
			    p->s->procs[p->s->mirrors[st->mirror].proc]);
	return 0;
}

static int parse_gup_flags(struct parser *p, struct scn_step *st)
{
	const char *w;

	st->flags = SCN_GUP_WRITE;
	while ((w = peek(p))) {
		p->next++;
		if (!strcmp(w, "ro"))
			st->flags &= ~SCN_GUP_WRITE;
		else if (!strcmp(w, "longterm") && st->op == SCN_GUP)
			st->flags |= SCN_GUP_LONGTERM;
		else if (!strcmp(w, "fast") && st->op == SCN_PIN)
			st->flags |= SCN_GUP_FAST;
		else
			return fail(p, "%s: unknown flag '%s' (expected %s)",
				    p->tok[0], w, st->op == SCN_GUP ?
				    "ro or longterm" : "ro or fast");
	}
	p->s->features |= 1u << SCN_FEAT_GUP;
	return 0;
}

static int parse_process_step(struct parser *p, struct scn_step *st)
{
	struct scn_script *s = p->s;
	const char *name;
	long code = 0;

	switch (st->op) {
	case SCN_FORK:
		name = need(p, "child name");
		if (!name)
			return -1;
		if (!valid_name(name))
			return fail(p, "fork: bad process name '%s'", name);
		if (find_proc(s, name) >= 0)
			return fail(p, "fork: process '%s' already exists",
				    name);
		if (s->nprocs >= SCN_MAX_PROCS)
			return fail(p, "fork: more than %d processes",
				    SCN_MAX_PROCS);
		st->child = s->nprocs++;
		snprintf(s->procs[st->child], SCN_NAME_MAX, "%s", name);
		p->alive[st->child] = 1;
		p->parent[st->child] = st->proc;
		p->visible[st->child] = p->visible[st->proc];
		return 0;
	case SCN_EXIT:
		if (!st->proc)
			return fail(p, "exit: the first process does not exit "
				    "(it ends with the script)");
		if (peek(p) && number(p, "exit code", 0, 255, &code))
			return -1;
		if (p->pin_proc == st->proc)
			return fail(p, "exit: process '%s' still holds a pin",
				    s->procs[st->proc]);
		st->arg = code;
		p->alive[st->proc] = 0;
		p->exited[st->proc] = 1;
		return 0;
	default:	/* SCN_WAIT */
		name = need(p, "child name");
		if (!name)
			return -1;
		st->child = find_proc(s, name);
		if (st->child < 0)
			return fail(p, "wait: no process '%s'", name);
		if (p->parent[st->child] != st->proc || !st->child)
			return fail(p, "wait: '%s' is not a child of '%s'",
				    name, s->procs[st->proc]);
		if (!p->exited[st->child])
			return fail(p, "wait: '%s' has not exited yet (it "
				    "would wait forever)", name);
		if (p->waited[st->child])
			return fail(p, "wait: '%s' was already waited for",
				    name);
		p->waited[st->child] = 1;
		return 0;
	}
}

static int parse_step(struct parser *p, struct scn_step *st)
{
	struct scn_script *s = p->s;

	switch (st->op) {
	case SCN_THP:
		if (keyword(p, "THP mode", thp_names, 3, &st->arg))
			return -1;
		if (st->arg != SCN_THP_NEVER)
			s->features |= 1u << SCN_FEAT_THP;
		return 0;
	case SCN_OPEN:
		return parse_open(p, st);
	case SCN_CLOSE:
		if (mirror_ref(p, st))
			return -1;
		p->closed[st->mirror] = 1;
		return 0;
	case SCN_MMAP:
		return parse_mmap(p, st);
	case SCN_MUNMAP:
	case SCN_READ:
	case SCN_TOUCH:
	case SCN_INCR:
	case SCN_SUM:
		return range(p, st, 1);
	case SCN_MPROTECT:
		return range(p, st, 1) || prot_word(p, &st->arg) ? -1 : 0;
	case SCN_MADVISE:
		if (range(p, st, 1) ||
		    keyword(p, "advice", scn_madv_names, SCN_NR_MADVS,
			    &st->arg))
			return -1;
		if (st->arg == SCN_MADV_COLLAPSE)
			s->features |= 1u << SCN_FEAT_COLLAPSE;
		if (st->arg == SCN_MADV_HUGEPAGE ||
		    st->arg == SCN_MADV_COLLAPSE)
			s->features |= 1u << SCN_FEAT_THP;
		return 0;
	case SCN_WRITE:
		return range(p, st, 1) || pattern(p, st) ? -1 : 0;
	case SCN_GUP:
		if (keyword(p, "gup mode", scn_gup_names, SCN_GUP_HOLD,
			    &st->arg))
			return -1;
		return range(p, st, 1) || parse_gup_flags(p, st) ? -1 : 0;
	case SCN_PIN:
		if (p->pin_proc >= 0)
			return fail(p, "pin: a pin is already held (unpin it "
				    "first: gup_test holds one set)");
		p->pin_proc = st->proc;
		st->arg = SCN_GUP_HOLD;
		return range(p, st, 1) || parse_gup_flags(p, st) ? -1 : 0;
	case SCN_UNPIN:
		if (p->pin_proc != st->proc)
			return fail(p, "unpin: no pin held by this process");
		p->pin_proc = -1;
		st->arg = SCN_GUP_RELEASE;
		return 0;
	case SCN_DEV:
		if (keyword(p, "device command", scn_dev_names, SCN_NR_DEVS,
			    &st->arg) || mirror_ref(p, st) || range(p, st, 0))
			return -1;
		if (st->arg == SCN_DEV_WRITE)
			return pattern(p, st);
		return 0;
	default:
		return parse_process_step(p, st);
	}
}

/* Split @line into tokens (in place); "=> ..." goes to @expect. */
static int tokenize(struct parser *p, char *line, char *expect, size_t elen)
{
	char *c, *arrow;

	c = strchr(line, '#');
	if (c)
		*c = 0;
	expect[0] = 0;
	arrow = strstr(line, "=>");
	if (arrow) {
		char *e = arrow + 2, *tok;
		size_t n = 0;

		*arrow = 0;
		for (tok = strtok(e, " \t\r"); tok; tok = strtok(NULL, " \t\r"))
			n += snprintf(expect + n, elen - n, "%s%s",
				      n ? " " : "", tok);
		if (!n)
			return fail(p, "'=>' with nothing expected after it");
	}
	p->ntok = 0;
	p->next = 0;
	for (c = strtok(line, " \t\r"); c; c = strtok(NULL, " \t\r")) {
		if (p->ntok == SCN_MAX_TOKENS)
			return fail(p, "too many words on one line");
		p->tok[p->ntok++] = c;
	}
	if (arrow && !p->ntok)
		return fail(p, "'=>' needs a step before it");
	return 0;
}

static int parse_requires(struct parser *p)
{
	int i, f;

	for (i = 1; i < p->ntok; i++) {
		f = lookup(scn_feature_names, SCN_NR_FEATURES, p->tok[i]);
		if (f < 0)
			return fail(p, "requires: unknown feature '%s'",
				    p->tok[i]);
		p->s->features |= 1u << f;
	}
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	struct scn_script *s = p->s;
	struct scn_step st;
	const char *w;
	int proc = 0;

	memset(&st, 0, sizeof(st));
	if (tokenize(p, line, st.expect, sizeof(st.expect)))
		return -1;
	if (!p->ntok)
		return 0;
	if (!strcmp(p->tok[0], "requires:"))
		return parse_requires(p);
	if (p->tok[0][0] == '@') {
		proc = find_proc(s, p->tok[0] + 1);
		if (proc < 0)
			return fail(p, "no process '%s' (fork it first)",
				    p->tok[0] + 1);
		if (!p->alive[proc])
			return fail(p, "process '%s' has exited", p->tok[0] + 1);
		if (p->ntok == 1)
			return fail(p, "'%s' without a step", p->tok[0]);
		memmove(p->tok, p->tok + 1, --p->ntok * sizeof(p->tok[0]));
	}
	w = need(p, "step");
	st.op = lookup(scn_op_names, SCN_NR_OPS, w);
	if ((int)st.op < 0)
		return fail(p, "unknown step '%s'", w);
	st.line = p->line;
	st.proc = proc;
	st.region = -1;
	st.mirror = -1;
	st.child = -1;
	if (parse_step(p, &st))
		return -1;
	if (p->next < p->ntok)
		return fail(p, "%s: unexpected '%s' at the end", p->tok[0],
			    p->tok[p->next]);
	render(s, &st);
	if (s->nsteps == p->cap) {
		struct scn_step *n;

		p->cap = p->cap ? 2 * p->cap : 64;
		n = realloc(s->steps, p->cap * sizeof(*n));
		if (!n)
			return fail(p, "out of memory");
		s->steps = n;
	}
	s->steps[s->nsteps++] = st;
	return 0;
}

int scn_parse(const char *file, const char *text, struct scn_script *s,
	      char *err, size_t errlen)
{
	struct parser p;
	const char *cur = text;
	char line[SCN_LINE_MAX];

	memset(s, 0, sizeof(*s));
	memset(&p, 0, sizeof(p));
	snprintf(s->file, sizeof(s->file), "%s", file);
	snprintf(s->procs[0], SCN_NAME_MAX, "main");
	s->nprocs = 1;
	p.s = s;
	p.err = err;
	p.errlen = errlen;
	p.alive[0] = 1;
	p.parent[0] = -1;
	p.pin_proc = -1;
	while (*cur) {
		const char *nl = strchr(cur, '\n');
		size_t n = nl ? (size_t)(nl - cur) : strlen(cur);

		p.line++;
		if (n >= sizeof(line)) {
			fail(&p, "line longer than %d characters",
			     SCN_LINE_MAX - 1);
			goto bad;
		}
		memcpy(line, cur, n);
		line[n] = 0;
		if (parse_line(&p, line))
			goto bad;
		cur += n + (nl ? 1 : 0);
	}
	if (!s->nsteps) {
		snprintf(err, errlen, "%s:%d: no steps in the script", file,
			 p.line ? p.line : 1);
		goto bad;
	}
	return 0;
bad:
	scn_script_free(s);
	return -1;
}

int scn_parse_file(const char *path, struct scn_script *s, char *err,
		   size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long len;
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s:0: cannot open: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) || len > (1L << 24)) {
		fclose(f);
		snprintf(err, errlen, "%s:0: cannot read (or larger than "
			 "16 MiB)", path);
		return -1;
	}
	text = malloc(len + 1);
	if (!text || fread(text, 1, len, f) != (size_t)len) {
		free(text);
		fclose(f);
		snprintf(err, errlen, "%s:0: cannot read", path);
		return -1;
	}
	fclose(f);
	text[len] = 0;
	if (strlen(text) != (size_t)len) {
		int line = 1;
		char *c;

		for (c = text; *c; c++)
			line += *c == '\n';
		free(text);
		snprintf(err, errlen, "%s:%d: NUL byte in the script", path,
			 line);
		return -1;
	}
	ret = scn_parse(path, text, s, err, errlen);
	free(text);
	return ret;
}

void scn_script_free(struct scn_script *s)
{
	free(s->steps);
	s->steps = NULL;
	s->nsteps = 0;
}
