// SPDX-License-Identifier: GPL-2.0
/*
 * inject.c - the injection walk: `devmig inject [OPTIONS] FILE.scn...`.
 *
 * Every call of the model and of the mirror driver that can fail for want
 * of a resource is a named site (api/devmig.h, devmig_fault_*()).  For each
 * script the walk
 *
 *  1. (the first script only) runs it once unfailed, to warm the machine
 *     up: the zero pages stay;
 *  2. runs it recording which sites it reaches, in order, and the result
 *     of every step; unfailed, it must pass as the corpus replay has it
 *     pass and give back what it took (devmig_mem_usage());
 *  3. for each site reached that could fail, runs it again with that site's
 *     first attempt failing (then its 2nd .. Nth with --nth N, then all
 *     the attempts the unfailed run made, unless --no-every: a shortage
 *     that outlasts the operation, which a retry then gets past), and
 *     checks that
 *       - the failure happened (a run where it did not, because the
 *         script's path depends on what earlier scripts left, is still
 *         checked and counted apart);
 *       - the step it happened in either gave the unfailed result (the mm
 *         fell back or retried) or failed with the kernel's error for that
 *         failure (-ENOMEM; -EFAULT for a user copy), or is a migration
 *         that moved fewer pages ("cpages=" smaller, the rest in place);
 *       - no byte was lost: every region equals a shadow of what the steps
 *         wrote, after every step;
 *       - the invariant checker passes after every step and at the end;
 *       - nothing leaked: after the teardown the machine has handed out
 *         what it had before the run (the baseline, unless an earlier
 *         run leaked).
 *
 * It ends with a report: every site of the program, its class, how many
 * runs failed it and whether they passed, or that no script reached it.
 * With --require-all an unreached site fails the walk.  --first-only fails
 * each site in the first script that reaches it only (the quick walk
 * `make test` runs); --record-only skips step 3.
 *
 * Host code: libc and api/ only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devmig.h"
#include "scenario.h"
#include "scenario_cli.h"

struct inject_opts {
	unsigned long nth;	/* fail attempts 1..nth of each site */
	int every;		/* and a run failing every attempt */
	int first_only;		/* each site in its first script only */
	int record_only;
	int require_all;
	int verbose;
	const char *site;	/* only this site */
};

/* Per site, over the whole walk. */
struct site_report {
	int reached;		/* by some script */
	int failable;		/* some attempt could fail */
	const char *first_script;
	unsigned long runs, bad;
	unsigned long missed;	/* runs whose armed attempt never came */
	char why[512];		/* the first failure */
};

/* One step's result, as the recording run saw it. */
struct step_seen {
	int rc;
	char *text;
};

/* What the step callback gathers during one run. */
struct run_watch {
	struct step_seen *seen;	/* recording: filled; failing: compared */
	int recording;
	int fired_step;		/* first step after which a failure fired */
	unsigned long fired_before;
	int rc;
	char text[SCN_TEXT_MAX];
};

static void watch_step(void *arg, int step, const struct scn_result *res)
{
	struct run_watch *w = arg;

	if (step < 0) {
		/* A failure in ->start() that it got past: not a step's. */
		w->fired_before = devmig_fault_fired();
		return;
	}
	if (w->recording) {
		w->seen[step].rc = res->rc;
		w->seen[step].text = strdup(res->text);
		return;
	}
	if (w->fired_step < 0 && devmig_fault_fired() > w->fired_before) {
		w->fired_step = step;
		w->rc = res->rc;
		snprintf(w->text, sizeof(w->text), "%s", res->text);
	}
}

/* The first token of a result ("0", "ENOMEM", "SIGBUS", ...). */
static int first_token_is(const char *text, const char *tok)
{
	size_t n = strlen(tok);

	return !strncmp(text, tok, n) && (text[n] == ' ' || !text[n]);
}

static unsigned long token_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

/*
 * Errors the kernel gives for a failed allocation that are not -ENOMEM:
 * which step, which class of site (NULL: any), which error, and why.
 */
