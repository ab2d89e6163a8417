// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - the scenario subcommands of the devmig command line:
 *
 *	devmig run [--backend NAME] [--check] [--quiet] FILE...
 *	devmig run --compare|--update [--check] FILE.scn...
 *	devmig gen --seed S [--count N] [--steps K] [--dir DIR]
 *	devmig fuzz --seed S [--count N] [--steps K] [--dir DIR]
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
 * to the suite's; with cmocka's CMOCKA_MESSAGE_OUTPUT=xml and
 * CMOCKA_XML_FILE in the environment it also writes a cmocka XML report
 * there, one test per script, as the suites do.  --update writes FILE.out
 * instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
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
"  --shadow        compare every region with a byte-exact shadow after\n"
"                  every step\n"
"  --quiet         print no transcript, only failures\n");
}

/* The script being replayed, named if the model dies under it. */
static const char *replaying;

static void died(int sig)
{
	static const char msg[] = "devmig: died while running ";

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
		       "violations, %lu bytes lost)\n", file,
		       sum.failed_expectations, sum.violations,
		       sum.shadow_mismatches);
		bad = 1;
	}
	free(got);
	return bad;
}

void scn_cli_running(const char *what)
{
	replaying = what;
}

void scn_cli_name_deaths(void)
{
	signal(SIGABRT, died);
	signal(SIGSEGV, died);
	signal(SIGALRM, died);	/* a run's time limit (inject.c) */
}

/*
 * The cmocka XML report a corpus replay or the injection walk writes when
 * the test runner asks for one, or NULL.  @suite is cmocka's %g in the name.
 */
FILE *scn_xml_report_open(const char *suite)
{
	const char *mode = getenv("CMOCKA_MESSAGE_OUTPUT");
	const char *name = getenv("CMOCKA_XML_FILE");
	char path[512];
	const char *g;
	FILE *f;

	if (!mode || strcasecmp(mode, "xml") || !name)
		return NULL;
	g = strstr(name, "%g");
	if (g)
		snprintf(path, sizeof(path), "%.*s%s%s", (int)(g - name),
			 name, suite, g + 2);
	else
		snprintf(path, sizeof(path), "%s", name);
	f = fopen(path, "w");
	if (f)
		fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n"
			"<testsuites>\n");
	return f;
}

/*
 * Buffered until the end: the suite's counts come first.  @failure: NULL
 * for a pass, else the message (no XML special characters).
 */
void scn_xml_report_case(FILE *cases, const char *name, const char *failure)
{
	if (!cases)
		return;
	fprintf(cases, "    <testcase name=\"%s\" time=\"0\" >\n", name);
	if (failure)
		fprintf(cases, "      <failure message=\"%s\" />\n", failure);
	fprintf(cases, "    </testcase>\n");
}

void scn_xml_report_close(FILE *f, const char *suite, char *cases, int passed,
			  int failed)
{
	if (!f)
		return;
	fprintf(f, "  <testsuite name=\"%s\" time=\"0\" tests=\"%d\" "
		"failures=\"%d\" errors=\"0\" skipped=\"0\" >\n%s"
		"  </testsuite>\n</testsuites>\n", suite, passed + failed,
		failed, cases ? cases : "");
	fclose(f);
}

int scn_cli_run(int argc, char **argv)
{
	const struct scn_backend_ops *ops = &scn_backend_model;
	struct scn_run_opts opts = { .out = stdout };
	int i, nfiles = 0, status = 0, unsupported = 0;
	int compare = 0, update = 0, passed = 0, failed = 0;
	FILE *xml = NULL, *cases = NULL;
	char err[512], *case_text = NULL;
	size_t case_len = 0;

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
		} else if (!strcmp(argv[i], "--shadow")) {
			opts.shadow = 1;
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
	/* A stray --update would turn every comparison into a pass. */
	if (compare && update) {
		fprintf(stderr, "devmig run: --compare and --update exclude "
			"each other\n");
		return 2;
	}
	if (compare || update) {
		scn_cli_name_deaths();
		xml = scn_xml_report_open("corpus");
		if (xml)
			cases = open_memstream(&case_text, &case_len);
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
			scn_xml_report_case(cases, argv[i], "transcript or run differs; "
					    "see the log");
			continue;
		}
		if (compare || update) {
			int bad = replay(argv[i], &s, &be, &opts, update);

			scn_xml_report_case(cases, argv[i], bad ? "transcript or run "
					    "differs; see the log" : NULL);
			if (bad)
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
				"invariant violations, %lu bytes lost)\n",
				argv[i], sum.failed_expectations,
				sum.violations, sum.shadow_mismatches);
			if (!status)
				status = 1;
		}
		scn_script_free(&s);
	}
	if (compare || update) {
		if (cases)
			fclose(cases);
		scn_xml_report_close(xml, "corpus", case_text, passed, failed);
		free(case_text);
		printf("scenarios: %d passed, %d failed\n", passed, failed);
		printf("[  PASSED  ] %d test(s).\n", passed);
		if (failed)
			printf("[  FAILED  ] %d test(s).\n", failed);
		return failed ? 1 : 0;
	}
	return status ? status : unsupported ? 3 : 0;
}

static int parse_ulong(const char *opt, const char *s, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s ? s : "", &end, 10);
	if (!s || errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "devmig: %s needs a number\n", opt);
		return -1;
	}
	return 0;
}

struct gen_opts {
	unsigned long seed, count, steps;
	const char *dir;
	int check_every;	/* invariants after every Nth step (fuzz) */
};

