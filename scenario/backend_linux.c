// SPDX-License-Identifier: GPL-2.0
/*
 * backend_linux.c - the "linux" world: a scenario's steps as real system
 * calls of real processes, the mirror devices as the kernel's test_hmm
 * (/dev/hmm_dmirror0..3) and GUP as the kernel's gup_test
 * (/sys/kernel/debug/gup_test, CONFIG_GUP_TEST).  It runs in the guest that
 * make kernel-diff boots (kernel/init.sh), statically linked; its
 * transcripts are what the model's are compared with.
 *
 * Processes.  The interpreter is process 0.  A "fork" step forks the
 * process that runs it; the new process never returns into the interpreter
 * but serves its steps: process 0 sends it a step number through a pipe
 * (->exec_in()), it runs scn_exec_step() on its own copy of the run (which
 * it inherited at fork, at the same address) and sends the flat result
 * back, saying first whether it is about to exit: after an exit step
 * process 0 waits until the process is a zombie, its memory unmapped and
 * its files closed, as in the model, where an exit is over when it
 * returns.  The pipes of every process slot are made by process 0 before any
 * fork, so a grandchild is reachable as well as a child.  A process that
 * dies unexpectedly is noticed through its /proc state, since the pipe
 * ends that every process inherits would keep an EOF from ever arriving.
 *
 * The CPU.  Loads and stores are plain memory accesses; SIGSEGV and SIGBUS
 * during one are caught and returned as -EFAULT and -EIO.
 *
 * Placement.  Every region goes exactly where the interpreter asks
 * (SCN_REGION_ADDR(), 2 MiB aligned and far apart, MAP_FIXED_NOREPLACE), as
 * in the model: two regions never merge into one VMA, a region of 2 MiB or
 * more can hold a THP, and both worlds have the same layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

#define LX_THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define LX_GUP_TEST	"/sys/kernel/debug/gup_test"
#define LX_HUGETLB_FREE	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define LX_CLEAR_WARN_ONCE	"/sys/kernel/debug/clear_warn_once"

/*
 * The kernel's gup_test uapi (mm/gup_test.h), spelled out: the header is
 * not exported to userspace.
 */
struct lx_gup_test {
	uint64_t get_delta_usec;
	uint64_t put_delta_usec;
	uint64_t addr;
	uint64_t size;
	uint32_t nr_pages_per_call;
	uint32_t gup_flags;
	uint32_t test_flags;
	uint32_t which_pages[8];
};

struct lx_pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};

#define LX_GUP_FAST_BENCHMARK		_IOWR('g', 1, struct lx_gup_test)
#define LX_PIN_FAST_BENCHMARK		_IOWR('g', 2, struct lx_gup_test)
#define LX_PIN_LONGTERM_BENCHMARK	_IOWR('g', 3, struct lx_gup_test)
#define LX_GUP_BASIC_TEST		_IOWR('g', 4, struct lx_gup_test)
#define LX_PIN_BASIC_TEST		_IOWR('g', 5, struct lx_gup_test)
#define LX_PIN_LONGTERM_TEST_START	_IOW('g', 7, struct lx_pin_longterm_test)
#define LX_PIN_LONGTERM_TEST_STOP	_IO('g', 8)

#define LX_PIN_LONGTERM_TEST_FLAG_USE_WRITE	1
#define LX_PIN_LONGTERM_TEST_FLAG_USE_FAST	2

/* gup_flags values of the kernel's enum (include/linux/mm_types.h). */
#define LX_FOLL_WRITE		0x01
#define LX_FOLL_LONGTERM	0x100

/*
 * What process 0 sends a serving process: the run to act on (its own copy,
 * at the same address) and a step, or step -1 with @code: exit now.
 */
struct lx_request {
	struct scn_run *run;
	int step;
	int code;
};

struct lx_proc {
	pid_t pid;		/* known to the process that forked it */
	pid_t reported_pid;	/* known to process 0: the child says it */
	int cmd[2];		/* process 0 -> the process */
	int res[2];		/* the process -> process 0 */
	int started;		/* process 0 has heard from it */
};

struct lx_state {
	int self;		/* which script process this real process is */
	int exit_code;		/* >= 0: exit once the current step's result
				   is sent */
	int gup_fd;
	int kmsg_fd;		/* the kernel log, read for warnings */
	int mirror_fd[SCN_MAX_MIRRORS];
	struct lx_proc procs[SCN_MAX_PROCS];
};