static const struct {
	int op, arg;		/* arg -1: any */
	const char *cls;
	int rc;
	const char *why;
} kernel_errors[] = {
	{ SCN_DEV, -1, NULL, -EFAULT,
	  "the ioctl's user copy faulted and the fault could not get memory" },
	{ SCN_DEV, SCN_DEV_MIGRATE, NULL, -ENOENT,
	  "test_hmm reads the device's view back: a page that stayed is "
	  "not mirrored" },
	{ SCN_DEV, SCN_DEV_EXCLUSIVE, NULL, -ENOENT, "as for migrate" },
	{ SCN_DEV, SCN_DEV_EXCLUSIVE, NULL, -EBUSY,
	  "test_hmm: a page could not be faulted in and made exclusive" },
	{ SCN_MADVISE, SCN_MADV_COLLAPSE, "memcg", -EBUSY,
	  "madvise_collapse_errno(SCAN_CGROUP_CHARGE_FAIL)" },
	{ SCN_MADVISE, SCN_MADV_COLLAPSE, "page", -EINVAL,
	  "a device page whose migrate_to_ram() got no page stays "
	  "non-present: madvise_collapse_errno(SCAN_PTE_NON_PRESENT)" },
	{ SCN_PIN, -1, "page", -EBUSY,
	  "a long-term pin of a page that cannot leave coherent memory" },
	{ SCN_GUP, -1, "page", -EBUSY, "as for pin" },
};

/*
 * Is @got, the result of the step the failure happened in, what the kernel
 * gives for a failure of class @cls?  @want is the unfailed result.
 */
static const char *judge_step(const struct scn_step *st, const char *cls,
			      int rc, const char *got, const char *want)
{
	size_t i;

	if (!strcmp(got, want))
		return NULL;		/* fell back, retried, or absorbed */
	if (rc == (strcmp(cls, "copy") ? -ENOMEM : -EFAULT))
		return NULL;
	for (i = 0; i < sizeof(kernel_errors) / sizeof(kernel_errors[0]); i++)
		if (kernel_errors[i].op == (int)st->op && kernel_errors[i].rc == rc &&
		    (kernel_errors[i].arg < 0 || kernel_errors[i].arg == st->arg) &&
		    (!kernel_errors[i].cls || !strcmp(kernel_errors[i].cls, cls)))
			return NULL;
	/*
	 * A migration that could not allocate (or charge, or map) for some
	 * pages leaves them where they were: it succeeds with fewer.
	 */
	if (st->op == SCN_DEV && rc == 0 && first_token_is(want, "0") &&
	    strstr(want, "cpages=") &&
	    token_value(got, "cpages=") < token_value(want, "cpages="))
		return NULL;
	/* gup_test reports the pages it got: fewer when a pin failed. */
	if (st->op == SCN_GUP && rc == 0 && first_token_is(want, "0") &&
	    strstr(want, "pages=") &&
	    token_value(got, "pages=") < token_value(want, "pages="))
		return NULL;
	return "unexpected result";
}

static int usage_equal(const struct devmig_mem_usage *a,
		       const struct devmig_mem_usage *b)
{
	return a->pages == b->pages && a->slab_objects == b->slab_objects;
}

/*
 * Seconds one run may take (DEVMIG_INJECT_RUN_SECS, default 120): a
 * failure path that waits forever (a reference nobody drops, which
 * memunmap_pages() waits for) ends the walk naming the run.
 */
static unsigned int run_limit(void)
{
	const char *env = getenv("DEVMIG_INJECT_RUN_SECS");

	return env && atoi(env) > 0 ? (unsigned int)atoi(env) : 120;
}

static int run_once(const struct scn_script *s, struct run_watch *w,
		    struct scn_summary *sum)
{
	struct scn_run_opts opts = {
		.check_every_step = 1, .shadow = 1,
		.step_done = watch_step, .arg = w,
	};
	struct scn_backend be = { .ops = &scn_backend_model };
	int ret;

	w->fired_step = -1;
	w->fired_before = 0;
	alarm(run_limit());
	ret = scn_run_script(s, &be, &opts, sum);
	alarm(0);
	return ret;
}

/* The run under way, named if the model dies in it. */
static char current_run[512];

