// SPDX-License-Identifier: GPL-2.0
/*
 * backtrace.c - host_backtrace(): the calling thread's stack as function,
 * file and line, for BUG() and WARN().
 *
 * glibc's backtrace() gives return addresses; dladdr() names the object
 * (executable or shared library) each one lies in, and addr2line (binutils,
 * installed with gcc) turns object offsets into function, file and line
 * from the debug information -g leaves there.  No -rdynamic is needed.
 * Where addr2line is missing or knows nothing, a frame is printed as
 * symbol+offset (object+offset), the most dladdr() can tell.
 * DEVMIG_BACKTRACE=raw prints glibc's backtrace_symbols_fd() lines instead.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#define BT_MAX_FRAMES	48

struct bt_frame {
	void *pc;		/* the return address */
	const char *object;	/* the file to read debug information from */
	uintptr_t offset;	/* what addr2line wants for that file */
	char text[512];		/* the line printed for this frame */
};

static const char *bt_executable(void)
{
	static char path[4096];
	ssize_t n;

	if (!path[0]) {
		n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = '\0';
	}
	return path[0] ? path : program_invocation_name;
}

/* The file a frame's object was loaded from, and the address addr2line wants. */
static int bt_locate(struct bt_frame *f)
{
	/* The call instruction, not the one after it. */
	uintptr_t pc = (uintptr_t)f->pc - 1;
	const Elf64_Ehdr *ehdr;
	Dl_info info;

	if (!dladdr((void *)pc, &info) || !info.dli_fname || !info.dli_fbase)
		return -1;
	f->object = info.dli_fname;
	/*
	 * The executable is named as it was run (maybe relative, maybe not
	 * at all); the kernel knows its real path.
	 */
	if (!*f->object || !strcmp(f->object, program_invocation_name))
		f->object = bt_executable();
	/* Position-independent objects are looked up by offset. */
	ehdr = info.dli_fbase;
	f->offset = ehdr->e_type == ET_DYN ? pc - (uintptr_t)info.dli_fbase : pc;
	if (info.dli_sname)
		snprintf(f->text, sizeof(f->text), "%s+%#lx (%s+%#lx)",
			 info.dli_sname, (unsigned long)(pc - (uintptr_t)info.dli_saddr),
			 info.dli_fname, (unsigned long)f->offset);
	else
		snprintf(f->text, sizeof(f->text), "%s+%#lx", info.dli_fname,
			 (unsigned long)f->offset);
	return 0;
}

/*
 * One addr2line run for every frame in @object: it prints one line per
 * address, "function at file:line", in the order given.
 */
static void bt_symbolize_object(struct bt_frame *frames, int n,
				const char *object)
{
	char cmd[4096], line[512];
	size_t len;
	FILE *p;
	int i;

	if (strchr(object, '\''))
		return;
	len = snprintf(cmd, sizeof(cmd), "addr2line -f -p -C -e '%s'", object);
	for (i = 0; i < n && len < sizeof(cmd) - 24; i++)
		if (frames[i].object == object)
			len += snprintf(cmd + len, sizeof(cmd) - len, " %#lx",
					(unsigned long)frames[i].offset);
	if (len >= sizeof(cmd) - 24)
		return;
	strcat(cmd, " 2>/dev/null");
	p = popen(cmd, "r");
	if (!p)
		return;
	for (i = 0; i < n; i++) {
		if (frames[i].object != object)
			continue;
		if (!fgets(line, sizeof(line), p))
			break;
		line[strcspn(line, "\n")] = '\0';
		/* "?? ??:0": addr2line knows nothing better than dladdr. */
		if (strncmp(line, "??", 2))
			snprintf(frames[i].text, sizeof(frames[i].text), "%s",
				 line);
	}
	pclose(p);
}

void host_backtrace(void)
{
	static struct bt_frame frames[BT_MAX_FRAMES];
	static struct host_mutex lock;	/* zero bytes: initialised */
	void *pcs[BT_MAX_FRAMES];
	const char *mode = getenv("DEVMIG_BACKTRACE");
	int n, i, j;

	n = backtrace(pcs, BT_MAX_FRAMES);
	if (mode && !strcmp(mode, "raw")) {
		backtrace_symbols_fd(pcs + 1, n - 1, 2);
		return;
	}
	/* One backtrace at a time: they share @frames and stderr. */
	host_mutex_lock(&lock);
	/* Frame 0 is this function. */
	for (i = 1; i < n; i++) {
		struct bt_frame *f = &frames[i - 1];

		f->pc = pcs[i];
		f->object = NULL;
		if (bt_locate(f))
			snprintf(f->text, sizeof(f->text), "%p", f->pc);
	}
	n--;
	for (i = 0; i < n; i++) {
		/* Each object once: at its first frame. */
		for (j = 0; j < i && frames[j].object != frames[i].object; j++)
			;
		if (frames[i].object && j == i)
			bt_symbolize_object(frames, n, frames[i].object);
	}
	fprintf(stderr, "backtrace:\n");
	for (i = 0; i < n; i++)
		fprintf(stderr, "  #%-2d %s\n", i, frames[i].text);
	host_mutex_unlock(&lock);
}
