// SPDX-License-Identifier: GPL-2.0
/*
 * backend_model.c - the "model" world: libdevmig in this process.
 *
 * One machine is booted for the life of the program; each script gets
 * fresh processes and four fresh mirror devices, numbered as the kernel's
 * test_hmm numbers them: private 0 and 1 (/dev/hmm_dmirror0, 1), coherent 0
 * and 1 (/dev/hmm_dmirror2, 3).  The interpreter's thread is a task of the
 * current process and switches process with ->enter().
 *
 * The mirror uapi takes user addresses for its data buffer, so each process
 * has a bounce mapping (shared anonymous memory, so that it never merges
 * with a scenario's mappings and a fork shares it rather than copying it)
 * through which the interpreter's buffer passes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devmig.h"
#include "scenario.h"

/* Small chunks keep chunk creation and eviction in play. */
#define MODEL_CHUNK_BYTES	(4UL << 20)
#define MODEL_BOUNCE_BYTES	(SCN_MAX_REGION_PAGES * SCN_PAGE_SIZE)
/* The guest's nr_hugepages (kernel/init.sh). */
#define MODEL_HUGEPAGES		16

struct model_proc {
	struct devmig_proc *proc;
	unsigned long bounce;		/* MODEL_BOUNCE_BYTES */
	int exit_code;
	int exited;
};

struct model_world {
	struct model_proc procs[SCN_MAX_PROCS];
	int cur;
	struct dmirror_device *dev[2][2];	/* [coherent][index] */
	struct dmirror *mirror[SCN_MAX_MIRRORS];
	int mirror_proc[SCN_MAX_MIRRORS];
	void **pins;			/* HOLD pins */
	unsigned long npins;
	unsigned long stale_lookups;	/* the devices' count, last remark */
	unsigned long warnings;		/* devmig_warnings(), last asked */
};

static struct model_world *world(struct scn_backend *be)
{
	return be->priv;
}

static int model_start(struct scn_backend *be)
{
	/* RAM enough for any script; small, so each invariant check is quick. */
	/* One CPU, as the guest make kernel-diff boots (-smp 1). */
	static const struct devmig_config machine = {
		.ram_bytes = 256UL << 20,
		.nr_cpus = 1,
	};
	struct dmirror_device_config cfg = { .chunk_bytes = MODEL_CHUNK_BYTES };
	struct model_world *w;
	long bounce;
	int ret, c, i;

	ret = devmig_boot(&machine);
	if (!ret)
		ret = devmig_set_nr_hugepages(MODEL_HUGEPAGES);
	if (ret)
		return ret;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	be->priv = w;
	for (c = 0; c < 2; c++) {
		cfg.type = c ? HMM_DMIRROR_MEMORY_DEVICE_COHERENT :
			       HMM_DMIRROR_MEMORY_DEVICE_PRIVATE;
		for (i = 0; i < 2; i++) {
			ret = dmirror_device_create(&cfg, &w->dev[c][i]);
			if (ret)
				return ret;
		}
	}
	w->procs[0].proc = devmig_proc_create();
	if (!w->procs[0].proc)
		return -ENOMEM;
	/*
	 * Mapped once, before the script maps anything, so that it never
	 * lands where the script unmapped something.
	 */
	bounce = devmig_mmap(w->procs[0].proc, MODEL_BOUNCE_BYTES,
			     DEVMIG_PROT_READ | DEVMIG_PROT_WRITE,
			     DEVMIG_MAP_SHARED);
	if (bounce < 0)
		return (int)bounce;
	w->procs[0].bounce = bounce;
	return 0;
}

static void close_mirrors_of(struct model_world *w, int proc)
{
	int i;

	for (i = 0; i < SCN_MAX_MIRRORS; i++) {
		if (w->mirror[i] && w->mirror_proc[i] == proc) {
			dmirror_close(w->mirror[i]);
			w->mirror[i] = NULL;
		}
	}
}

static void model_finish(struct scn_backend *be)
{
	struct model_world *w = world(be);
	int i, c;

	/* Each script fills the pool again: that allocation is a step too. */
	devmig_set_nr_hugepages(0);
	if (!w)
		return;
	for (i = SCN_MAX_PROCS - 1; i >= 0; i--) {
		if (w->procs[i].proc && !w->procs[i].exited) {
			devmig_proc_exit(w->procs[i].proc);
			close_mirrors_of(w, i);
		}
	}
	for (c = 0; c < 2; c++)
		for (i = 0; i < 2; i++)
			if (w->dev[c][i])
				dmirror_device_destroy(w->dev[c][i]);
	free(w->pins);
	free(w);
	be->priv = NULL;
}