/*
 * One run with attempts @first..@first+@count-1 of site @id failing;
 * 0 if it passed, else 1 with the reason in @why.
 */
static int fail_run(const char *file, const struct scn_script *s,
		    struct step_seen *seen, unsigned int id,
		    unsigned long first, unsigned long count, char *why,
		    size_t len)
{
	struct run_watch w = { .seen = seen };
	struct devmig_fault_site info;
	struct devmig_mem_usage before, after;
	struct scn_summary sum;
	unsigned long fired;
	const char *bad;

	devmig_fault_site_info(id, &info);
	snprintf(current_run, sizeof(current_run), "%s failing %s, attempts "
		 "%lu..%lu", file, info.name, first, first + count - 1);
	scn_cli_running(current_run);
	/* What the run before left (its leak is its own failure). */
	devmig_mem_usage(&before);
	devmig_fault_arm(id, first, count);
	run_once(s, &w, &sum);
	fired = devmig_fault_fired();
	devmig_fault_stop();
	scn_cli_running(NULL);
	devmig_mem_usage(&after);
	/*
	 * The attempt may not come when a script's path depends on what the
	 * scripts before it left (the LRU batches, the pool): the run is
	 * still checked, and counted apart.
	 */
	if (!fired)
		snprintf(why, len, "%s: attempt %lu never came", file, first);
	if (sum.start_rc && sum.start_rc != -ENOMEM) {
		snprintf(why, len, "%s: setup failed with %d", file,
			 sum.start_rc);
		return 1;
	}
	if (w.fired_step >= 0) {
		const struct scn_step *st = &s->steps[w.fired_step];

		bad = judge_step(st, info.class_name, w.rc, w.text,
				 seen[w.fired_step].text);
		if (bad) {
			snprintf(why, len, "%s:%d: %s: '%.80s' gave '%.60s', "
				 "unfailed '%.60s'", file, st->line, bad,
				 st->canon, w.text, seen[w.fired_step].text);
			return 1;
		}
	}
	if (sum.shadow_mismatches) {
		snprintf(why, len, "%s: %lu bytes lost", file,
			 sum.shadow_mismatches);
		return 1;
	}
	if (sum.violations) {
		snprintf(why, len, "%s: %lu invariant violations", file,
			 sum.violations);
		return 1;
	}
	if (!usage_equal(&after, &before)) {
		snprintf(why, len, "%s: leak: %ld pages, %ld slab objects "
			 "more than before", file,
			 (long)(after.pages - before.pages),
			 (long)(after.slab_objects - before.slab_objects));
		return 1;
	}
	return fired ? 0 : 2;
}

static void free_seen(struct step_seen *seen, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(seen[i].text);
	free(seen);
}

static const char *info_name(unsigned int id)
{
	struct devmig_fault_site info;

	devmig_fault_site_info(id, &info);
	return info.name;
}

/* Fail site @id of @s, attempt by attempt; returns the failed checks. */
static unsigned long fail_site(const char *file, const struct scn_script *s,
			       struct step_seen *seen, unsigned int id,
			       unsigned long failable,
			       const struct inject_opts *o,
			       struct site_report *r)
{
	unsigned long nths = failable < o->nth ? failable : o->nth;
	unsigned long i, bad = 0;
	struct devmig_fault_site info;
	int ret;

	devmig_fault_site_info(id, &info);
	/*
	 * Attempts 1..nths one at a time, then every attempt the unfailed run
	 * made (a retry beyond them succeeds: a shortage that passes).
	 */
	for (i = 1; i <= nths + 1; i++) {
		unsigned long first = i <= nths ? i : 1;
		unsigned long count = i <= nths ? 1 : failable;
		char why[512];

		if (i > nths && (!o->every || failable < 2))
			break;
		if (o->verbose) {
			printf("inject: %s: %s, attempts %lu..%lu\n", file,
			       info.name, first, first + count - 1);
			fflush(stdout);
		}
		r->runs++;
		ret = fail_run(file, s, seen, id, first, count, why,
			       sizeof(why));
		if (!ret)
			continue;
		if (ret == 2) {
			r->missed++;
			if (o->verbose)
				printf("inject: %s: %s\n", info.name, why);
			continue;
		}
		if (!r->bad++)
			snprintf(r->why, sizeof(r->why), "%s", why);
		printf("inject: %s FAILED: %s\n", info.name, why);
		bad++;
	}
	return bad;
}

