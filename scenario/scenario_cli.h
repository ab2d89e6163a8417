/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario_cli.h - the scenario subcommands of tools/devmig-cli.c (cli.c).
 * Each takes argv from the subcommand's name on and returns the exit status.
 */
#ifndef _SCENARIO_CLI_H
#define _SCENARIO_CLI_H

#include <stdio.h>

int scn_cli_run(int argc, char **argv);
int scn_cli_gen(int argc, char **argv);
int scn_cli_fuzz(int argc, char **argv);
int scn_cli_inject(int argc, char **argv);

/* Name @what (NULL: nothing) if the program dies: after scn_cli_name_deaths(). */
void scn_cli_running(const char *what);
void scn_cli_name_deaths(void);

/*
 * The cmocka XML report scripts/run-tests.sh asks for through
 * CMOCKA_MESSAGE_OUTPUT=xml and CMOCKA_XML_FILE; NULL when it does not.
 */
FILE *scn_xml_report_open(const char *suite);
void scn_xml_report_case(FILE *cases, const char *name, const char *failure);
void scn_xml_report_close(FILE *f, const char *suite, char *cases, int passed,
			  int failed);

#endif /* _SCENARIO_CLI_H */
