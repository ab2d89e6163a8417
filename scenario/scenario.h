/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario.h - one scenario language, one interpreter, several worlds.
 *
 * A scenario (doc/SCENARIOS.md) is a line-oriented script of steps acting on
 * named memory regions, named mirror devices and named processes.  parse.c
 * turns it into a struct scn_script; run.c executes it on a backend and
 * writes the transcript: one canonical line per step with everything a
 * program could observe (return value or errno name, cpages, faults, data
 * and SNAPSHOT bytes), so two worlds that behave alike print the same bytes.
 *
 * A backend is a world: "model" (backend_model.c, libdevmig in this
 * process) or "linux" (backend_linux.c, real system calls and
 * /dev/hmm_dmirrorN in a guest).  It only performs primitive operations on
 * the *current* process; every decision about what a step means, which
 * buffer it uses and how its result is printed is in run.c, shared.
 *
 * Host code: libc and api/ only.
 */
#ifndef _SCENARIO_H
#define _SCENARIO_H

#include <stddef.h>
#include <stdio.h>

#include "hmm_dmirror.h"

#define SCN_PAGE_SIZE		4096UL
#define SCN_INTS_PER_PAGE	(SCN_PAGE_SIZE / sizeof(int))
#define SCN_MAX_TOKENS		16
#define SCN_NAME_MAX		32
#define SCN_MAX_REGIONS		32
#define SCN_MAX_MIRRORS		16
#define SCN_MAX_PROCS		8
#define SCN_MAX_REGION_PAGES	16384UL	/* 64 MiB */
#define SCN_TEXT_MAX		8192	/* one canonical step result */
#define SCN_LINE_MAX		512

/* Where region k is mapped, in every world: 2 MiB aligned, 64 MiB apart. */
#define SCN_ARENA_BASE		0x200000000000UL	/* 32 TiB */
#define SCN_REGION_STRIDE	(128UL << 20)
#define SCN_REGION_ADDR(k)	(SCN_ARENA_BASE + (unsigned long)(k) * \
				 SCN_REGION_STRIDE)

/* ------------------------------------------------------------------------
 * The parsed script.
 */

enum scn_op {
	SCN_THP,		/* thp never|madvise|always */
	SCN_OPEN,		/* open MIRROR private|coherent [0|1] */
	SCN_CLOSE,		/* close MIRROR */
	SCN_MMAP,		/* mmap REGION NPAGES KIND PROT */
	SCN_MUNMAP,		/* munmap REGION OFF N */
	SCN_MPROTECT,		/* mprotect REGION OFF N PROT */
	SCN_MADVISE,		/* madvise REGION OFF N ADVICE */
	SCN_WRITE,		/* write REGION OFF N PATTERN (CPU stores) */
	SCN_READ,		/* read REGION OFF N (CPU loads, data shown) */
	SCN_TOUCH,		/* touch REGION OFF N (CPU loads 1 int/page) */
	SCN_INCR,		/* incr REGION OFF N (CPU ++ every int) */
	SCN_SUM,		/* sum REGION OFF N (CPU loads, checksum) */
	SCN_GUP,		/* gup MODE REGION OFF N [ro] [longterm] */
	SCN_PIN,		/* pin REGION OFF N [ro] [fast] (held) */
	SCN_UNPIN,		/* unpin */
	SCN_DEV,		/* dev CMD MIRROR [REGION OFF N [PATTERN]] */
	SCN_FORK,		/* fork CHILD */
	SCN_EXIT,		/* exit [CODE] (in a child) */
	SCN_WAIT,		/* wait CHILD */
	SCN_NR_OPS
};

/* Region kinds (mmap). */
enum scn_map {
	SCN_MAP_ANON,		/* MAP_PRIVATE | MAP_ANONYMOUS */
	SCN_MAP_ANON_SHARED,	/* MAP_SHARED | MAP_ANONYMOUS (shmem) */
	SCN_MAP_FILE_SHARED,	/* MAP_SHARED of a fresh tmpfs/memfd file */
	SCN_MAP_FILE_PRIVATE,	/* MAP_PRIVATE of a fresh tmpfs/memfd file */
	SCN_MAP_HUGETLB,	/* MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB */
	SCN_MAP_DEVFILE,	/* MAP_PRIVATE of the mirror's device file */
	SCN_NR_MAPS
};

