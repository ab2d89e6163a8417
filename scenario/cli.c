// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - the scenario subcommands of the devmig command line:
 *
 *	devmig run [--backend NAME] [--check] [--quiet] FILE...
 *	devmig run --compare|--update [--check] FILE.scn...
 *
 * run prints each FILE's transcript on stdout (a "== FILE" line before each
 * when there are several); exit status 0 if every script ran with its
 * expectations met and no invariant violation, 1 if not, 2 on a malformed
 * script or bad arguments, 3 if a script needs a feature the backend lacks
 * (and nothing else failed).
 *
 * --compare replays a corpus: each FILE.scn's transcript must equal
 * FILE.out byte for byte and the run must be clean (a script the backend
 * cannot run passes if FILE.out says so); it prints the first differing line
 * of each failure and a cmocka-style count that scripts/run-tests.sh adds
 * to the suite's.  --update writes FILE.out instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"
#include "scenario_cli.h"

static void run_usage(FILE *f)
{
	fprintf(f,
"usage: devmig run [--backend model] [--check] [--quiet] FILE...\n"
"       devmig run --compare|--update [--check] FILE.scn...\n"
"\n"
"Runs each scenario FILE (doc/SCENARIOS.md) and prints its transcript.\n"
"  --compare       check each transcript against FILE.out (corpus replay)\n"
"  --update        write each transcript to FILE.out\n"
"  --backend NAME  the world to run in (default: model)\n"
"  --check         check the model's invariants after every step\n"
"                  (they are always checked at the end)\n"
"  --quiet         print no transcript, only failures\n");
}

/* The script being replayed, named if the model dies under it. */
static const char *replaying;

static void died(int sig)
{
	static const char msg[] = "devmig run: died while running ";

	if (replaying) {
		if (write(2, msg, sizeof(msg) - 1) < 0 ||
		    write(2, replaying, strlen(replaying)) < 0 ||
		    write(2, "\n", 1) < 0)
			_exit(128 + sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* FILE.scn -> FILE.out */
static void out_path(const char *scn, char *out, size_t len)
{
	size_t n = strlen(scn);

	if (n > 4 && !strcmp(scn + n - 4, ".scn"))
		n -= 4;
	snprintf(out, len, "%.*s.out", (int)n, scn);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *b = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

/* Print the first line where @got and @want differ. */
static void first_difference(const char *file, const char *got, size_t glen,
			     const char *want, size_t wlen)
{
	size_t i = 0, line_start = 0;
	int line = 1;
	const char *ge, *we;

	while (i < glen && i < wlen && got[i] == want[i]) {
		if (got[i] == '\n') {
			line++;
			line_start = i + 1;
		}
		i++;
	}
	ge = memchr(got + line_start, '\n', glen - line_start);
	we = memchr(want + line_start, '\n', wlen - line_start);
	printf("%s: transcript line %d differs\n  want: %.*s\n  got:  %.*s\n",
	       file, line,
	       (int)((we ? we : want + wlen) - (want + line_start)),
	       want + line_start,
	       (int)((ge ? ge : got + glen) - (got + line_start)),
	       got + line_start);
}

/*
 * Run @s into memory; compare with (or, @update, write) its .out file.
 * Returns 0 if it passed.
 */
static int replay(const char *file, const struct scn_script *s,
		  struct scn_backend *be, const struct scn_run_opts *base,
		  int update)
{
	struct scn_run_opts opts = *base;
	struct scn_summary sum;
	char path[512], *got = NULL, *want;
	size_t glen = 0, wlen = 0;
	int ret, bad = 0;
	FILE *mem = open_memstream(&got, &glen);

	if (!mem)
		return -1;
	opts.out = mem;
	replaying = file;
	ret = scn_run_script(s, be, &opts, &sum);
	replaying = NULL;
	fclose(mem);
	out_path(file, path, sizeof(path));
	if (update) {
		FILE *f = fopen(path, "wb");

		if (!f || fwrite(got, 1, glen, f) != glen || fclose(f)) {
			printf("%s: cannot write\n", path);
			bad = 1;
		}
	} else {
		want = slurp(path, &wlen);
		if (!want) {
			printf("%s: no transcript to compare with\n", path);
			bad = 1;
		} else if (wlen != glen || memcmp(got, want, glen)) {
			first_difference(file, got, glen, want, wlen);
			bad = 1;
		}
		free(want);
	}
	if (ret == 1) {
		printf("%s: FAILED (%d expectations, %lu invariant "
		       "violations)\n", file, sum.failed_expectations,
		       sum.violations);
		bad = 1;
	}
	free(got);
	return bad;
}

int scn_cli_run(int argc, char **argv)
{
	const struct scn_backend_ops *ops = &scn_backend_model;
	struct scn_run_opts opts = { .out = stdout };
	int i, nfiles = 0, status = 0, unsupported = 0;
	int compare = 0, update = 0, passed = 0, failed = 0;
	char err[512];

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			run_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--backend")) {
			if (++i == argc) {
				fprintf(stderr, "devmig run: --backend needs "
					"a name\n");
				return 2;
			}
			ops = scn_backend_find(argv[i]);
			if (!ops) {
				fprintf(stderr, "devmig run: no backend '%s' "
					"in this program\n", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--check")) {
			opts.check_every_step = 1;
		} else if (!strcmp(argv[i], "--quiet")) {
			opts.out = NULL;
		} else if (!strcmp(argv[i], "--compare")) {
			compare = 1;
		} else if (!strcmp(argv[i], "--update")) {
			update = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "devmig run: unknown option '%s'\n",
				argv[i]);
			run_usage(stderr);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		run_usage(stderr);
		return 2;
	}
	if (compare || update) {
		signal(SIGABRT, died);
		signal(SIGSEGV, died);
	}
	for (i = 1; i < argc; i++) {
		struct scn_backend be = { .ops = ops };
		struct scn_script s;
		struct scn_summary sum;
		int ret;

		if (argv[i][0] == '-' && argv[i][1]) {
			if (!strcmp(argv[i], "--backend"))
				i++;
			continue;
		}
		if (scn_parse_file(argv[i], &s, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			status = 2;
			failed++;
			continue;
		}
		if (compare || update) {
			if (replay(argv[i], &s, &be, &opts, update))
				failed++;
			else
				passed++;
			scn_script_free(&s);
			continue;
		}
		if (nfiles > 1 && opts.out)
			printf("== %s\n", argv[i]);
		ret = scn_run_script(&s, &be, &opts, &sum);
		fflush(stdout);
		if (ret == 2)
			unsupported = 1;
		else if (ret) {
			fprintf(stderr, "%s: FAILED (%d expectations, %lu "
				"invariant violations)\n", argv[i],
				sum.failed_expectations, sum.violations);
			if (!status)
				status = 1;
		}
		scn_script_free(&s);
	}
	if (compare || update) {
		printf("scenarios: %d passed, %d failed\n", passed, failed);
		printf("[  PASSED  ] %d test(s).\n", passed);
		if (failed)
			printf("[  FAILED  ] %d test(s).\n", failed);
		return failed ? 1 : 0;
	}
	return status ? status : unsupported ? 3 : 0;
}
