/* mroute: file incoming mail into the desk's tickets.
 *
 * Reads one RFC 5322 message or an mbox, files each message (filing.h:
 * its ticket, language, rules, priority and agent, one commit per
 * batch), and writes each message to stdout with X-Mdesk-* headers for
 * procmail once its batch is committed.  See mroute(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/wait.h>

#include "opt.h"
#include "desk.h"
#include "filing.h"
#include "jsonw.h"
#include "lang.h"
#include "mbox.h"
#include "msg.h"
#include "tickets.h"
#include "util.h"

static struct desk desk;
static struct filing *filing;
static int opt_dry_run, opt_quiet, opt_explain, opt_ack;
static char mreply_path[4096] = "mreply";

/* The output of the open batch: it waits in memory until the batch is
 * committed, so that when a commit fails nothing of that batch reaches
 * stdout. */
static FILE *batch_out;
static char *batch_out_mem;
static size_t batch_out_len;
/* New tickets of the open batch to acknowledge after its commit. */
static char (*acks)[16];
static size_t nacks, capacks;
/* Messages that could not be filed (the others were). */
static size_t set_aside;

static const char usage_line[] = "usage: mroute [--desk DIR] [--now TIME] [--at-date] "
    "[--queue NAME] [--ack] [--dry-run] [--explain] [--batch N] [file ...]";

/* an option misspelled, unknown or without its value (said on stderr) */
static _Noreturn void bad_option(void)
{
	opt_misuse(usage_line, NULL);
}

/* --- the output ------------------------------------------------------ */

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The X-Mdesk-* fields for procmail and mreply: values are desk names
 * (ticket ids, queue and agent names, tags, codes), never mail text. */
static void put_mdesk_fields(FILE *out, const struct filed *r)
{
	fprintf(out, "X-Mdesk-Ticket: %s\n", r->ticket);
	fprintf(out, "X-Mdesk-Queue: %s\n", r->queue);
	fprintf(out, "X-Mdesk-Status: %s\n", r->duplicate ? "duplicate" : r->is_new ? "new" : "reply");
	if (r->assignee)
		fprintf(out, "X-Mdesk-Assignee: %s\n", r->assignee);
	if (r->priority)
		fprintf(out, "X-Mdesk-Priority: %s\n", r->priority);
	if (r->lang[0])
		fprintf(out, "X-Mdesk-Lang: %s\n", r->lang);
	size_t n = r->tags ? json_array_size(r->tags) : 0;
	if (!r->tags && r->automatic)
		fprintf(out, "X-Mdesk-Tags: auto\n");
	if (n) {	/* sorted, once each */
		const char **v = xmalloc(n * sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = json_string_value(json_array_get(r->tags, i));
		qsort(v, n, sizeof *v, cmp_strp);
		fputs("X-Mdesk-Tags: ", out);
		for (size_t i = 0; i < n; i++)
			if (!i || strcmp(v[i], v[i - 1]))
				fprintf(out, "%s%s", i ? ", " : "", v[i]);
		putc('\n', out);
		free(v);
	}
	if (!r->duplicate && (!r->is_new || r->automatic || r->ro.noack || r->ro.spam))
		fprintf(out, "X-Mdesk-Noack: yes\n");
}

/* Write p, mboxrd-escaped when as_mbox, a line at a time (*bol: at the
 * start of a line). */
static void put_text(FILE *out, const char *p, size_t n, int as_mbox, int *bol)
{
	if (!as_mbox) {
		fwrite(p, 1, n, out);
		return;
	}
	struct buf esc = { 0 };
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) + 1 : n;
		esc.len = 0;
		mbox_escape(&esc, p, k, bol);
		fwrite(esc.p, 1, esc.len, out);
		p += k;
		n -= k;
	}
	buf_free(&esc);
}

/* The message with its X-Mdesk-* fields (those the sender put in are
 * dropped first), as an mbox message when the input was one. */