/* prot bits, as PROT_READ / PROT_WRITE. */
#define SCN_PROT_READ	0x1
#define SCN_PROT_WRITE	0x2

enum scn_madv {
	SCN_MADV_HUGEPAGE,
	SCN_MADV_NOHUGEPAGE,
	SCN_MADV_COLLAPSE,
	SCN_MADV_DONTNEED,
	SCN_NR_MADVS
};

enum scn_thp {
	SCN_THP_NEVER,		/* the default of every script */
	SCN_THP_MADVISE,
	SCN_THP_ALWAYS,
};

/*
 * GUP modes, as the kernel's gup_test ioctls: each of the first five takes
 * references or pins on the range and drops them before returning (the
 * observable effect is what faulting or migrating them did); HOLD pins and
 * keeps the pins (PIN_LONGTERM_TEST_START, always FOLL_LONGTERM) until
 * RELEASE (PIN_LONGTERM_TEST_STOP).  At most one held pin set at a time.
 */
enum scn_gup {
	SCN_GUP_GET,		/* GUP_BASIC_TEST: get_user_pages() */
	SCN_GUP_GET_FAST,	/* GUP_FAST_BENCHMARK: get_user_pages_fast() */
	SCN_GUP_PIN,		/* PIN_BASIC_TEST: pin_user_pages() */
	SCN_GUP_PIN_FAST,	/* PIN_FAST_BENCHMARK: pin_user_pages_fast() */
	SCN_GUP_PIN_LONGTERM,	/* PIN_LONGTERM_BENCHMARK: + FOLL_LONGTERM */
	SCN_GUP_HOLD,		/* PIN_LONGTERM_TEST_START */
	SCN_GUP_RELEASE,	/* PIN_LONGTERM_TEST_STOP */
	SCN_NR_GUPS
};
#define SCN_GUP_WRITE		0x1	/* FOLL_WRITE (default; "ro" clears) */
#define SCN_GUP_LONGTERM	0x2	/* FOLL_LONGTERM added to gup_flags */
#define SCN_GUP_FAST		0x4	/* HOLD: PIN_LONGTERM_TEST_FLAG_USE_FAST */

/* Mirror device commands (dev CMD ...), indexes of scn_dev_cmd_names. */
enum scn_dev {
	SCN_DEV_READ,
	SCN_DEV_WRITE,
	SCN_DEV_MIGRATE,	/* MIGRATE_TO_DEV */
	SCN_DEV_MIGRATE_SYS,	/* MIGRATE_TO_SYS */
	SCN_DEV_SNAPSHOT,
	SCN_DEV_EXCLUSIVE,
	SCN_DEV_CHECK_EXCLUSIVE,
	SCN_DEV_RELEASE,
	SCN_NR_DEVS
};

/*
 * A data pattern, written by CPU stores or a device WRITE and recognised in
 * what is read back.  Ints are numbered from the region's start, so the
 * int at byte offset 4*k of the region is "index k" wherever it is accessed.
 */
enum scn_pattern_kind {
	SCN_PAT_INDEX,		/* int k holds sign * k + add */
	SCN_PAT_BYTE,		/* every byte holds add */
	SCN_PAT_SEED,		/* pseudo-random bytes from seed add */
};

struct scn_pattern {
	enum scn_pattern_kind kind;
	int sign;		/* SCN_PAT_INDEX: 1 or -1 */
	long add;
};