/* One backend per real process: the signal handler must find it. */
static struct lx_state lx;

static sigjmp_buf lx_fault_env;
static volatile sig_atomic_t lx_in_access;
static volatile sig_atomic_t lx_fault_signal;

static void lx_fault_handler(int sig)
{
	if (!lx_in_access) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	lx_fault_signal = sig;
	siglongjmp(lx_fault_env, 1);
}

static int lx_errno(void)
{
	return errno ? -errno : -EIO;
}

static void lx_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static int lx_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

static int lx_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EPIPE;
		p += n;
		len -= n;
	}
	return 0;
}

/* The start of a small file (/proc, /sys) as a string: 0 if unreadable. */
static int lx_read_text(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return 1;
}

/*
 * The THP policy is machine-wide: change it only in the guest that
 * kernel/init.sh runs (its kernel command line says devmig.mode=), never
 * on a host where someone runs the linux backend to try it.
 */
static int lx_in_guest(void)
{
	char cmdline[4096];

	return lx_read_text("/proc/cmdline", cmdline, sizeof(cmdline)) &&
	       strstr(cmdline, "devmig.mode=");
}

static int lx_start(struct scn_backend *be)
{
	struct sigaction sa;
	int i;

	/*
	 * A step may kill the kernel: whatever the transcript had reached
	 * must be out of this process by then, not in its stdio buffer.
	 */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&lx, 0, sizeof(lx));
	lx.exit_code = -1;
	lx.gup_fd = -1;
	lx.kmsg_fd = -1;
	for (i = 0; i < SCN_MAX_MIRRORS; i++)
		lx.mirror_fd[i] = -1;
	for (i = 1; i < SCN_MAX_PROCS; i++) {
		if (pipe(lx.procs[i].cmd) || pipe(lx.procs[i].res))
			return lx_errno();
	}
	/*
	 * One gup_test file for every process of the run: the kernel drops
	 * the held pins (which are global) when any gup_test file is
	 * released, so a child must not open and close one of its own.
	 */
	if (!access(LX_GUP_TEST, F_OK))
		lx.gup_fd = open(LX_GUP_TEST, O_RDWR);
	/* Only the guest's kernel log is this run's alone: from its end. */
	if (lx_in_guest()) {
		lx.kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
		if (lx.kmsg_fd >= 0)
			lseek(lx.kmsg_fd, 0, SEEK_END);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lx_fault_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL) || sigaction(SIGBUS, &sa, NULL))
		return lx_errno();
	be->priv = &lx;
	return 0;
}

/* Is process @pid gone or a zombie? */
static int lx_dead(pid_t pid)
{
	char path[64], stat[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!lx_read_text(path, stat, sizeof(stat)))
		return 1;
	p = strrchr(stat, ')');
	return !p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X';
}

/*
 * Process 0 waits for a result from process @proc: poll its pipe, and now
 * and then look whether it is still alive.
 */
static int lx_receive(int proc, void *buf, size_t len)
{
	struct lx_proc *p = &lx.procs[proc];
	struct pollfd pfd = { .fd = p->res[0], .events = POLLIN };
	int n, silent = 0;

	for (;;) {
		n = poll(&pfd, 1, 200);
		if (n > 0)
			return lx_read_all(p->res[0], buf, len);
		if (n < 0 && errno != EINTR)
			return lx_errno();
		if (p->reported_pid && lx_dead(p->reported_pid))
			return -ESRCH;
		/* Never forked, or died before saying its pid. */
		if (!p->reported_pid && ++silent > 50)
			return -ESRCH;
	}
}

/* The first words of a new process to process 0: its pid. */
static int lx_hello(int proc)
{
	struct lx_proc *p = &lx.procs[proc];
	pid_t pid;
	int rc;

	if (p->started)
		return 0;
	rc = lx_receive(proc, &pid, sizeof(pid));
	if (rc)
		return rc;
	p->reported_pid = pid;
	p->started = 1;
	return 0;
}

/*
 * A forked process: serve process 0's requests until told to exit.  Its
 * parent waits on @ready until it has let go of the mirrors it inherited.
 */
