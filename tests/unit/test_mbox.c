/* Unit tests: common/mbox.c (the splitter, on files and on pipes) */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "mbox.h"
#include "tap.h"

struct got {
	int n;
	char env[8][64];
	char hdr[8][256];
	char body[8][512];
};

/* Feed text through a pipe (a writer child) and split it. */
static void split(const char *text, size_t len, struct got *g)
{
	int fd[2];
	memset(g, 0, sizeof *g);
	if (pipe(fd) != 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		close(fd[0]);
		size_t off = 0;
		while (off < len) {	/* dribble: tiny writes cross every boundary */
			size_t n = len - off < 3 ? len - off : 3;
			if (write(fd[1], text + off, n) < 0)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(fd[1]);
	struct mbox_reader *r = mbox_open(fd[0]);
	struct mbox_msg m;
	while (mbox_next(r, &m) > 0 && g->n < 8) {
		if (m.envelope)
			snprintf(g->env[g->n], 64, "%.*s", (int)m.envelope_len, m.envelope);
		snprintf(g->hdr[g->n], 256, "%.*s", (int)m.header_len, m.header);
		const char *p;
		size_t n;
		struct buf b = { 0 };
		int bol = 1;
		while (mbox_body(r, &p, &n) > 0)
			mbox_unescape(&b, p, n, &bol);
		snprintf(g->body[g->n], 512, "%s", b.p ? b.p : "");
		buf_free(&b);
		g->n++;
	}
	mbox_close(r);
	close(fd[0]);
	waitpid(pid, NULL, 0);
}

#define S(x) x, sizeof(x) - 1

int main(void)
{
	struct got g;

	split(S("From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nbody 1\n\n"
	    "From c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody 2\n\n"), &g);
	is_int(g.n, 2, "two messages");
	is_str(g.env[0], "a@b Mon Jan  1 00:00:00 2024", "envelope");
	is_str(g.hdr[1], "Subject: two\n\n", "header block with its empty line");
	is_str(g.body[0], "body 1\n", "separator not in the body");
	is_str(g.body[1], "body 2\n", "last separator not in the body");

	split(S("From a\nSubject: x\n\nline\nFrom inside body\n\nFrom b\nS: y\n\nz\n"), &g);
	is_int(g.n, 2, "From_ without a blank line before it is body; no date needed");
	is_str(g.body[0], "line\nFrom inside body\n", "unescaped From stays in the body");

	split(S("From a\n\n>From x\n>>From y\n>Fromage\n"), &g);
	is_str(g.body[0], "From x\n>From y\n>Fromage\n", "mboxrd un-escaping by one level");

	split(S("From a\r\nSubject: crlf\r\n\r\nb1\r\n\r\nFrom b\r\nSubject: 2\r\n\r\nb2\r\n"), &g);
	is_int(g.n, 2, "CRLF mbox splits");
	is_str(g.body[0], "b1\r\n", "CRLF separator removed");
	is_str(g.env[1], "b", "CRLF envelope without CR");

	split(S("Subject: single\nFrom: x@y\n\nFrom the start of a line\n\nFrom here too\n"), &g);
	is_int(g.n, 1, "no From_ line: one RFC 5322 message");
	is_str(g.body[0], "From the start of a line\n\nFrom here too\n", "body kept whole");

	split(S("\n\nFrom a\nS: 1\n\nx\n"), &g);
	is_int(g.n, 1, "leading blank lines skipped");

	split(S("From a\nS: 1\n\nFrom b\nS: 2\n\nx\n"), &g);
	is_int(g.n, 2, "empty body: the header's blank line is the separator");

	split(S("From a\nS: no body"), &g);
	is_int(g.n, 1, "header only, no newline at the end");
	is_str(g.hdr[0], "S: no body", "header is what there is");

	split(S(""), &g);
	is_int(g.n, 0, "empty input: nothing");

	/* a header line longer than the header limit is cut, the rest skipped */
	size_t big = MBOX_HEADER_MAX + 5000;
	char *t = malloc(big + 100);
	strcpy(t, "From a\nX: ");
	memset(t + 10, 'y', big);
	strcpy(t + 10 + big, "\n\nbody\n\nFrom b\nS: 2\n\nz\n");
	int fd[2];
	if (pipe(fd) != 0)
		return 1;
	if (fork() == 0) {
		close(fd[0]);
		if (write(fd[1], t, strlen(t)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fd[1]);
	struct mbox_reader *r = mbox_open(fd[0]);
	struct mbox_msg m;
	int n = 0, trunc = 0;
	while (mbox_next(r, &m) > 0) {
		n++;
		trunc += m.header_truncated;
	}
	mbox_close(r);
	wait(NULL);
	free(t);
	is_int(n, 2, "10 MB-class header line: both messages found");
	is_int(trunc, 1, "the long header is marked truncated");

	struct buf e = { 0 };
	int bol = 1;
	mbox_escape(&e, S("From x\n>From y\nok\n"), &bol);
	is_str(e.p, ">From x\n>>From y\nok\n", "mboxrd escaping");
	buf_free(&e);
	return done_testing();
}
