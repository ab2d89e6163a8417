// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the interpreter: runs a parsed scenario on a backend and writes
 * its transcript.
 *
 * Each step becomes one line "STEP -> RESULT", STEP in the canonical form
 * parse.c renders and RESULT the outcome as any program in that world
 * would observe it: "0", an errno name, or SIGSEGV/SIGBUS with the page
 * that faulted, then key=value tokens:
 *
 *	cpages= faults=	the mirror command's outputs (successful commands)
 *	data=		bytes read (CPU or device), page by page, as runs of
 *			recognised patterns ("0*2,i*1022"; see data_summary())
 *	snap=		SNAPSHOT bytes, hex, as runs ("ff*2,11,01,02")
 *	sum=		FNV-1a 64 of the bytes read
 *	status=		exit code of a waited-for child
 *
 * What the transcript leaves out, because it differs between worlds without
 * either being wrong: addresses, CPU fault counts, timing, which physical
 * pages or device chunks were used.  THP is "never" unless the script says.
 * Regions are placed at fixed addresses (SCN_REGION_ADDR), the same in
 * every world, so placement is no source of difference either.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "shadow.h"

struct scn_run {
	const struct scn_script *s;
	struct scn_backend *be;
	const struct scn_run_opts *opts;
	unsigned long addr[SCN_MAX_REGIONS];
	int cur;			/* current process */
	int proc_alive[SCN_MAX_PROCS];
	int mirror_open[SCN_MAX_MIRRORS];
	int pinned;			/* a HOLD pin is held */
	unsigned char *buf;		/* the largest region's worth */
	unsigned long buf_pages;
	struct scn_summary *sum;
};