static void __attribute__((noreturn)) lx_serve(int self, int ready)
{
	struct lx_proc *p = &lx.procs[self];
	struct lx_request req;
	struct scn_result res;
	pid_t pid = getpid();
	int i, exiting;

	lx.self = self;
	lx.exit_code = -1;
	/*
	 * A mirror belongs to the process that opened it: the inherited
	 * file must not keep the parent's mirror alive after its "close".
	 */
	for (i = 0; i < SCN_MAX_MIRRORS; i++)
		lx_close(&lx.mirror_fd[i]);
	lx_close(&ready);
	if (lx_write_all(p->res[1], &pid, sizeof(pid)))
		_exit(127);
	for (;;) {
		if (lx_read_all(p->cmd[0], &req, sizeof(req)))
			_exit(127);
		if (req.step < 0)
			_exit(req.code);
		scn_exec_step(req.run, req.step, &res);
		exiting = lx.exit_code >= 0;
		if (lx_write_all(p->res[1], &exiting, sizeof(exiting)) ||
		    lx_write_all(p->res[1], &res, sizeof(res)))
			_exit(127);
		if (exiting)
			_exit(lx.exit_code);
	}
}

static int lx_fork(struct scn_backend *be, int child)
{
	int ready[2], err;
	pid_t pid;
	char c;

	(void)be;
	if (child <= 0 || child >= SCN_MAX_PROCS)
		return -EINVAL;
	if (pipe(ready))
		return lx_errno();
	/* Nothing buffered may be written twice. */
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = lx_errno();
		lx_close(&ready[0]);
		lx_close(&ready[1]);
		return err;
	}
	if (!pid) {
		lx_close(&ready[0]);
		lx_serve(child, ready[1]);
	}
	lx.procs[child].pid = pid;
	/*
	 * Wait (for EOF) until the child has closed the mirrors it inherited:
	 * else whether a later close in this process is the last one, which
	 * releases the mirror and evicts its device, would depend on which
	 * process runs first.
	 */
	lx_close(&ready[1]);
	while (read(ready[0], &c, 1) < 0 && errno == EINTR)
		;
	lx_close(&ready[0]);
	return 0;
}

static int lx_exec_in(struct scn_backend *be, struct scn_run *run, int proc,
		      int step, struct scn_result *res)
{
	struct lx_request req = { .run = run, .step = step };
	int rc, exiting = 0;

	(void)be;
	rc = lx_hello(proc);
	if (!rc)
		rc = lx_write_all(lx.procs[proc].cmd[1], &req, sizeof(req));
	if (!rc)
		rc = lx_receive(proc, &exiting, sizeof(exiting));
	if (!rc)
		rc = lx_receive(proc, res, sizeof(*res));
	/*
	 * An exit step: the next step must not race with the exit, which
	 * unmaps the process's memory and closes its mirrors.  Both are done
	 * before the process becomes a zombie.
	 */
	while (!rc && exiting && !lx_dead(lx.procs[proc].reported_pid))
		usleep(1000);
	if (rc) {
		snprintf(res->text, sizeof(res->text),
			 "!! process %d did not answer (%s)", proc,
			 scn_errno_name(rc));
		res->failed = 1;
	}
	return rc;
}

/*
 * As a step of @proc itself: exit once this step's result is sent.  From
 * another process (the end of a run): tell @proc to exit.
 */
static int lx_exit(struct scn_backend *be, int proc, int code)
{
	struct lx_request req = { .step = -1, .code = code };
	struct lx_proc *p = &lx.procs[proc];
	int status;

	(void)be;
	if (proc == lx.self) {
		lx.exit_code = code & 0xff;
		return 0;
	}
	if (lx.self != 0 || proc <= 0 || proc >= SCN_MAX_PROCS)
		return -EINVAL;
	if (lx_hello(proc) || lx_write_all(p->cmd[1], &req, sizeof(req)))
		return -ESRCH;
	if (p->pid > 0) {
		if (waitpid(p->pid, &status, 0) == p->pid)
			p->pid = 0;
		return 0;
	}
	/*
	 * A grandchild is not ours to wait for, but its exit must be over
	 * before the script's end: its teardown (and any warning it logs)
	 * would otherwise run into the next script.
	 */
	while (p->reported_pid > 0 && !lx_dead(p->reported_pid))
		usleep(1000);
	return 0;
}

