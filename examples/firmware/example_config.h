/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * example_config.h — this firmware's configuration of the core (mmamp/config.h reads it first:
 * CONFIG in CMakeLists.txt, MMAMP_CONFIG_FILE in the Makefile; docs/config.md lists the options):
 * diagnostics keep their codes, not their text.
 */
#define MMAMP_CONFIG_DIAG_STRINGS 0
