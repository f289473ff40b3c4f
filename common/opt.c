/* opt.c: command-line options, read exactly.  See opt.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "opt.h"
#include "util.h"

const struct option *opt_exact(const char *token, const struct option *lo)
{
	if (strncmp(token, "--", 2) || !token[2])
		return NULL;
	const char *name = token + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	for (; lo && lo->name; lo++)
		if (strlen(lo->name) == n && !strncmp(lo->name, name, n))
			return lo;
	return NULL;
}

/* "--name", cut at '=', at most 60 characters: for messages */
static void spelled(const char *token, char *out, size_t on)
{
	size_t n = strcspn(token, "=");
	snprintf(out, on, "%.*s", (int)(n > 60 ? 60 : n), token);
}

int opt_get(int argc, char **argv, const char *so, const struct option *lo, void (*bad)(void))
{
	char sos[128];
	snprintf(sos, sizeof sos, ":%s", so[0] == '+' || so[0] == '-' ? so + 1 : so);
	if (so[0] == '+')	/* keep the order: options before operands */
		snprintf(sos, sizeof sos, "+:%s", so + 1);
	opterr = 0;
	int li = -1;
	optarg = NULL;
	int c = getopt_long(argc, argv, sos, lo, &li);
	char name[64];
	if (c == -1)
		return c;
	if (li >= 0 && c != '?' && c != ':') {
		/* the token consumed: the one before the option's argument when
		 * that came as a separate word */
		int at = optind - 1;
		if (optarg && at > 1 && optarg == argv[at])
			at--;
		if (at < 1 || !opt_exact(argv[at], lo)) {
			spelled(at >= 1 ? argv[at] : "?", name, sizeof name);
			warnx_("unrecognized option '%s' (options are spelled in full)", name);
			bad();
		}
		return c;
	}
	if (c == '?' || c == ':') {
		const char *tok = optind - 1 >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
		if (optopt && !(tok[0] == '-' && tok[1] == '-'))
			snprintf(name, sizeof name, "-%c", optopt);
		else
			spelled(tok, name, sizeof name);
		if (c == ':')
			warnx_("option '%s' needs a value", name);
		else
			warnx_("unrecognized option '%s'", name);
		bad();
	}
	return c;
}

void opt_misuse(const char *usage_line, const char *fmt, ...)
{
	if (fmt) {
		char why[400];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, sizeof why, fmt, ap);
		va_end(ap);
		warnx_("%s", why);
	}
	fprintf(stderr, "%s\n", usage_line);
	exit(EX_USAGE);
}