/* The model runs every feature a script may need. */
static const char *model_unsupported(struct scn_backend *be,
				     enum scn_feature f)
{
	(void)be;
	(void)f;
	return NULL;
}

static int model_thp(struct scn_backend *be, enum scn_thp mode)
{
	static const int modes[] = {
		[SCN_THP_NEVER] = DEVMIG_THP_NEVER,
		[SCN_THP_MADVISE] = DEVMIG_THP_MADVISE,
		[SCN_THP_ALWAYS] = DEVMIG_THP_ALWAYS,
	};

	(void)be;
	return devmig_set_thp_mode(modes[mode]);
}

static struct devmig_proc *cur_proc(struct model_world *w)
{
	return w->procs[w->cur].proc;
}

static int model_fork(struct scn_backend *be, int child)
{
	struct model_world *w = world(be);
	struct devmig_proc *p = devmig_proc_fork(cur_proc(w));

	if (!p)
		return -ENOMEM;
	w->procs[child].proc = p;
	/* The bounce mapping is shared memory: the child has it too. */
	w->procs[child].bounce = w->procs[w->cur].bounce;
	return 0;
}

static int model_enter(struct scn_backend *be, int proc)
{
	struct model_world *w = world(be);

	if (!w->procs[proc].proc || w->procs[proc].exited)
		return -ESRCH;
	devmig_task_leave();
	w->cur = proc;
	return devmig_task_enter(w->procs[proc].proc);
}

/*
 * As do_exit(): the address space goes first (exit_mm), then the files
 * (exit_files), so a mirror's release finds the process's mappings gone.
 */
static int model_exit(struct scn_backend *be, int proc, int code)
{
	struct model_world *w = world(be);
	struct model_proc *p = &w->procs[proc];

	devmig_proc_exit(p->proc);
	close_mirrors_of(w, proc);
	p->exited = 1;
	p->exit_code = code;
	if (w->cur == proc)
		w->cur = -1;
	return 0;
}

static int model_wait(struct scn_backend *be, int proc, int *code)
{
	struct model_world *w = world(be);

	if (!w->procs[proc].exited)
		return -ECHILD;
	*code = w->procs[proc].exit_code;
	return 0;
}

/* A fresh tmpfs file of @len zero bytes, mapped; the mapping keeps it. */
static long model_mmap_memfd(struct devmig_proc *proc, unsigned long addr,
			     unsigned long len, int prot, int flags)
{
	struct file *file;
	long a;
	int ret;

	ret = devmig_memfd_create(len, &file);
	if (ret)
		return ret;
	a = devmig_mmap_file_fixed(proc, addr, file, len, prot, flags, 0);
	devmig_file_close(file);
	return a;
}