static int lx_wait(struct scn_backend *be, int proc, int *code)
{
	struct lx_proc *p = &lx.procs[proc];
	int status;

	(void)be;
	if (proc <= 0 || proc >= SCN_MAX_PROCS || p->pid <= 0)
		return -ECHILD;
	if (waitpid(p->pid, &status, 0) != p->pid)
		return lx_errno();
	p->pid = 0;
	if (WIFEXITED(status))
		*code = WEXITSTATUS(status);
	else
		*code = 128 + WTERMSIG(status);
	return 0;
}

static int lx_enter(struct scn_backend *be, int proc)
{
	(void)be;
	return proc == lx.self ? 0 : -ESRCH;
}

static void lx_finish(struct scn_backend *be)
{
	int i, status;

	(void)be;
	for (i = 1; i < SCN_MAX_PROCS; i++) {
		struct lx_proc *p = &lx.procs[i];

		if (p->pid > 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
		lx_close(&p->cmd[0]);
		lx_close(&p->cmd[1]);
		lx_close(&p->res[0]);
		lx_close(&p->res[1]);
	}
	for (i = 0; i < SCN_MAX_MIRRORS; i++)
		lx_close(&lx.mirror_fd[i]);
	lx_close(&lx.gup_fd);
	lx_close(&lx.kmsg_fd);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

static const char *lx_device(int type, int index, char *path, size_t len)
{
	int minor = (type == HMM_DMIRROR_MEMORY_DEVICE_COHERENT ? 2 : 0) +
		    index;

	snprintf(path, len, "/dev/hmm_dmirror%d", minor);
	return path;
}

static long lx_read_long(const char *path)
{
	char buf[64];

	return lx_read_text(path, buf, sizeof(buf)) ? strtol(buf, NULL, 10) : -1;
}

static const char *lx_unsupported(struct scn_backend *be,
				  enum scn_feature feature)
{
	char path[32];

	(void)be;
	switch (feature) {
	case SCN_FEAT_COHERENT:
		if (access(lx_device(HMM_DMIRROR_MEMORY_DEVICE_COHERENT, 0,
				     path, sizeof(path)), R_OK | W_OK))
			return "no /dev/hmm_dmirror2 (test_hmm without spm_addr_dev0)";
		return NULL;
	case SCN_FEAT_HUGETLB:
		if (lx_read_long(LX_HUGETLB_FREE) <= 0)
			return "no free 2 MiB hugetlb pages";
		return NULL;
	case SCN_FEAT_GUP:
		if (access(LX_GUP_TEST, R_OK | W_OK))
			return "no " LX_GUP_TEST " (CONFIG_GUP_TEST, debugfs)";
		return NULL;
	case SCN_FEAT_THP:
		if (!lx_in_guest())
			return "not in the kernel-diff guest: the THP policy is the host's";
		if (access(LX_THP_ENABLED, W_OK))
			return "cannot set " LX_THP_ENABLED;
		return NULL;
	default:
		return NULL;
	}
}

static int lx_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int rc = 0;

	if (fd < 0)
		return lx_errno();
	if (write(fd, text, strlen(text)) < 0)
		rc = lx_errno();
	close(fd);
	return rc;
}

static int lx_thp(struct scn_backend *be, enum scn_thp mode)
{
	static const char *const names[] = {
		[SCN_THP_NEVER] = "never",
		[SCN_THP_MADVISE] = "madvise",
		[SCN_THP_ALWAYS] = "always",
	};

	(void)be;
	if (!lx_in_guest())
		return -EPERM;
	return lx_write_file(LX_THP_ENABLED, names[mode]);
}

static int lx_prot(int prot)
{
	return (prot & SCN_PROT_READ ? PROT_READ : 0) |
	       (prot & SCN_PROT_WRITE ? PROT_WRITE : 0);
}

static int lx_mmap(struct scn_backend *be, enum scn_map kind,
		   unsigned long len, int prot, int mirror,
		   unsigned long *addr)
{
	unsigned long want = *addr;
	int flags = want ? MAP_FIXED_NOREPLACE : 0, fd = -1, rc;
	void *p;

	(void)be;
	switch (kind) {
	case SCN_MAP_ANON:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
		break;
	case SCN_MAP_ANON_SHARED:
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		break;
	case SCN_MAP_FILE_SHARED:
	case SCN_MAP_FILE_PRIVATE:
		/* A fresh tmpfs file of the region's size, zero-filled. */
		fd = memfd_create("devmig-scenario", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, len)) {
			rc = lx_errno();
			lx_close(&fd);
			return rc;
		}
		flags |= kind == SCN_MAP_FILE_SHARED ? MAP_SHARED :
						       MAP_PRIVATE;
		break;
	case SCN_MAP_HUGETLB:
		flags |= MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
		break;
	case SCN_MAP_DEVFILE:
		if (mirror < 0 || mirror >= SCN_MAX_MIRRORS ||
		    lx.mirror_fd[mirror] < 0)
			return -EBADF;
		fd = lx.mirror_fd[mirror];
		flags |= MAP_PRIVATE;
		break;
	default:
		return -EINVAL;
	}
	p = mmap((void *)want, len, lx_prot(prot), flags, fd, 0);
	rc = p == MAP_FAILED ? lx_errno() : 0;
	if (kind == SCN_MAP_FILE_SHARED || kind == SCN_MAP_FILE_PRIVATE)
		close(fd);
	if (rc)
		return rc;
	/* A kernel without MAP_FIXED_NOREPLACE takes it as a mere hint. */
	if (want && (unsigned long)p != want) {
		munmap(p, len);
		return -EEXIST;
	}
	*addr = (unsigned long)p;
	return 0;
}

