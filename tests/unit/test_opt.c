/* Unit tests: common/opt.c */
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tap.h"
#include "opt.h"
#include "util.h"

static const struct option lo[] = {
	{ "assignee", required_argument, NULL, 'a' },
	{ "all", no_argument, NULL, 'A' },
	{ "format", required_argument, NULL, 'f' },
	{ NULL, 0, NULL, 0 }
};

static _Noreturn void bad(void)
{
	_exit(64);
}

/* run opt_get over args in a child: its exit status (64 when refused), or
 * 0 with *a, *all and *f as read */
static int run(char **args, int n, char *out, size_t on)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t p = fork();
	if (p == 0) {
		close(fd[0]);
		optind = 0;
		int c;
		char got[200] = "";
		while ((c = opt_get(n, args, "a:f:", lo, bad)) != -1) {
			size_t l = strlen(got);
			snprintf(got + l, sizeof got - l, "%c=%s;", c, optarg ? optarg : "");
		}
		for (int i = optind; i < n; i++) {
			size_t l = strlen(got);
			snprintf(got + l, sizeof got - l, "[%s]", args[i]);
		}
		if (write(fd[1], got, strlen(got)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	ssize_t r = read(fd[0], out, on - 1);
	out[r > 0 ? r : 0] = 0;
	close(fd[0]);
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(void)
{
	char out[256];
	char *a1[] = { "ls", "--assignee", "bob", "x", "--all", NULL };
	ok(run(a1, 5, out, sizeof out) == 0 && !strcmp(out, "a=bob;A=;[x]"), "full names: %s", out);
	char *a2[] = { "ls", "--assignee=bob", "-f", "csv", NULL };
	ok(run(a2, 4, out, sizeof out) == 0 && !strcmp(out, "a=bob;f=csv;"), "=VALUE and short: %s", out);
	char *a3[] = { "ls", "--as", "bob", NULL };
	ok(run(a3, 3, out, sizeof out) == 64, "an abbreviation is refused");
	char *a4[] = { "ls", "--form=json", NULL };
	ok(run(a4, 2, out, sizeof out) == 64, "an abbreviation with =VALUE is refused");
	char *a5[] = { "ls", "--bogus", NULL };
	ok(run(a5, 2, out, sizeof out) == 64, "an unknown option is refused");
	char *a6[] = { "ls", "--format", NULL };
	ok(run(a6, 2, out, sizeof out) == 64, "a missing value is refused");
	char *a7[] = { "ls", "--", "--all", NULL };
	ok(run(a7, 3, out, sizeof out) == 0 && !strcmp(out, "[--all]"), "-- ends the options: %s", out);
	ok(opt_exact("--all", lo) == &lo[1], "opt_exact: --all");
	ok(opt_exact("--al", lo) == NULL, "opt_exact: no prefix");
	ok(opt_exact("--format=x", lo) == &lo[2], "opt_exact: --format=x");
	ok(opt_exact("-f", lo) == NULL, "opt_exact: short is not long");
	return done_testing();
}