static void put_message(FILE *out, const char *raw, size_t len, const struct filed *r,
    int as_mbox, const char *envelope)
{
	size_t hl = msg_header_len(raw, len);
	int bol = 1, skip = 0;
	if (as_mbox)
		fprintf(out, "From %s\n", envelope ? envelope : "MAILER-DAEMON Thu Jan  1 00:00:00 1970");
	put_mdesk_fields(out, r);
	for (const char *p = raw; p < raw + hl;) {
		const char *nl = memchr(p, '\n', (size_t)(raw + hl - p));
		const char *le = nl ? nl + 1 : raw + hl;
		if (*p != ' ' && *p != '\t')
			skip = !strncasecmp(p, "X-Mdesk-", 8);
		if (!skip)
			put_text(out, p, (size_t)(le - p), as_mbox, &bol);
		p = le;
	}
	put_text(out, raw + hl, len - hl, as_mbox, &bol);
	if (as_mbox) {
		if (len && raw[len - 1] != '\n')
			putc('\n', out);
		putc('\n', out);
	}
}

/* The decisions as JSON (--dry-run, --explain). */
static json_t *decisions_json(const struct filed *r)
{
	json_t *o = json_object();
	jw_str(o, "message_id", r->message_id);
	jw_str(o, "ticket", r->ticket);
	json_object_set_new(o, "new", json_boolean(r->is_new));
	jw_str(o, "thread", r->thread);
	if (r->follows[0])
		jw_str(o, "follows", r->follows);
	const char *lists[2] = { "merged", "linked" };
	for (int k = 0; k < 2; k++) {
		size_t n = k ? r->nlinked : r->nmerged;
		if (!n)
			continue;
		json_t *l = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(l, json_string(k ? r->linked[i] : r->merged[i]));
		json_object_set_new(o, lists[k], l);
	}
	json_object_set_new(o, "reopen", json_boolean(r->reopen));
	jw_str(o, "queue", r->queue);
	json_object_set_new(o, "tags", r->tags ? json_incref(r->tags) : json_array());
	if (r->priority)
		jw_str(o, "priority", r->priority);
	jw_str(o, "lang", r->lang[0] ? r->lang : NULL);	/* null when none */
	if (r->lang[0])
		jw_str(o, "lang_from", r->lang_from);
	jw_str(o, "assignee", r->assignee);
	if (r->assign_why)
		jw_str(o, "assign_why", r->assign_why);
	json_object_set_new(o, "auto", json_boolean(r->automatic));
	json_object_set_new(o, "noack", json_boolean(r->ro.noack || r->ro.spam || r->automatic ||
	    !r->is_new));
	json_object_set_new(o, "spam", json_boolean(r->ro.spam));
	const struct { int on; const char *key; } flags[] = { { r->malformed, "malformed" },
		{ r->truncated, "truncated" }, { r->review, "review" } };
	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
		if (flags[i].on)
			json_object_set_new(o, flags[i].key, json_true());
	json_t *rl = json_array();
	for (size_t i = 0; i < r->ro.nfired; i++)
		json_array_append_new(rl, json_string(r->ro.fired[i]));
	json_object_set_new(o, "rules", rl);
	if (r->ncand) {
		json_t *ag = json_object();
		for (size_t i = 0; i < r->ncand; i++)
			jw_str(ag, r->cand[i].a->login, r->cand[i].why[0] ? r->cand[i].why : "not considered");
		json_object_set_new(o, "agents", ag);
	}
	return o;
}

/* The decisions as JSON: --dry-run on stdout, --explain on stderr. */
static void tell_decisions(const struct filed *r)
{
	if (!opt_dry_run && !opt_explain)
		return;
	json_t *o = decisions_json(r);
	char *s = json_dumps(o, JSON_COMPACT);
	fprintf(opt_dry_run ? stdout : stderr, "%s\n", s);
	free(s);
	json_decref(o);
}

/* --ack: the acknowledgement of a new ticket, sent by mreply --ack --send
 * (which applies RFC 3834, the rate limits and the [ack] settings).  A
 * failure to acknowledge is reported and does not undo the filing. */