/* Feature bits a script needs; a backend may lack some. */
enum scn_feature {
	SCN_FEAT_COHERENT,	/* device-coherent mirrors (dmirror2/3) */
	SCN_FEAT_FILE,		/* tmpfs/memfd file mappings */
	SCN_FEAT_HUGETLB,
	SCN_FEAT_DEVFILE,	/* mmap of the device file (VM_MIXEDMAP) */
	SCN_FEAT_COLLAPSE,	/* MADV_COLLAPSE */
	SCN_FEAT_GUP,		/* gup_test */
	SCN_FEAT_THP,		/* transparent huge pages */
	SCN_FEAT_FILE_PRIVATE,	/* MAP_PRIVATE file mappings (CoW) */
	SCN_NR_FEATURES
};

struct scn_expect;

struct scn_step {
	enum scn_op op;
	int line;		/* in the script file */
	int proc;		/* process running it (0: the first) */
	int region;		/* index into script->regions, or -1 */
	int mirror;		/* index into script->mirrors, or -1 */
	int child;		/* FORK, WAIT: the process */
	unsigned long off;	/* first page, from the region's start */
	unsigned long npages;
	int arg;		/* THP mode, map kind, prot, advice, gup mode,
				   dev command, exit code */
	unsigned int flags;	/* SCN_GUP_* */
	int has_pattern;
	struct scn_pattern pattern;
	char canon[SCN_LINE_MAX];	/* the step, normalised, for the
					   transcript */
	char expect[SCN_LINE_MAX];	/* expected result tokens, or "" */
};

struct scn_region {
	char name[SCN_NAME_MAX];
	unsigned long npages;
	int kind;		/* enum scn_map */
	int prot;
	int mirror;		/* SCN_MAP_DEVFILE: the mirror; else -1 */
	int proc;		/* the process that mapped it */
};

struct scn_mirror {
	char name[SCN_NAME_MAX];
	int type;		/* HMM_DMIRROR_MEMORY_DEVICE_* */
	int index;		/* 0 or 1: which device of that type */
	int proc;		/* the process that opened it */
};

struct scn_script {
	char file[256];
	struct scn_step *steps;
	int nsteps;
	struct scn_region regions[SCN_MAX_REGIONS];
	int nregions;
	struct scn_mirror mirrors[SCN_MAX_MIRRORS];
	int nmirrors;
	char procs[SCN_MAX_PROCS][SCN_NAME_MAX];	/* [0] is "main" */
	int nprocs;
	unsigned int features;	/* 1 << enum scn_feature */
};

extern const char *const scn_op_names[SCN_NR_OPS];
extern const char *const scn_map_names[SCN_NR_MAPS];
extern const char *const scn_madv_names[SCN_NR_MADVS];
extern const char *const scn_gup_names[SCN_NR_GUPS];
extern const char *const scn_dev_names[SCN_NR_DEVS];
extern const char *const scn_feature_names[SCN_NR_FEATURES];

/*
 * scn_parse() - parse the script @text (NUL-terminated) named @file.
 * Returns 0, or -1 with exactly one line "file:line: what is wrong" in
 * @err (size @errlen).  scn_script_free() releases a parsed script.
 */
int scn_parse(const char *file, const char *text, struct scn_script *s,
	      char *err, size_t errlen);
int scn_parse_file(const char *path, struct scn_script *s, char *err,
		   size_t errlen);
void scn_script_free(struct scn_script *s);

/* ------------------------------------------------------------------------
 * Backends.
 */

/*
 * The result of one step, flat (no pointers) so that a backend running a
 * step in another real process can ship it back through a pipe.  @text is
 * the canonical result: "0" or an errno name or SIGSEGV/SIGBUS, then
 * key=value tokens (cpages=, faults=, data=, snap=, sum=, status=).
 */
struct scn_result {
	int failed;		/* an expectation did not hold */
	int rc;			/* 0 or the negative errno of the step */
	unsigned long done;	/* pages a CPU write/incr completed */
	char text[SCN_TEXT_MAX];
};

/* ->peek() page states. */
#define SCN_PEEK_DATA		0	/* bytes copied (zeroes for a hole) */
#define SCN_PEEK_NONE		1	/* no mapping there */
#define SCN_PEEK_UNKNOWN	2	/* bytes not reachable (migration entry) */

struct scn_backend;
struct scn_run;