static int warmed_up;

/* Steps 1-3 for one script; returns the number of failed checks. */
static unsigned long walk_script(const char *file, const struct scn_script *s,
				 const struct inject_opts *o,
				 struct site_report *rep, unsigned int nsites)
{
	struct step_seen *seen = calloc(s->nsteps + 1, sizeof(*seen));
	unsigned int *order = calloc(nsites + 1, sizeof(*order));
	unsigned long *failable = calloc(nsites + 1, sizeof(*failable));
	struct run_watch warm = { 0 }, w = { .seen = seen, .recording = 1 };
	struct devmig_mem_usage base, after;
	struct devmig_fault_site info;
	struct scn_summary sum;
	unsigned long bad = 0;
	unsigned int nr, k;
	int ret;

	if (!seen || !order || !failable) {
		fprintf(stderr, "inject: out of memory\n");
		exit(1);
	}
	/*
	 * Warm-up, once for the walk: boots, makes the zero pages, which
	 * stay.  After it every run gives back what it took.
	 */
	scn_cli_running(file);
	if (!warmed_up) {
		run_once(s, &warm, &sum);
		warmed_up = 1;
	}
	devmig_mem_usage(&base);
	devmig_fault_record();
	ret = run_once(s, &w, &sum);
	devmig_fault_stop();
	scn_cli_running(NULL);
	devmig_mem_usage(&after);
	if (sum.unsupported)
		goto out;
	/* Unfailed, the script passes as the corpus replay has it pass. */
	if (ret || sum.start_rc || !usage_equal(&base, &after)) {
		printf("inject: %s: FAILED without a failure (%d expectations, "
		       "%lu violations, %lu bytes lost, %ld pages and %ld "
		       "objects leaked)\n", file, sum.failed_expectations,
		       sum.violations, sum.shadow_mismatches,
		       (long)(after.pages - base.pages),
		       (long)(after.slab_objects - base.slab_objects));
		bad = 1;
		goto out;
	}
	nr = devmig_fault_reached(order, nsites);
	for (k = 0; k < nr; k++) {
		devmig_fault_site_info(order[k], &info);
		failable[order[k]] = info.failable_hits;
	}
	for (k = 0; k < nr; k++) {
		unsigned int id = order[k];
		struct site_report *r = &rep[id];

		if (!r->reached) {
			r->reached = 1;
			r->first_script = file;
		} else if (o->first_only && r->failable) {
			continue;
		}
		if (o->record_only || !failable[id])
			continue;
		r->failable = 1;
		if (o->site && strcmp(o->site, info_name(id)))
			continue;
		bad += fail_site(file, s, seen, id, failable[id], o, r);
	}
out:
	free_seen(seen, s->nsteps);
	free(order);
	free(failable);
	return bad;
}

static void inject_usage(FILE *f)
{
	fprintf(f,
"usage: devmig inject [--nth N] [--no-every] [--first-only] [--record-only]\n"
"                     [--require-all] [--site NAME] [--verbose] FILE.scn...\n"
"\n"
"Runs each scenario recording the failure sites it reaches, then again\n"
"failing each site in turn, and checks the step's error, the data against\n"
"a shadow, the invariants and the machine's memory after the teardown.\n"
"  --nth N         fail attempts 1..N of each site, one run each (default 1)\n"
"  --no-every      no run failing all the attempts of a site the unfailed\n"
"                  run made\n"
"  --first-only    fail each site in the first script reaching it only\n"
"  --record-only   only record which sites the scripts reach\n"
"  --require-all   fail if a site of the program is reached by no script\n"
"  --site NAME     fail this site only\n"
"  --verbose       name each run before it starts\n");
}