static int model_mmap(struct scn_backend *be, enum scn_map kind,
		      unsigned long len, int prot, int mirror,
		      unsigned long *addr)
{
	struct model_world *w = world(be);
	long a;

	switch (kind) {
	case SCN_MAP_ANON:
	case SCN_MAP_ANON_SHARED:
		a = devmig_mmap_fixed(cur_proc(w), *addr, len, prot,
				      kind == SCN_MAP_ANON ?
				      DEVMIG_MAP_PRIVATE : DEVMIG_MAP_SHARED);
		break;
	case SCN_MAP_FILE_SHARED:
	case SCN_MAP_FILE_PRIVATE:
		a = model_mmap_memfd(cur_proc(w), *addr, len, prot,
				     kind == SCN_MAP_FILE_SHARED ?
				     DEVMIG_MAP_SHARED : DEVMIG_MAP_PRIVATE);
		break;
	case SCN_MAP_HUGETLB:
		a = devmig_mmap_fixed(cur_proc(w), *addr, len, prot,
				      DEVMIG_MAP_PRIVATE | DEVMIG_MAP_HUGETLB);
		break;
	case SCN_MAP_DEVFILE:
		if (mirror < 0 || mirror >= SCN_MAX_MIRRORS || !w->mirror[mirror])
			return -EBADF;
		a = dmirror_mmap_at(w->mirror[mirror], *addr, len, prot,
				    DEVMIG_MAP_PRIVATE);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (a < 0)
		return (int)a;
	*addr = a;
	return 0;
}

static int model_munmap(struct scn_backend *be, unsigned long addr,
			unsigned long len)
{
	return devmig_munmap(cur_proc(world(be)), addr, len);
}

static int model_mprotect(struct scn_backend *be, unsigned long addr,
			  unsigned long len, int prot)
{
	return devmig_mprotect(cur_proc(world(be)), addr, len, prot);
}

static int model_madvise(struct scn_backend *be, unsigned long addr,
			 unsigned long len, enum scn_madv advice)
{
	static const int advices[] = {
		[SCN_MADV_HUGEPAGE] = DEVMIG_MADV_HUGEPAGE,
		[SCN_MADV_NOHUGEPAGE] = DEVMIG_MADV_NOHUGEPAGE,
		[SCN_MADV_COLLAPSE] = DEVMIG_MADV_COLLAPSE,
		[SCN_MADV_DONTNEED] = DEVMIG_MADV_DONTNEED,
	};

	if (advices[advice] < 0)
		return -EINVAL;
	return devmig_madvise(cur_proc(world(be)), addr, len, advices[advice]);
}

static int model_load(struct scn_backend *be, unsigned long addr, void *buf,
		      size_t len)
{
	(void)be;
	return devmig_load(addr, buf, len);
}

static int model_store(struct scn_backend *be, unsigned long addr,
		       const void *buf, size_t len)
{
	(void)be;
	return devmig_store(addr, buf, len);
}

/* As gup_test: one call for the whole range, references dropped at once. */
static int model_gup(struct scn_backend *be, enum scn_gup mode,
		     unsigned long addr, unsigned long npages,
		     unsigned int flags)
{
	static const int gup_flags[] = {
		[SCN_GUP_GET] = 0,
		[SCN_GUP_GET_FAST] = DEVMIG_GUP_FAST,
		[SCN_GUP_PIN] = DEVMIG_GUP_PIN,
		[SCN_GUP_PIN_FAST] = DEVMIG_GUP_PIN | DEVMIG_GUP_FAST,
		[SCN_GUP_PIN_LONGTERM] = DEVMIG_GUP_PIN | DEVMIG_GUP_LONGTERM,
		[SCN_GUP_HOLD] = DEVMIG_GUP_PIN | DEVMIG_GUP_LONGTERM,
	};
	struct model_world *w = world(be);
	void **pages;
	long nr, done = 0;
	int f;

	if (mode == SCN_GUP_RELEASE) {
		/* As PIN_LONGTERM_TEST_STOP: nothing held is not an error. */
		if (!w->pins)
			return 0;
		devmig_gup_put(w->pins, w->npins, DEVMIG_GUP_PIN);
		free(w->pins);
		w->pins = NULL;
		w->npins = 0;
		return 0;
	}
	if (mode == SCN_GUP_HOLD && w->pins)
		return -EINVAL;
	f = gup_flags[mode];
	if (flags & SCN_GUP_WRITE)
		f |= DEVMIG_GUP_WRITE;
	if (flags & SCN_GUP_LONGTERM)
		f |= DEVMIG_GUP_LONGTERM;
	if ((flags & SCN_GUP_FAST) && mode == SCN_GUP_HOLD)
		f |= DEVMIG_GUP_FAST;
	pages = calloc(npages, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	if (mode != SCN_GUP_HOLD) {
		nr = devmig_gup(addr, npages, f, pages);
		if (nr > 0) {
			devmig_gup_test_verify(pages, nr, f);
			devmig_gup_put(pages, nr, f);
		}
		free(pages);
		return nr > 0 ? (int)npages : 0;
	}
	/* PIN_LONGTERM_TEST_START: until all are pinned or one call fails. */
	while ((unsigned long)done < npages) {
		nr = devmig_gup(addr + done * SCN_PAGE_SIZE, npages - done, f,
				pages + done);
		if (nr < 0) {
			devmig_gup_put(pages, done, f);
			free(pages);
			return (int)nr;
		}
		done += nr;
	}
	w->pins = pages;
	w->npins = npages;
	return 0;
}

static int model_dev_open(struct scn_backend *be, int mirror, int type,
			  int index)
{
	struct model_world *w = world(be);
	int c = type == HMM_DMIRROR_MEMORY_DEVICE_COHERENT;

	w->mirror_proc[mirror] = w->cur;
	return dmirror_open(w->dev[c][index], &w->mirror[mirror]);
}

static int model_dev_close(struct scn_backend *be, int mirror)
{
	struct model_world *w = world(be);

	dmirror_close(w->mirror[mirror]);
	w->mirror[mirror] = NULL;
	return 0;
}

static int model_dev_ioctl(struct scn_backend *be, int mirror,
			   unsigned int command, struct hmm_dmirror_cmd *cmd)
{
	struct model_world *w = world(be);
	void *host = (void *)(unsigned long)cmd->ptr;
	unsigned long len = cmd->npages * SCN_PAGE_SIZE;
	unsigned long out_len = command == HMM_DMIRROR_SNAPSHOT ?
				cmd->npages : len;
	struct model_proc *p = &w->procs[w->cur];
	int ret;

	if (command == HMM_DMIRROR_WRITE && len) {
		ret = devmig_store(p->bounce, host, len);
		if (ret)
			return ret;
	}
	cmd->ptr = p->bounce;
	ret = dmirror_ioctl(w->mirror[mirror], command, cmd);
	cmd->ptr = (unsigned long)host;
	if (ret)
		return ret;
	if ((command == HMM_DMIRROR_READ || command == HMM_DMIRROR_SNAPSHOT ||
	     command == HMM_DMIRROR_MIGRATE_TO_DEV ||
	     command == HMM_DMIRROR_EXCLUSIVE) && out_len)
		return devmig_load(p->bounce, host, out_len);
	return 0;
}

/*
 * The model's mirrors forget an entry when another mirror of their device
 * migrates the page; test_hmm's keep naming the freed page.  Say when a
 * step looked where they differ: the kernel's results are stale from there.
 */
static const char *model_remark(struct scn_backend *be)
{
	struct model_world *w = world(be);
	struct dmirror_device_stats st;
	unsigned long n = 0;
	int c, i;

	for (c = 0; c < 2; c++)
		for (i = 0; i < 2; i++) {
			dmirror_device_stats(w->dev[c][i], &st);
			n += st.stale_lookups;
		}
	if (n == w->stale_lookups)
		return NULL;
	w->stale_lookups = n;
	return "a mirror found no entry where lib/test_hmm.c's would use a "
	       "stale one (a sibling mirror migrated the page)";
}

/*
 * Every WARN*() hit counts, a WARN_ON_ONCE() past its first too: the guest
 * re-arms those after each step, so Linux prints one at every step that
 * hits it.
 */
static int model_warned(struct scn_backend *be)
{
	struct model_world *w = world(be);
	unsigned long n = devmig_warnings();
	int warned = n != w->warnings;

	w->warnings = n;
	return warned;
}

static unsigned long model_check(struct scn_backend *be,
				 void (*report)(const char *msg, void *arg),
				 void *arg)
{
	(void)be;
	return devmig_check_invariants(report, arg);
}

static int model_peek(struct scn_backend *be, int proc, unsigned long addr,
		      void *buf, unsigned char *state, unsigned long npages)
{
	struct model_proc *p = &world(be)->procs[proc];

	if (!p->proc || p->exited)
		return -ESRCH;
	/* DEVMIG_PEEK_* and SCN_PEEK_* have the same values. */
	return devmig_peek(p->proc, addr, buf, state, npages,
			   dmirror_device_backing_page);
}

const struct scn_backend_ops scn_backend_model = {
	.name = "model",
	.start = model_start,
	.finish = model_finish,
	.unsupported = model_unsupported,
	.thp = model_thp,
	.fork = model_fork,
	.exit = model_exit,
	.wait = model_wait,
	.enter = model_enter,
	.mmap = model_mmap,
	.munmap = model_munmap,
	.mprotect = model_mprotect,
	.madvise = model_madvise,
	.load = model_load,
	.store = model_store,
	.gup = model_gup,
	.dev_open = model_dev_open,
	.dev_close = model_dev_close,
	.dev_ioctl = model_dev_ioctl,
	.check = model_check,
	.peek = model_peek,
	.remark = model_remark,
	.warned = model_warned,
};