/*
 * The operations of a world.  All act as the current process (set by
 * ->enter(), initially process 0) and return 0 or a negative errno, the
 * value the system call or ioctl failed with.  Addresses are those the
 * backend returned from ->mmap(); the interpreter only adds offsets.
 */
struct scn_backend_ops {
	const char *name;

	/* A fresh world for one script; ->finish() tears everything down. */
	int (*start)(struct scn_backend *be);
	void (*finish)(struct scn_backend *be);

	/* NULL if this world can run @feature, else a short reason. */
	const char *(*unsupported)(struct scn_backend *be,
				   enum scn_feature feature);

	int (*thp)(struct scn_backend *be, enum scn_thp mode);

	/*
	 * Processes, identified by the script's index (0: the first).
	 * ->fork() makes @child a copy of the current process; ->exit() ends
	 * @proc (closing its mirrors); ->wait() reaps it and gives its exit
	 * code.  ->enter() makes @proc current.
	 */
	int (*fork)(struct scn_backend *be, int child);
	int (*exit)(struct scn_backend *be, int proc, int code);
	int (*wait)(struct scn_backend *be, int proc, int *code);
	int (*enter)(struct scn_backend *be, int proc);

	/*
	 * Optional.  A world whose processes are real runs a step of a
	 * process other than the one the interpreter runs in by sending it
	 * there (the child, a fork of the interpreter, runs it with
	 * scn_exec_step() and ships the result back).  When NULL, the
	 * interpreter calls ->enter() and runs the step itself.
	 */
	int (*exec_in)(struct scn_backend *be, struct scn_run *run, int proc,
		       int step, struct scn_result *res);

	/*
	 * Memory of the current process.  ->mmap() should map the region at
	 * *@addr exactly (MAP_FIXED_NOREPLACE; -EEXIST if taken): the
	 * interpreter asks for region k at SCN_REGION_ADDR(k), so that every
	 * world has the same layout, no region lands in a range another one
	 * left, and two regions never merge into one VMA.  A backend that
	 * cannot place a kind of region stores where it went in *@addr.
	 */
	int (*mmap)(struct scn_backend *be, enum scn_map kind,
		    unsigned long len, int prot, int mirror,
		    unsigned long *addr);
	int (*munmap)(struct scn_backend *be, unsigned long addr,
		      unsigned long len);
	int (*mprotect)(struct scn_backend *be, unsigned long addr,
			unsigned long len, int prot);
	int (*madvise)(struct scn_backend *be, unsigned long addr,
		       unsigned long len, enum scn_madv advice);

	/*
	 * The CPU: copy bytes between the process and @buf.  -EFAULT where a
	 * program gets SIGSEGV, -EIO where it gets SIGBUS; the bytes before
	 * the faulting access may have been copied.
	 */
	int (*load)(struct scn_backend *be, unsigned long addr, void *buf,
		    size_t len);
	int (*store)(struct scn_backend *be, unsigned long addr,
		     const void *buf, size_t len);

	/*
	 * gup_test: @flags SCN_GUP_*; addr/npages unused for RELEASE.
	 * Returns, for the five transient modes, the pages the ioctl reports
	 * as done (gup_test's size / page size: npages, or 0 when the first
	 * call failed; the ioctl itself succeeds); 0 for HOLD and RELEASE;
	 * or a negative errno if the ioctl failed.
	 */
	int (*gup)(struct scn_backend *be, enum scn_gup mode,
		   unsigned long addr, unsigned long npages,
		   unsigned int flags);

	/*
	 * Mirror devices: @mirror is the script's index.  ->dev_open()
	 * opens device @index (0 or 1) of @type for the current process.
	 * ->dev_ioctl() runs HMM_DMIRROR_* @command; @cmd->ptr points at
	 * the interpreter's own buffer (npages pages), the backend moves
	 * the bytes to wherever its device needs them.  As the kernel, a
	 * failed command leaves cpages and faults unspecified.
	 */
	int (*dev_open)(struct scn_backend *be, int mirror, int type,
			int index);
	int (*dev_close)(struct scn_backend *be, int mirror);
	int (*dev_ioctl)(struct scn_backend *be, int mirror,
			 unsigned int command, struct hmm_dmirror_cmd *cmd);

