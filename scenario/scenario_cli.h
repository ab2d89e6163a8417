/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario_cli.h - the scenario subcommands of tools/devmig-cli.c (cli.c).
 * Each takes argv from the subcommand's name on and returns the exit status.
 */
#ifndef _SCENARIO_CLI_H
#define _SCENARIO_CLI_H

int scn_cli_run(int argc, char **argv);
int scn_cli_gen(int argc, char **argv);
int scn_cli_fuzz(int argc, char **argv);

#endif /* _SCENARIO_CLI_H */
