/* opt.h: command-line options, read exactly.
 *
 * getopt_long takes any unambiguous prefix of a long option, so that
 * "--as" silently means "--assignee" where both could be meant.  opt_get
 * is getopt_long without that: a long option must be spelled in full
 * ("--name" or "--name=VALUE"), and every fault is one line on stderr
 * ("prog: unrecognized option '--x'") before bad() is called (which
 * prints the command's usage line and exits; it must not return). */
#ifndef MDESK_OPT_H
#define MDESK_OPT_H
#include <getopt.h>

int opt_get(int argc, char **argv, const char *shortopts, const struct option *longopts,
    void (*bad)(void));

/* A command line used wrongly: what is wrong (fmt, printf-style; NULL when
 * it was said already, as opt_get does), then the tool's usage line, one
 * line ("usage: tool ..."), on stderr; exit 64. */
_Noreturn void opt_misuse(const char *usage_line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The option of longopts that token ("--name" or "--name=VALUE") spells in
 * full, or NULL. */
const struct option *opt_exact(const char *token, const struct option *longopts);

#endif
