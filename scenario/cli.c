// SPDX-License-Identifier: GPL-2.0
/*
 * cli.c - the scenario subcommands of the devmig command line:
 *
 *	devmig run [--backend NAME] [--check] [--quiet] FILE...
 *	devmig gen --seed S [--count N] [--steps K] [--dir DIR]
 *
 * run prints each FILE's transcript on stdout (a "== FILE" line before each
 * when there are several); exit status 0 if every script ran with its
 * expectations met and no invariant violation, 1 if not, 2 on a malformed
 * script or bad arguments, 3 if a script needs a feature the backend lacks
 * (and nothing else failed).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "scenario_cli.h"

static void run_usage(FILE *f)
{
	fprintf(f,
"usage: devmig run [--backend model] [--check] [--quiet] FILE...\n"
"\n"
"Runs each scenario FILE (doc/SCENARIOS.md) and prints its transcript.\n"
"  --backend NAME  the world to run in (default: model)\n"
"  --check         check the model's invariants after every step\n"
"                  (they are always checked at the end)\n"
"  --quiet         print no transcript, only failures\n");
}

int scn_cli_run(int argc, char **argv)
{
	const struct scn_backend_ops *ops = &scn_backend_model;
	struct scn_run_opts opts = { .out = stdout };
	int i, nfiles = 0, status = 0, unsupported = 0;
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
	return status ? status : unsupported ? 3 : 0;
}