static const struct {
	int err;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
	{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
	{ EBADF, "EBADF" }, { ECHILD, "ECHILD" }, { EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { ENODEV, "ENODEV" },
	{ EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" },
	{ ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EHWPOISON, "EHWPOISON" },
};

const char *scn_errno_name(int err)
{
	static __thread char other[16];
	size_t i;

	if (err < 0)
		err = -err;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].err == err)
			return errno_names[i].name;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

/* ------------------------------------------------------------------------
 * Patterns and what was read.
 */

static uint64_t seed_word(long seed, unsigned long word)
{
	uint64_t x = (uint64_t)seed * 0x9E3779B97F4A7C15ull + word;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

void scn_pattern_fill(unsigned char *buf, unsigned long off,
			 unsigned long npages, const struct scn_pattern *pat)
{
	unsigned long k, nints = npages * SCN_INTS_PER_PAGE;
	unsigned long base = off * SCN_INTS_PER_PAGE;
	unsigned int *v = (unsigned int *)buf;
	uint64_t *w = (uint64_t *)buf;

	switch (pat->kind) {
	case SCN_PAT_BYTE:
		memset(buf, (int)pat->add, npages * SCN_PAGE_SIZE);
		break;
	case SCN_PAT_SEED:
		for (k = 0; k < nints / 2; k++)
			w[k] = seed_word(pat->add, base / 2 + k);
		break;
	default:
		for (k = 0; k < nints; k++)
			v[k] = (unsigned int)(pat->sign * (long)(base + k) +
					      pat->add);
		break;
	}
}

static uint64_t fnv64(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* One page's class: 0, bXX, i, i+N, -i, -i+N, or #hash. */
static void page_class(const unsigned char *page, unsigned long pgoff,
		       char *out, size_t len)
{
	const unsigned int *v = (const unsigned int *)page;
	unsigned long k, base = pgoff * SCN_INTS_PER_PAGE;
	unsigned int c;
	int sign;

	for (k = 1; k < SCN_PAGE_SIZE && page[k] == page[0]; k++)
		;
	if (k == SCN_PAGE_SIZE) {
		if (page[0])
			snprintf(out, len, "b%02x", page[0]);
		else
			snprintf(out, len, "0");
		return;
	}
	for (sign = 1; sign >= -1; sign -= 2) {
		c = v[0] - (unsigned int)(sign * (long)base);
		for (k = 1; k < SCN_INTS_PER_PAGE; k++)
			if (v[k] - (unsigned int)(sign * (long)(base + k)) != c)
				break;
		if (k == SCN_INTS_PER_PAGE) {
			int add = (int)c;

			snprintf(out, len, "%si%s%.0d", sign < 0 ? "-" : "",
				 add > 0 ? "+" : "", add);
			return;
		}
	}
	snprintf(out, len, "#%08x", (unsigned int)fnv64(page, SCN_PAGE_SIZE));
}

/*
 * Longest run list printed as it is.  A longer one (thousands of pages that
 * match no pattern) is printed as its length and hash instead: still exact
 * when two worlds are compared, and never cut short by the result buffer.
 */
#define SCN_RUNS_MAX	1024

/* Append " key=RUNS" to @out (at offset *n), RUNS as above. */
static void put_runs(char *out, size_t len, size_t *n, const char *key,
		     const char *runs)
{
	size_t l = strlen(runs);

	if (*n >= len)
		return;
	if (l > SCN_RUNS_MAX)
		*n += snprintf(out + *n, len - *n, " %s=runs#%016llx", key,
			       (unsigned long long)fnv64((const void *)runs, l));
	else
		*n += snprintf(out + *n, len - *n, " %s=%s", key, runs);
}

/* Room for a run list of @npages: one class and count per page at most. */
static char *runs_alloc(unsigned long npages, size_t *len)
{
	char *runs;

	*len = npages * 48 + 1;
	runs = malloc(*len);
	if (!runs) {
		fprintf(stderr, "devmig: out of memory\n");
		exit(1);
	}
	runs[0] = 0;
	return runs;
}

/* Append " data=" and runs "class*count" to @out (at offset *n). */
static void data_summary(char *out, size_t len, size_t *n,
			 const unsigned char *buf, unsigned long off,
			 unsigned long npages)
{
	char prev[32] = "", cls[32];
	unsigned long i, run = 0;
	size_t rlen, r = 0;
	char *runs = runs_alloc(npages, &rlen);

	for (i = 0; i <= npages; i++) {
		if (i < npages)
			page_class(buf + i * SCN_PAGE_SIZE, off + i, cls,
				   sizeof(cls));
		if (i < npages && run && !strcmp(cls, prev)) {
			run++;
			continue;
		}
		if (run)
			r += snprintf(runs + r, rlen - r, "%s", prev);
		if (run > 1)
			r += snprintf(runs + r, rlen - r, "*%lu", run);
		if (run && i < npages)
			r += snprintf(runs + r, rlen - r, ",");
		if (i < npages) {
			strcpy(prev, cls);
			run = 1;
		}
	}
	put_runs(out, len, n, "data", runs);
	free(runs);
}

/* Append " snap=" and runs "byte*count" to @out (at offset *n). */
static void snap_summary(char *out, size_t len, size_t *n,
			 const unsigned char *b, unsigned long npages)
{
	unsigned long i, j;
	size_t rlen, r = 0;
	char *runs = runs_alloc(npages, &rlen);

	for (i = 0; i < npages; i = j) {
		for (j = i + 1; j < npages && b[j] == b[i]; j++)
			;
		r += snprintf(runs + r, rlen - r, "%s%02x", i ? "," : "", b[i]);
		if (j - i > 1)
			r += snprintf(runs + r, rlen - r, "*%lu", j - i);
	}
	put_runs(out, len, n, "snap", runs);
	free(runs);
}

/* ------------------------------------------------------------------------
 * Steps.
 */

static void put_rc(struct scn_result *res, size_t *n, int rc)
{
	*n += snprintf(res->text + *n, sizeof(res->text) - *n, "%s",
		       rc ? scn_errno_name(rc) : "0");
}

/* A CPU access failed at region page @pg: as the program would see it. */
static void put_cpu_fault(struct scn_result *res, size_t *n, int rc,
			  unsigned long pg)
{
	const char *sig = rc == -EFAULT ? "SIGSEGV" : rc == -EIO ? "SIGBUS" :
			  scn_errno_name(rc);

	*n += snprintf(res->text + *n, sizeof(res->text) - *n, "%s page=%lu",
		       sig, pg);
}

/* CPU steps: page by page, so a fault names its page. */
static int cpu_step(struct scn_run *run, const struct scn_step *st,
		    struct scn_result *res, size_t *n)
{
	const struct scn_backend_ops *ops = run->be->ops;
	unsigned long base = run->addr[st->region] + st->off * SCN_PAGE_SIZE;
	unsigned char *b = run->buf;
	unsigned long i, k;
	int rc = 0;

	if (st->op == SCN_WRITE)
		scn_pattern_fill(b, st->off, st->npages, &st->pattern);
	for (i = 0; i < st->npages && !rc; i++) {
		unsigned long a = base + i * SCN_PAGE_SIZE;
		unsigned char *p = b + i * SCN_PAGE_SIZE;

		switch (st->op) {
		case SCN_WRITE:
			rc = ops->store(run->be, a, p, SCN_PAGE_SIZE);
			break;
		case SCN_TOUCH:
			rc = ops->load(run->be, a, p, sizeof(int));
			break;
		case SCN_INCR:
			rc = ops->load(run->be, a, p, SCN_PAGE_SIZE);
			for (k = 0; !rc && k < SCN_INTS_PER_PAGE; k++)
				((unsigned int *)p)[k]++;
			if (!rc)
				rc = ops->store(run->be, a, p, SCN_PAGE_SIZE);
			break;
		default:	/* READ, SUM */
			rc = ops->load(run->be, a, p, SCN_PAGE_SIZE);
			break;
		}
		if (rc)
			put_cpu_fault(res, n, rc, st->off + i);
	}
	res->done = rc ? i - 1 : i;
	if (rc)
		return rc;
	put_rc(res, n, 0);
	if (st->op == SCN_READ)
		data_summary(res->text, sizeof(res->text), n, b, st->off,
			     st->npages);
	if (st->op == SCN_SUM)
		*n += snprintf(res->text + *n, sizeof(res->text) - *n,
			       " sum=%016llx", (unsigned long long)
			       fnv64(b, st->npages * SCN_PAGE_SIZE));
	return 0;
}

static const unsigned int dev_commands[SCN_NR_DEVS] = {
	[SCN_DEV_READ] = HMM_DMIRROR_READ,
	[SCN_DEV_WRITE] = HMM_DMIRROR_WRITE,
	[SCN_DEV_MIGRATE] = HMM_DMIRROR_MIGRATE_TO_DEV,
	[SCN_DEV_MIGRATE_SYS] = HMM_DMIRROR_MIGRATE_TO_SYS,
	[SCN_DEV_SNAPSHOT] = HMM_DMIRROR_SNAPSHOT,
	[SCN_DEV_EXCLUSIVE] = HMM_DMIRROR_EXCLUSIVE,
	[SCN_DEV_CHECK_EXCLUSIVE] = HMM_DMIRROR_CHECK_EXCLUSIVE,
	[SCN_DEV_RELEASE] = HMM_DMIRROR_RELEASE,
};

static int dev_step(struct scn_run *run, const struct scn_step *st,
		    struct scn_result *res, size_t *n)
{
	struct hmm_dmirror_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.addr = run->addr[st->region] + st->off * SCN_PAGE_SIZE;
	cmd.ptr = (unsigned long)run->buf;
	cmd.npages = st->npages;
	if (st->arg == SCN_DEV_WRITE)
		scn_pattern_fill(run->buf, st->off, st->npages, &st->pattern);
	else
		memset(run->buf, 0, st->npages * SCN_PAGE_SIZE);
	rc = run->be->ops->dev_ioctl(run->be, st->mirror,
				     dev_commands[st->arg], &cmd);
	put_rc(res, n, rc);
	if (rc || st->arg == SCN_DEV_CHECK_EXCLUSIVE ||
	    st->arg == SCN_DEV_RELEASE)
		return rc;
	*n += snprintf(res->text + *n, sizeof(res->text) - *n,
		       " cpages=%llu faults=%llu", cmd.cpages, cmd.faults);
	switch (st->arg) {
	case SCN_DEV_READ:
	case SCN_DEV_MIGRATE:
	case SCN_DEV_EXCLUSIVE:
		data_summary(res->text, sizeof(res->text), n, run->buf,
			     st->off, st->npages);
		break;
	case SCN_DEV_SNAPSHOT:
		snap_summary(res->text, sizeof(res->text), n, run->buf,
			     st->npages);
		break;
	}
	return 0;
}

static int exec(struct scn_run *run, const struct scn_step *st,
		struct scn_result *res, size_t *n)
{
	const struct scn_backend_ops *ops = run->be->ops;
	struct scn_backend *be = run->be;
	const struct scn_region *r = st->region >= 0 ?
				     &run->s->regions[st->region] : NULL;
	unsigned long a = r ? run->addr[st->region] + st->off * SCN_PAGE_SIZE :
			  0, len = st->npages * SCN_PAGE_SIZE;
	const struct scn_mirror *m = st->mirror >= 0 ?
				     &run->s->mirrors[st->mirror] : NULL;
	int rc, code = 0;

	switch (st->op) {
	case SCN_THP:
		rc = ops->thp(be, st->arg);
		break;
	case SCN_OPEN:
		rc = ops->dev_open(be, st->mirror, m->type, m->index);
		run->mirror_open[st->mirror] = !rc;
		break;
	case SCN_CLOSE:
		rc = ops->dev_close(be, st->mirror);
		run->mirror_open[st->mirror] = 0;
		break;
	case SCN_MMAP:
		run->addr[st->region] = SCN_REGION_ADDR(st->region);
		rc = ops->mmap(be, r->kind, r->npages * SCN_PAGE_SIZE, r->prot,
			       r->mirror, &run->addr[st->region]);
		break;
	case SCN_MUNMAP:
		rc = ops->munmap(be, a, len);
		break;
	case SCN_MPROTECT:
		rc = ops->mprotect(be, a, len, st->arg);
		break;
	case SCN_MADVISE:
		rc = ops->madvise(be, a, len, st->arg);
		break;
	case SCN_WRITE:
	case SCN_READ:
	case SCN_TOUCH:
	case SCN_INCR:
	case SCN_SUM:
		return cpu_step(run, st, res, n);
	case SCN_GUP:
	case SCN_PIN:
	case SCN_UNPIN:
		rc = ops->gup(be, st->arg, a, st->npages, st->flags);
		if (st->op != SCN_GUP) {
			run->pinned = st->op == SCN_PIN && !rc;
			break;
		}
		if (rc < 0)
			break;
		*n += snprintf(res->text + *n, sizeof(res->text) - *n,
			       "0 pages=%d", rc);
		return 0;
	case SCN_DEV:
		return dev_step(run, st, res, n);
	case SCN_FORK:
		rc = ops->fork(be, st->child);
		run->proc_alive[st->child] = !rc;
		break;
	case SCN_EXIT:
		rc = ops->exit(be, st->proc, st->arg);
		run->proc_alive[st->proc] = 0;
		break;
	case SCN_WAIT:
		rc = ops->wait(be, st->child, &code);
		put_rc(res, n, rc);
		if (!rc)
			*n += snprintf(res->text + *n, sizeof(res->text) - *n,
				       " status=%d", code);
		return rc;
	default:
		rc = -ENOSYS;
		break;
	}
	put_rc(res, n, rc);
	return rc;
}

/*
 * Does the result satisfy "=> tokens"?  A bare token is compared with the
 * result's first token, key=value with the result's token of that key.
 */
static int expectation_holds(const char *expect, const char *result)
{
	char e[SCN_LINE_MAX], r[SCN_TEXT_MAX];
	char *etok, *esave, *rtok, *rsave;

	snprintf(e, sizeof(e), "%s", expect);
	for (etok = strtok_r(e, " ", &esave); etok;
	     etok = strtok_r(NULL, " ", &esave)) {
		const char *eq = strchr(etok, '=');
		size_t klen = eq ? (size_t)(eq - etok) + 1 : 0;
		int found = 0, first = 1;

		snprintf(r, sizeof(r), "%s", result);
		for (rtok = strtok_r(r, " ", &rsave); rtok && !found;
		     rtok = strtok_r(NULL, " ", &rsave), first = 0) {
			if (eq ? !strncmp(rtok, etok, klen) : first) {
				if (strcmp(rtok, etok))
					return 0;
				found = 1;
			}
		}
		if (!found)
			return 0;
	}
	return 1;
}

void scn_exec_step(struct scn_run *run, int i, struct scn_result *res)
{
	const struct scn_step *st = &run->s->steps[i];
	size_t n = 0;

	res->failed = 0;
	res->done = 0;
	res->text[0] = 0;
	res->rc = exec(run, st, res, &n);
	if (res->rc > 0)	/* gup: pages done */
		res->rc = 0;
	if (st->expect[0] && !expectation_holds(st->expect, res->text))
		res->failed = 1;
}

/* ------------------------------------------------------------------------
 * The run.
 */

/* The worlds linked into this program (a guest binary has no model). */
extern const struct scn_backend_ops scn_backend_model __attribute__((weak));
extern const struct scn_backend_ops scn_backend_linux __attribute__((weak));

const struct scn_backend_ops *scn_backend_find(const char *name)
{
	const struct scn_backend_ops *all[] = {
		&scn_backend_model, &scn_backend_linux,
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] && !strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

struct report_ctx {
	FILE *out;
};

static void report_violation(const char *msg, void *arg)
{
	struct report_ctx *ctx = arg;

	if (ctx->out)
		fprintf(ctx->out, "!! invariant: %s\n", msg);
}

static unsigned long check_world(struct scn_run *run)
{
	struct report_ctx ctx = { run->opts->out };

	if (!run->be->ops->check)
		return 0;
	return run->be->ops->check(run->be, report_violation, &ctx);
}

static int switch_to(struct scn_run *run, int proc)
{
	int rc = 0;

	if (run->cur != proc)
		rc = run->be->ops->enter(run->be, proc);
	if (!rc)
		run->cur = proc;
	return rc;
}

/* End what the script left running, as the processes' exits would. */
static void wind_down(struct scn_run *run)
{
	const struct scn_backend_ops *ops = run->be->ops;
	int i;

	if (run->pinned) {
		for (i = 0; i < run->s->nprocs; i++)
			if (run->proc_alive[i] && !switch_to(run, i) &&
			    !ops->gup(run->be, SCN_GUP_RELEASE, 0, 0, 0))
				break;
	}
	for (i = 0; i < run->s->nmirrors; i++)
		if (run->mirror_open[i] &&
		    !switch_to(run, run->s->mirrors[i].proc))
			ops->dev_close(run->be, i);
	for (i = run->s->nprocs - 1; i > 0; i--)
		if (run->proc_alive[i])
			ops->exit(run->be, i, 0);
	switch_to(run, 0);
}

int scn_run_script(const struct scn_script *s, struct scn_backend *be,
		   const struct scn_run_opts *opts, struct scn_summary *sum)
{
	const struct scn_backend_ops *ops = be->ops;
	struct scn_shadow *sh = NULL;
	struct scn_run run;
	struct scn_result *res;
	unsigned long viol;
	int i, f, warned, ret = 0;
	FILE *out = opts->out;

	memset(sum, 0, sizeof(*sum));
	for (f = 0; f < SCN_NR_FEATURES; f++) {
		const char *why;

		if (!(s->features & (1u << f)))
			continue;
		why = ops->unsupported(be, f);
		if (why) {
			sum->unsupported = scn_feature_names[f];
			if (out)
				fprintf(out, "unsupported: %s: %s\n",
					scn_feature_names[f], why);
			return 2;
		}
	}
	memset(&run, 0, sizeof(run));
	run.s = s;
	run.be = be;
	run.opts = opts;
	run.sum = sum;
	run.proc_alive[0] = 1;
	for (i = 0; i < s->nregions; i++)
		if (s->regions[i].npages > run.buf_pages)
			run.buf_pages = s->regions[i].npages;
	run.buf = calloc(run.buf_pages ? run.buf_pages : 1, SCN_PAGE_SIZE);
	res = malloc(sizeof(*res));
	if (!run.buf || !res) {
		free(run.buf);
		free(res);
		return 1;
	}
	ret = ops->start(be);
	if (ret) {
		sum->start_rc = ret;
		ops->finish(be);
		if (out)
			fprintf(out, "!! %s backend failed to start: %s\n",
				ops->name, scn_errno_name(ret));
		free(run.buf);
		free(res);
		return 1;
	}
	ret = 0;
	if (opts->step_done)
		opts->step_done(opts->arg, -1, NULL);
	if (opts->shadow && ops->peek)
		sh = scn_shadow_new(s);
	/* Every world starts from the same THP policy. */
	if (ops->thp(be, SCN_THP_NEVER) && (s->features & (1u << SCN_FEAT_THP)))
		ret = 1;
	/* A warning from before the first step is no step's. */
	if (ops->warned)
		ops->warned(be);
	for (i = 0; i < s->nsteps; i++) {
		const struct scn_step *st = &s->steps[i];

		if (ops->exec_in && st->proc != run.cur) {
			ops->exec_in(be, &run, st->proc, i, res);
		} else if ((res->rc = switch_to(&run, st->proc))) {
			snprintf(res->text, sizeof(res->text), "!! cannot "
				 "enter process '%s'", s->procs[st->proc]);
			res->failed = 1;
			res->done = 0;
		} else {
			scn_exec_step(&run, i, res);
		}
		/* A process's state as its parent sees it. */
		if (st->op == SCN_FORK && !res->rc)
			run.proc_alive[st->child] = 1;
		if (st->op == SCN_EXIT)
			run.proc_alive[st->proc] = 0;
		sum->steps++;
		warned = ops->warned && ops->warned(be);
		sum->warned_steps += warned;
		if (opts->step_done)
			opts->step_done(opts->arg, i, res);
		if (out) {
			fprintf(out, "%s -> %s%s", st->canon, res->text,
				warned ? " WARN" : "");
			if (res->failed)
				fprintf(out, "  !! expected %s", st->expect);
			fputc('\n', out);
			fflush(out);	/* all of it, should the world die */
		}
		if (res->failed) {
			sum->failed_expectations++;
			ret = 1;
		}
		if (ops->remark) {
			const char *note = ops->remark(be);

			if (note)
				fprintf(stderr, "%s:%d: note (step %d): %s\n",
					s->file, st->line, i + 1, note);
		}
		if (opts->check_every_step &&
		    !((i + 1) % opts->check_every_step)) {
			viol = check_world(&run);
			sum->violations += viol;
			if (viol)
				ret = 1;
		}
		if (sh) {
			unsigned long lost;

			scn_shadow_step(sh, st, res->rc, res->done);
			lost = scn_shadow_check(sh, be, run.addr, out);
			sum->shadow_mismatches += lost;
			if (lost)
				ret = 1;
		}
	}
	scn_shadow_free(sh);
	wind_down(&run);
	viol = check_world(&run);
	sum->violations += viol;
	if (viol)
		ret = 1;
	ops->finish(be);
	free(run.buf);
	free(res);
	return ret;
}