static const char *status_of(const struct site_report *r,
			     const struct inject_opts *o)
{
	if (!r->reached)
		return "UNREACHED";
	if (!r->failable)
		return "reached, cannot fail";
	if (o->record_only)
		return "reached";
	if (!r->runs)
		return "reached";
	return r->bad ? "FAILED" : "failed, checked";
}

int scn_cli_inject(int argc, char **argv)
{
	struct inject_opts o = { .nth = 1, .every = 1 };
	unsigned int nsites = devmig_fault_nr_sites(), id;
	unsigned long bad = 0, runs = 0, unreached = 0, checked = 0;
	unsigned long nofail = 0, missed = 0;
	unsigned int nfailed = 0;
	struct site_report *rep;
	FILE *xml = NULL, *cases = NULL;
	char *case_text = NULL;
	size_t case_len = 0;
	struct timespec t0, t1;
	char err[512];
	int i, nfiles = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--nth") && i + 1 < argc) {
			o.nth = strtoul(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--no-every")) {
			o.every = 0;
		} else if (!strcmp(argv[i], "--first-only")) {
			o.first_only = 1;
		} else if (!strcmp(argv[i], "--record-only")) {
			o.record_only = 1;
		} else if (!strcmp(argv[i], "--require-all")) {
			o.require_all = 1;
		} else if (!strcmp(argv[i], "--verbose")) {
			o.verbose = 1;
		} else if (!strcmp(argv[i], "--site") && i + 1 < argc) {
			o.site = argv[++i];
		} else {
			inject_usage(stderr);
			return 2;
		}
	}
	if (i == argc || !o.nth) {
		inject_usage(stderr);
		return 2;
	}
	scn_cli_name_deaths();
	rep = calloc(nsites + 1, sizeof(*rep));
	if (!rep)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (; i < argc; i++) {
		struct scn_script s;

		if (scn_parse_file(argv[i], &s, err, sizeof(err))) {
			printf("%s\n", err);
			return 2;
		}
		bad += walk_script(argv[i], &s, &o, rep, nsites);
		scn_script_free(&s);
		nfiles++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	xml = scn_xml_report_open("inject");
	if (xml)
		cases = open_memstream(&case_text, &case_len);
	printf("%-52s %-8s %-20s %5s  %s\n", "SITE", "CLASS", "STATUS", "RUNS",
	       "FIRST REACHED BY / FIRST FAILURE");
	for (id = 0; id < nsites; id++) {
		const struct site_report *r = &rep[id];
		struct devmig_fault_site info;
		const char *failure = NULL;

		devmig_fault_site_info(id, &info);
		runs += r->runs;
		missed += r->missed;
		unreached += !r->reached;
		nofail += r->reached && !r->failable;
		checked += r->failable && r->runs && !r->bad;
		printf("%-52s %-8s %-20s %5lu  %s\n", info.name,
		       info.class_name, status_of(r, &o), r->runs,
		       r->bad ? r->why : r->reached ? r->first_script :
		       info.file);
		if (r->bad)
			failure = "a run failing it failed a check; see the log";
		else if (!r->reached && o.require_all)
			failure = "no script reaches it";
		scn_xml_report_case(cases, info.name, failure);
		if (failure)
			nfailed++;
	}
	printf("inject: %d scripts, %u sites: %lu reached (%lu failed and "
	       "checked, %lu cannot fail), %lu unreached; %lu runs failing a "
	       "site in %.1f s (%lu where the attempt never came); %lu failed "
	       "checks\n", nfiles, nsites, nsites - unreached, checked, nofail,
	       unreached, runs,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       missed, bad);
	if (o.require_all && unreached)
		printf("inject: FAILED: %lu sites no script reaches (listed "
		       "UNREACHED above)\n", unreached);
	/* cmocka's closing lines, which scripts/run-tests.sh counts. */
	printf("[  PASSED  ] %u test(s).\n", nsites - nfailed);
	if (nfailed)
		printf("[  FAILED  ] %u test(s).\n", nfailed);
	if (cases)
		fclose(cases);
	scn_xml_report_close(xml, "inject", case_text, nsites - nfailed,
			     nfailed);
	free(case_text);
	free(rep);
	return bad || (o.require_all && unreached) ? 1 : 0;
}