	/*
	 * Optional: check the world's invariants after a step; returns the
	 * number of violations, each described through @report.
	 */
	unsigned long (*check)(struct scn_backend *be,
			       void (*report)(const char *msg, void *arg),
			       void *arg);

	/*
	 * Optional: the bytes process @proc's memory holds at @npages pages
	 * from @addr, without faulting or moving anything; one SCN_PEEK_*
	 * per page in @state.  For the byte-exact shadow (fuzzing).
	 */
	int (*peek)(struct scn_backend *be, int proc, unsigned long addr,
		    void *buf, unsigned char *state, unsigned long npages);

	/*
	 * Optional: after each step, NULL or a known departure of this world
	 * from the kernel that the step met (printed to stderr as a note
	 * naming the step; make kernel-diff reads it).
	 */
	const char *(*remark)(struct scn_backend *be);

	/*
	 * Optional: after each step, whether the kernel warned (WARN*())
	 * since the last call.  A kernel prints a WARN_ON_ONCE() once per
	 * boot, so a world that can re-arm those does so before each step:
	 * the transcript says which steps warned, in either world.
	 */
	int (*warned)(struct scn_backend *be);
};

struct scn_backend {
	const struct scn_backend_ops *ops;
	void *priv;
};

/*
 * The worlds: scn_backend_model (backend_model.c), scn_backend_linux
 * (backend_linux.c); a program links those it has.  By name ("model",
 * "linux"); NULL if not linked in.
 */
extern const struct scn_backend_ops scn_backend_model;
extern const struct scn_backend_ops scn_backend_linux;
const struct scn_backend_ops *scn_backend_find(const char *name);

/* ------------------------------------------------------------------------
 * The interpreter.
 */

struct scn_run_opts {
	FILE *out;		/* transcript; NULL: none */
	int check_every_step;	/* call ->check() after every step (1),
				   every Nth step (N), or at the end only (0) */
	int shadow;		/* compare every region with a shadow copy
				   after each step (fuzzing) */
	/*
	 * Optional: told each step's result as it is printed (inject.c), and
	 * once with step -1 and no result when the world has started.
	 */
	void (*step_done)(void *arg, int step, const struct scn_result *res);
	void *arg;
};

/* Outcome of scn_run_script(). */
struct scn_summary {
	int steps;
	int failed_expectations;
	unsigned long violations;	/* invariant violations */
	unsigned long shadow_mismatches;	/* bytes that differ */
	int warned_steps;		/* steps after which the kernel warned */
	const char *unsupported;	/* feature name, or NULL */
	int start_rc;			/* ->start()'s error, or 0 */
};

/*
 * scn_run_script() - run every step of @s on @be, writing the transcript.
 * Returns 0 if the script ran with every expectation met, no violation and
 * no shadow mismatch; 1 otherwise; 2 if the backend cannot run the script
 * (one line "unsupported: FEATURE: reason" in the transcript).
 */
int scn_run_script(const struct scn_script *s, struct scn_backend *be,
		   const struct scn_run_opts *opts, struct scn_summary *sum);

/*
 * scn_exec_step() - run step @i of the run in the current process of its
 * backend and describe it in @res.  For backends with ->exec_in().
 */
void scn_exec_step(struct scn_run *run, int i, struct scn_result *res);

/* The bytes of @pat for pages [@off, @off + @npages) of a region. */
void scn_pattern_fill(unsigned char *buf, unsigned long off,
		      unsigned long npages, const struct scn_pattern *pat);

/* Errno names as the transcript prints them ("ENOENT"); "E<n>" else. */
const char *scn_errno_name(int err);

/* ------------------------------------------------------------------------
 * Generated scripts.
 */

/*
 * scn_generate() - write a random valid script to @out, from @seed, of
 * about @nsteps steps mixing every step kind the model runs.
 */
void scn_generate(FILE *out, unsigned long seed, int nsteps);

#endif /* _SCENARIO_H */