static int gen_args(int argc, char **argv, struct gen_opts *o)
{
	unsigned long n;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--seed")) {
			if (parse_ulong(a, v, &o->seed))
				return -1;
		} else if (!strcmp(a, "--count")) {
			if (parse_ulong(a, v, &o->count))
				return -1;
		} else if (!strcmp(a, "--steps")) {
			if (parse_ulong(a, v, &o->steps) || !o->steps)
				return -1;
		} else if (!strcmp(a, "--check-every")) {
			if (parse_ulong(a, v, &n))
				return -1;
			o->check_every = (int)n;
		} else if (!strcmp(a, "--dir")) {
			if (!v)
				return -1;
			o->dir = v;
		} else {
			fprintf(stderr, "devmig %s: unknown argument '%s'\n",
				argv[0], a);
			return -1;
		}
		i++;
	}
	return 0;
}

/*
 * devmig gen --seed S [--count N] [--steps K] [--dir DIR]: N scripts from
 * seeds S, S+1, ...: on stdout, or as DIR/gen-SEED.scn.
 */
int scn_cli_gen(int argc, char **argv)
{
	struct gen_opts o = { .seed = 1, .count = 1, .steps = 40 };
	char path[1024];
	unsigned long i;

	if (gen_args(argc, argv, &o)) {
		fprintf(stderr, "usage: devmig gen --seed S [--count N] "
			"[--steps K] [--dir DIR]\n");
		return 2;
	}
	for (i = 0; i < o.count; i++) {
		FILE *f = stdout;

		if (o.dir) {
			snprintf(path, sizeof(path), "%s/gen-%lu.scn", o.dir,
				 o.seed + i);
			f = fopen(path, "w");
			if (!f) {
				perror(path);
				return 1;
			}
		}
		scn_generate(f, o.seed + i, (int)o.steps);
		if (o.dir && fclose(f)) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

/* Keep a failing generated script where it can be replayed. */
static void keep_failure(const struct gen_opts *o, unsigned long seed,
			 const char *script, const char *transcript)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/fuzz-%lu.scn", o->dir ? o->dir : ".",
		 seed);
	f = fopen(path, "w");
	if (f) {
		fputs(script, f);
		fclose(f);
	}
	printf("seed %lu FAILED, script saved as %s; transcript:\n%s", seed,
	       path, transcript);
}

/*
 * devmig fuzz --seed S --count N [--steps K] [--check-every C] [--dir DIR]:
 * run N generated scripts on the model with the byte-exact shadow after
 * every step and the invariant checker after every Cth step (default 1;
 * 0: at the end of each script only); failures are saved in DIR
 * (default .).
 */
int scn_cli_fuzz(int argc, char **argv)
{
	struct gen_opts o = { .seed = 1, .count = 100, .steps = 40,
			      .check_every = 1 };
	struct scn_run_opts opts = { .shadow = 1 };
	unsigned long i, steps = 0, viol = 0, lost = 0, failed = 0, warned = 0;
	struct timespec t0, t1;
	double secs, shown = 0;
	char err[512];

	if (gen_args(argc, argv, &o)) {
		fprintf(stderr, "usage: devmig fuzz --seed S [--count N] "
			"[--steps K] [--check-every C] [--dir DIR]\n");
		return 2;
	}
	opts.check_every_step = o.check_every;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < o.count; i++) {
		struct scn_backend be = { .ops = &scn_backend_model };
		char *script = NULL, *transcript = NULL;
		size_t slen = 0, tlen = 0;
		struct scn_summary sum;
		struct scn_script s;
		FILE *f = open_memstream(&script, &slen);
		int ret;

		if (!f)
			return 1;
		scn_generate(f, o.seed + i, (int)o.steps);
		fclose(f);
		if (scn_parse("generated", script, &s, err, sizeof(err))) {
			printf("seed %lu: the generator wrote an invalid "
			       "script: %s\n", o.seed + i, err);
			keep_failure(&o, o.seed + i, script, "");
			free(script);
			failed++;
			continue;
		}
		opts.out = open_memstream(&transcript, &tlen);
		if (!opts.out)
			return 1;
		replaying = "a generated script";
		ret = scn_run_script(&s, &be, &opts, &sum);
		replaying = NULL;
		fclose(opts.out);
		steps += sum.steps;
		warned += sum.warned_steps;
		viol += sum.violations;
		lost += sum.shadow_mismatches;
		if (ret) {
			failed++;
			keep_failure(&o, o.seed + i, script, transcript);
		}
		scn_script_free(&s);
		free(script);
		free(transcript);
		/* A long run says how far it is, every 10 s, on stderr. */
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (secs - shown >= 10 && i + 1 < o.count) {
			shown = secs;
			fprintf(stderr, "fuzz: %lu%% (%lu of %lu scenarios, %lu steps), "
				"%.0f s, about %.0f s left, %lu failed\n",
				(i + 1) * 100 / o.count, i + 1, o.count, steps,
				secs, secs / (i + 1) * (o.count - i - 1), failed);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("fuzz: seeds %lu..%lu, %lu scenarios, %lu steps in %.1f s "
	       "(%.0f steps/s), %lu invariant violations, %lu bytes lost, "
	       "%lu failed\n", o.seed, o.seed + o.count - 1, o.count, steps,
	       secs, secs > 0 ? steps / secs : 0.0, viol, lost, failed);
	/* Scripts warn where Linux does; make kernel-diff compares where. */
	printf("fuzz: %lu steps warned (transcript WARN)\n", warned);
	printf("[  PASSED  ] %lu test(s).\n", o.count - failed);
	if (failed)
		printf("[  FAILED  ] %lu test(s).\n", failed);
	return failed ? 1 : 0;
}