static int lx_munmap(struct scn_backend *be, unsigned long addr,
		     unsigned long len)
{
	(void)be;
	return munmap((void *)addr, len) ? lx_errno() : 0;
}

static int lx_mprotect(struct scn_backend *be, unsigned long addr,
		       unsigned long len, int prot)
{
	(void)be;
	return mprotect((void *)addr, len, lx_prot(prot)) ? lx_errno() : 0;
}

static int lx_madvise(struct scn_backend *be, unsigned long addr,
		      unsigned long len, enum scn_madv advice)
{
	static const int advices[] = {
		[SCN_MADV_HUGEPAGE] = MADV_HUGEPAGE,
		[SCN_MADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
		[SCN_MADV_COLLAPSE] = MADV_COLLAPSE,
		[SCN_MADV_DONTNEED] = MADV_DONTNEED,
	};

	(void)be;
	return madvise((void *)addr, len, advices[advice]) ? lx_errno() : 0;
}

/*
 * One CPU access of @len bytes; a SIGSEGV or SIGBUS on the way ends it.
 * Volatile, so the compiler neither drops nor reorders the accesses.
 */
static int lx_access(volatile unsigned char *dst,
		     const volatile unsigned char *src, size_t len)
{
	size_t i;

	lx_fault_signal = 0;
	if (sigsetjmp(lx_fault_env, 1)) {
		lx_in_access = 0;
		return lx_fault_signal == SIGBUS ? -EIO : -EFAULT;
	}
	lx_in_access = 1;
	for (i = 0; i + sizeof(uint64_t) <= len; i += sizeof(uint64_t))
		*(volatile uint64_t *)(dst + i) =
			*(const volatile uint64_t *)(src + i);
	for (; i < len; i++)
		dst[i] = src[i];
	lx_in_access = 0;
	return 0;
}

static int lx_load(struct scn_backend *be, unsigned long addr, void *buf,
		   size_t len)
{
	(void)be;
	return lx_access(buf, (const unsigned char *)addr, len);
}

static int lx_store(struct scn_backend *be, unsigned long addr,
		    const void *buf, size_t len)
{
	(void)be;
	return lx_access((unsigned char *)addr, buf, len);
}

/*
 * gup_test's one-shot ioctls take and drop the references inside the
 * ioctl, in one call for the whole range here, and succeed whatever GUP
 * did: what they report is the size done, which is the whole range if the
 * call took any page and nothing if it failed.  That, in pages, is the
 * result (scenario.h).
 */
static int lx_gup(struct scn_backend *be, enum scn_gup mode,
		  unsigned long addr, unsigned long npages,
		  unsigned int flags)
{
	static const unsigned long cmds[] = {
		[SCN_GUP_GET] = LX_GUP_BASIC_TEST,
		[SCN_GUP_GET_FAST] = LX_GUP_FAST_BENCHMARK,
		[SCN_GUP_PIN] = LX_PIN_BASIC_TEST,
		[SCN_GUP_PIN_FAST] = LX_PIN_FAST_BENCHMARK,
		[SCN_GUP_PIN_LONGTERM] = LX_PIN_LONGTERM_BENCHMARK,
	};
	struct lx_pin_longterm_test hold;
	struct lx_gup_test gup;
	int fd = lx.gup_fd;

	(void)be;
	if (fd < 0)
		return -ENODEV;
	switch (mode) {
	case SCN_GUP_HOLD:
		memset(&hold, 0, sizeof(hold));
		hold.addr = addr;
		hold.size = npages * SCN_PAGE_SIZE;
		if (flags & SCN_GUP_WRITE)
			hold.flags |= LX_PIN_LONGTERM_TEST_FLAG_USE_WRITE;
		if (flags & SCN_GUP_FAST)
			hold.flags |= LX_PIN_LONGTERM_TEST_FLAG_USE_FAST;
		return ioctl(fd, LX_PIN_LONGTERM_TEST_START, &hold) ?
		       lx_errno() : 0;
	case SCN_GUP_RELEASE:
		return ioctl(fd, LX_PIN_LONGTERM_TEST_STOP) ? lx_errno() : 0;
	default:
		break;
	}
	if (mode >= sizeof(cmds) / sizeof(cmds[0]))
		return -EINVAL;
	memset(&gup, 0, sizeof(gup));
	gup.addr = addr;
	gup.size = npages * SCN_PAGE_SIZE;
	gup.nr_pages_per_call = npages;
	if (flags & SCN_GUP_WRITE)
		gup.gup_flags |= LX_FOLL_WRITE;
	if (flags & SCN_GUP_LONGTERM)
		gup.gup_flags |= LX_FOLL_LONGTERM;
	if (ioctl(fd, cmds[mode], &gup))
		return lx_errno();
	return (int)(gup.size / SCN_PAGE_SIZE);
}

static int lx_dev_open(struct scn_backend *be, int mirror, int type,
		       int index)
{
	char path[32];
	int fd;

	(void)be;
	if (mirror < 0 || mirror >= SCN_MAX_MIRRORS || index < 0 || index > 1)
		return -EINVAL;
	fd = open(lx_device(type, index, path, sizeof(path)),
		  O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return lx_errno();
	lx_close(&lx.mirror_fd[mirror]);
	lx.mirror_fd[mirror] = fd;
	return 0;
}

static int lx_dev_close(struct scn_backend *be, int mirror)
{
	(void)be;
	if (mirror < 0 || mirror >= SCN_MAX_MIRRORS || lx.mirror_fd[mirror] < 0)
		return -EBADF;
	lx_close(&lx.mirror_fd[mirror]);
	return 0;
}

/*
 * Whether the kernel logged a warning since the last call: a record whose
 * text starts as __warn()'s does.  Then re-arm every WARN_ON_ONCE(), so
 * that the next step's once-only warning is printed too, as the model's is
 * counted.  Outside the guest nothing is read: the host's log is not ours.
 */
static int lx_warned(struct scn_backend *be)
{
	char rec[8192];
	int warned = 0;
	ssize_t n;
	char *text;

	(void)be;
	if (lx.kmsg_fd < 0)
		return 0;
	for (;;) {
		n = read(lx.kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = 0;
		/* "prio,seq,usec,flags;text" */
		text = strchr(rec, ';');
		if (text && !strncmp(text + 1, "WARNING: CPU:", 13))
			warned = 1;
	}
	lx_write_file(LX_CLEAR_WARN_ONCE, "1");
	return warned;
}

static int lx_dev_ioctl(struct scn_backend *be, int mirror,
			unsigned int command, struct hmm_dmirror_cmd *cmd)
{
	(void)be;
	if (mirror < 0 || mirror >= SCN_MAX_MIRRORS || lx.mirror_fd[mirror] < 0)
		return -EBADF;
	return ioctl(lx.mirror_fd[mirror], command, cmd) ? lx_errno() : 0;
}

const struct scn_backend_ops scn_backend_linux = {
	.name = "linux",
	.start = lx_start,
	.finish = lx_finish,
	.unsupported = lx_unsupported,
	.thp = lx_thp,
	.fork = lx_fork,
	.exit = lx_exit,
	.wait = lx_wait,
	.enter = lx_enter,
	.exec_in = lx_exec_in,
	.mmap = lx_mmap,
	.munmap = lx_munmap,
	.mprotect = lx_mprotect,
	.madvise = lx_madvise,
	.load = lx_load,
	.store = lx_store,
	.gup = lx_gup,
	.dev_open = lx_dev_open,
	.dev_close = lx_dev_close,
	.dev_ioctl = lx_dev_ioctl,
	.warned = lx_warned,
};