static void acknowledge(const char *ticket)
{
	char now[32];
	fmt_rfc3339(desk.now, now);
	const char *argv[] = { mreply_path, "--ack", "--send", "--desk", desk.root, "--now", now,
		"--ticket", ticket, opt_quiet ? "--quiet" : NULL, NULL };
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		warnx_("%s: no acknowledgement: fork: %s", ticket, strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "mroute: %s: %s\n", argv[0], strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		warnx_("%s: filed, but the acknowledgement failed (mreply exit %d)", ticket,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* Commit the open batch, then let its output go and send its
 * acknowledgements. */
static void commit_batch(void)
{
	filing_commit(filing);
	if (batch_out) {
		fclose(batch_out);
		batch_out = NULL;
		if (batch_out_len && fwrite(batch_out_mem, 1, batch_out_len, stdout) != batch_out_len)
			die(EX_IOERR, "write error: %s", strerror(errno));
		free(batch_out_mem);
		batch_out_mem = NULL;
		batch_out_len = 0;
	}
	for (size_t i = 0; i < nacks; i++)
		acknowledge(acks[i]);
	nacks = 0;
	size_t n, k;
	filing_counts(filing, &n, &k);
	if (isatty(2) && n >= 100)
		fprintf(stderr, "\rmroute: %zu messages, %zu new tickets", n, k);
}

/* A message this big is filed in a batch of its own and written out
 * straight after its commit, not held in memory for the output. */
#define MESSAGE_ALONE ((size_t)2 << 20)

/* File one message and tell what became of it. */
static void route_one(const char *raw, size_t len, unsigned long long received, int as_mbox,
    const char *envelope)
{
	struct filed r;
	const char *why;
	int alone = len >= MESSAGE_ALONE;
	if (alone)
		commit_batch();
	if (filing_file(filing, raw, len, received, &r, &why) != 0) {
		warnx_("<%.200s>: not filed: %s", r.message_id, why);
		set_aside++;
		return;
	}
	if (r.truncated)
		warnx_("%s: %llu bytes, more than message_max: the first %zu stored, tagged truncated",
		    r.ticket, received, len);
	tell_decisions(&r);
	if (opt_ack && r.ack) {
		if (nacks == capacks) {
			capacks = capacks ? 2 * capacks : 16;
			acks = xrealloc(acks, capacks * sizeof *acks);
		}
		snprintf(acks[nacks++], 16, "%s", r.ticket);
	}
	if (alone) {
		commit_batch();
		if (!opt_dry_run)
			put_message(stdout, raw, len, &r, as_mbox, envelope);
	} else if (!opt_dry_run) {
		if (!batch_out && !(batch_out = open_memstream(&batch_out_mem, &batch_out_len)))
			die(EX_TEMPFAIL, "memory: %s", strerror(errno));
		put_message(batch_out, raw, len, &r, as_mbox, envelope);
	}
	filed_free(&r);
	if (filing_batch_full(filing))
		commit_batch();
}

/* --- the input ------------------------------------------------------- */

/* The largest message stored whole (desk.conf message_max). */
static size_t message_max;

/* Append p to raw, unescaped when is_mbox, while raw holds less than
 * message_max; *received counts every byte of the message (unescaped:
 * an mbox's ">From " is the message's "From "). */
static void take(struct buf *raw, const char *p, size_t n, int is_mbox, int *bol,
    unsigned long long *received)
{
	size_t keep = raw->len >= message_max ? 0 :
	    n < message_max - raw->len ? n : message_max - raw->len;
	size_t before = raw->len;
	if (is_mbox)
		mbox_unescape(raw, p, keep, bol);
	else
		buf_add(raw, p, keep);
	*received += (raw->len - before) + (n - keep);
}

/* The next message of rd into raw (unescaped; the first message_max
 * bytes, and *received the size of all of it), its envelope into env: 1,
 * or 0 at the end. */
static int next_raw(struct mbox_reader *rd, const char *name, struct buf *raw, char env[512],
    int *is_mbox, unsigned long long *received)
{
	struct mbox_msg mm;
	int k;
	for (;;) {
		if ((k = mbox_next(rd, &mm)) <= 0)
			break;
		const char *p;
		size_t len;
		int bol = 1;
		*is_mbox = mbox_is_mbox(rd);
		raw->len = 0;
		env[0] = 0;
		if (mm.envelope)
			snprintf(env, 512, "%.*s", (int)(mm.envelope_len < 500 ? mm.envelope_len : 500),
			    mm.envelope);
		*received = 0;
		take(raw, mm.header, mm.header_len, *is_mbox, &bol, received);
		while ((k = mbox_body(rd, &p, &len)) > 0)
			take(raw, p, len, *is_mbox, &bol, received);
		if (k < 0)
			break;
		if (*is_mbox) {	/* drop what the header took of the separator */
			unsigned long long own = mbox_msg_end(rd) - mm.offset - mm.from_line_len;
			if (own < raw->len)
				raw->len = own;
			if (own < *received)
				*received = own;
		}
		if (*received > raw->len) {	/* cut: at a line end when there is one */
			size_t end = raw->len;
			while (end > raw->len / 2 && raw->p[end - 1] != '\n')
				end--;
			if (end > raw->len / 2)
				raw->len = end;
		}
		if (raw->len)
			return 1;
	}
	if (k < 0)
		die(EX_TEMPFAIL, "%s: %s", name, strerror(errno ? errno : EIO));
	return 0;
}

/* Route every message of fd. */
static void read_fd(int fd, const char *name)
{
	struct mbox_reader *rd = mbox_open(fd);
	struct buf raw = { 0 };
	char env[512];
	int is_mbox;
	unsigned long long received;
	while (next_raw(rd, name, &raw, env, &is_mbox, &received))
		route_one(raw.p, raw.len, received, is_mbox, *env ? env : NULL);
	buf_free(&raw);
	mbox_close(rd);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "at-date", no_argument, NULL, 'A' },
		{ "explain", no_argument, NULL, 'E' },
		{ "batch", required_argument, NULL, 'b' },
		{ "ack", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct filing_opts fo = { .batch_max = 1000, .rule_fault = print_fault_col };
	const char *opt_desk = NULL, *opt_now = NULL;
	int c;
	progname = "mroute";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = opt_get(argc, argv, "hd:q:", opts, bad_option)) != -1) {
		switch (c) {
		case 'd': opt_desk = optarg; break;
		case 'n': opt_now = optarg; break;
		case 'q': fo.queue = optarg; break;
		case 'N': opt_dry_run = fo.dry_run = 1; break;
		case 'Q': opt_quiet = 1; break;
		case 'A': fo.at_date = 1; break;
		case 'E': opt_explain = 1; break;
		case 'b': {
			char *end;
			fo.batch_max = strtol(optarg, &end, 10);
			if (*end || fo.batch_max < 1 || fo.batch_max > 1000000)
				die(EX_USAGE, "--batch: '%s' is not a number of messages (1 to 1000000)", optarg);
			break;
		}
		case 'K': opt_ack = 1; break;
		case 'h': printf("%s\n", usage_line); return 0;
		case 'V': printf("mroute (mdesk) %s\n", MDESK_VERSION); return 0;
		default: bad_option();
		}
	}
	/* mreply for --ack: beside this program when it was started by path */
	const char *sl = strrchr(argv[0], '/');
	if (sl && (size_t)(sl - argv[0]) < sizeof mreply_path - 8)
		snprintf(mreply_path, sizeof mreply_path, "%.*s/mreply", (int)(sl - argv[0]), argv[0]);
	fo.clock = mdesk_now(opt_now);
	desk_open(&desk, opt_desk);
	/* libgit2 keeps the windows of the packs it read mapped up to 8 GiB:
	 * an import makes a pack a batch and reads them back */
	git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)16 << 20);
	desk.now = fo.clock;
	if (fo.queue && !route_queue_known(&desk, fo.queue))
		die(EX_USAGE, "--queue: no [queue %s] in desk.conf", fo.queue);
	/* the desk's configuration, all of it checked before any message */
	message_max = conf_message_max(&desk.conf);
	filing = filing_new(&desk, &fo);
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (optind == argc)
		read_fd(0, "<stdin>");
	for (int i = optind; i < argc; i++) {
		int fd = !strcmp(argv[i], "-") ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0)
			die(EX_NOINPUT, "%s: %s", argv[i], strerror(errno));
		read_fd(fd, argv[i]);
		if (fd)
			close(fd);
	}
	commit_batch();
	size_t n, k;
	filing_counts(filing, &n, &k);
	if (isatty(2) && n >= 100)
		fputc('\n', stderr);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	free(acks);
	filing_free(filing);
	tickets_summary_free();
	lang_done();
	desk_close(&desk);
	git_libgit2_shutdown();
	if (set_aside)
		die(EX_TEMPFAIL, "%zu message%s could not be filed; deliver %s again later",
		    set_aside, set_aside == 1 ? "" : "s", set_aside == 1 ? "it" : "them");
	return 0;
}
