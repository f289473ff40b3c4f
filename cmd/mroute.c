/* mroute: file incoming mail into the desk's tickets.
 *
 * For each message on stdin (one RFC 5322 message, or an mbox): find its
 * ticket (Message-ID already known: nothing to do; In-Reply-To and
 * References through the desk's index; the [#ID] token when the sender
 * takes part in that ticket) or open a new one, store the message and a
 * "received" event as one commit, and write the message to stdout with
 * X-Mdesk-* headers for procmail.  See mroute(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/wait.h>

#include "agents.h"
#include "desk.h"
#include "event.h"
#include "jsonw.h"
#include "index.h"
#include "mbox.h"
#include "msg.h"
#include "subject.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

static struct desk D;
static const char *opt_desk, *opt_now, *opt_queue;
static int dryrun, quiet, at_date, opt_ack;
static char mreply_path[4096] = "mreply";
static long long clock_now;
static struct agents AG;
static int have_agents;
static struct customers CU;

struct result {
	char ticket[16];
	const char *queue;
	int is_new, duplicate, automatic;
	const char *why;
};

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s [--desk DIR] [--now TIME] [--at-date] [--queue NAME] [--ack] [--dry-run] [file ...]\n",
	    progname);
	exit(code);
}

/* --- the message --- */

/* RFC 3834 and common practice: mail written by a program. */
static int is_automatic(struct msg *m, const char *from)
{
	const char *v;
	if ((v = msg_raw(m, "Auto-Submitted", 1)) && strncasecmp(v, "no", 2) != 0)
		return 1;
	if ((v = msg_raw(m, "Precedence", 1)) && (!strncasecmp(v, "bulk", 4) ||
	    !strncasecmp(v, "junk", 4) || !strncasecmp(v, "list", 4)))
		return 1;
	if (msg_raw(m, "List-Id", 1) || msg_raw(m, "X-Autoreply", 1) ||
	    msg_raw(m, "X-Autorespond", 1) || msg_raw(m, "X-Auto-Response-Suppress", 1))
		return 1;
	if ((v = msg_raw(m, "Return-Path", 1)) && strstr(v, "<>"))
		return 1;
	if (from) {
		static const char *const robots[] = { "mailer-daemon@", "postmaster@",
			"no-reply", "noreply", "do-not-reply", "donotreply", "bounce" };
		for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++)
			if (!strncasecmp(from, robots[i], strlen(robots[i])) ||
			    strstr(from, robots[i]) == from)
				return 1;
	}
	return 0;
}

/* The queue: the first [queue NAME] whose address is among the
 * recipients (To, Cc, Delivered-To, X-Original-To), else the first queue. */
struct qctx {
	const char *found;
};

static const char *queue_of_addr(const char *addr)
{
	for (size_t i = 0; i < D.conf.n; i++) {
		const struct conf_entry *e = &D.conf.e[i];
		if (!strcmp(e->section, "queue") && !strcmp(e->key, "address") &&
		    !strcasecmp(e->value, addr))
			return e->name;
	}
	return NULL;
}

static void q_cb(void *ctx, const char *addr, const char *display)
{
	struct qctx *q = ctx;
	(void)display;
	if (!q->found)
		q->found = queue_of_addr(addr);
}

static const char *pick_queue(struct msg *m)
{
	if (opt_queue)
		return opt_queue;
	struct qctx q = { NULL };
	msg_addrs(m, "Delivered-To,X-Original-To,To,Cc", q_cb, &q);
	if (q.found)
		return q.found;
	for (size_t i = 0; i < D.conf.nsecs; i++)
		if (!strcmp(D.conf.secs[i].section, "queue"))
			return D.conf.secs[i].name;
	return "support";
}

static int is_queue_address(const char *addr)
{
	return addr && queue_of_addr(addr) != NULL;
}

static void load_agents(void)
{
	size_t len;
	if (have_agents)
		return;
	char *t = desk_read_file(&D, "agents.csv", &len);
	if (t && agents_parse(&AG, t, len, NULL) == 0)
		have_agents = 1;
	else if (t)
		die(EX_CONFIG, "agents.csv has errors; run 'mdesk check'");
	free(t);
}

/* Does addr take part in the ticket (its customer, a sender of one of its
 * messages, or an agent)? */
static int participant(const struct ticket *t, const char *addr)
{
	if (!addr)
		return 0;
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *f = json_string_value(json_object_get(e, "from"));
		if (f && !strcasecmp(f, addr))
			return 1;
	}
	load_agents();
	for (size_t k = 0; k < AG.n; k++)
		if (!strcasecmp(AG.v[k].email, addr))
			return 1;
	return 0;
}

/* Follow merges to the ticket that answers now. */
static void follow_merges(char id[16])
{
	for (int hops = 0; hops < 16; hops++) {
		struct ticket t;
		if (ticket_load(&D, id, &t, NULL, 1) != 0)
			return;
		if (!t.merged_into || !ticketid_valid(t.merged_into)) {
			ticket_free(&t);
			return;
		}
		snprintf(id, 16, "%s", t.merged_into);
		ticket_free(&t);
	}
}

/* A new ticket's ID: from the root Message-ID, lengthened while taken by
 * a ticket of another root. */
static void new_ticket_id(const char *mid, char id[16])
{
	for (int len = TICKETID_LEN; len <= TICKETID_MAX; len++) {
		ticketid(mid, strlen(mid), len, id);
		struct ticket t;
		if (ticket_load(&D, id, &t, NULL, 1) != 0)
			return;
		int same = t.first_message_id && !strcmp(t.first_message_id, mid);
		ticket_free(&t);
		if (same)
			return;
	}
	die(EX_SOFTWARE, "%s: no free ticket ID", mid);
}

/* The index, checked: the ticket it names must hold the message (the
 * index may be stale after a reset or a removal). */
static int lookup(const char *mid, char id[16])
{
	struct ticket t;
	if (!index_lookup(&D, mid, id) || ticket_load(&D, id, &t, NULL, 1) != 0)
		return 0;
	int found = 0;
	size_t i;
	json_t *e;
	json_array_foreach(t.events, i, e) {
		const char *m = json_string_value(json_object_get(e, "message_id"));
		if (m && !strcmp(m, mid))
			found = 1;
	}
	ticket_free(&t);
	return found;
}

static void find_ticket(struct msg_ids *ids, const char *subject, const char *from,
    struct result *r)
{
	char id[16];
	/* In-Reply-To, then References from the deepest */
	if (ids->irt[0] && lookup(ids->irt, id)) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id);
		r->why = "in-reply-to";
		return;
	}
	for (size_t i = ids->nrefs; i-- > 0;)
		if (lookup(ids->refs[i], id)) {
			snprintf(r->ticket, sizeof r->ticket, "%s", id);
			r->why = "references";
			return;
		}
	if (ids->irt_any[0] && lookup(ids->irt_any, id)) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id);
		r->why = "in-reply-to";
		return;
	}
	/* the token, from a participant only */
	char tok[16];
	if (subject && subject_token(subject, tok)) {
		struct ticket t;
		if (ticket_load(&D, tok, &t, NULL, 1) == 0) {
			int ok = participant(&t, from);
			ticket_free(&t);
			if (ok) {
				snprintf(r->ticket, sizeof r->ticket, "%s", tok);
				r->why = "token";
				return;
			}
		}
	}
	r->is_new = 1;
	r->why = "new";
	new_ticket_id(ids->mid, r->ticket);
}

/* Write the message with X-Mdesk-* headers (customer-supplied X-Mdesk-*
 * fields are dropped first). */
static void emit(const char *raw, size_t len, const struct result *r, int as_mbox,
    const char *envelope)
{
	size_t hl = msg_header_len(raw, len);
	if (as_mbox)
		printf("From %s\n", envelope ? envelope : "MAILER-DAEMON Thu Jan  1 00:00:00 1970");
	printf("X-Mdesk-Ticket: %s\n", r->ticket);
	printf("X-Mdesk-Queue: %s\n", r->queue);
	printf("X-Mdesk-Status: %s\n", r->duplicate ? "duplicate" : r->is_new ? "new" : "reply");
	if (r->automatic)
		printf("X-Mdesk-Tags: auto\n");
	int skip = 0;
	struct buf out = { 0 };
	for (const char *p = raw; p < raw + hl;) {
		const char *nl = memchr(p, '\n', (size_t)(raw + hl - p));
		const char *le = nl ? nl + 1 : raw + hl;
		if (*p != ' ' && *p != '\t')
			skip = !strncasecmp(p, "X-Mdesk-", 8);
		if (!skip)
			buf_add(&out, p, (size_t)(le - p));
		p = le;
	}
	buf_add(&out, raw + hl, len - hl);
	if (as_mbox) {
		struct buf esc = { 0 };
		int bol = 1;
		mbox_escape(&esc, out.p, out.len, &bol);
		fwrite(esc.p, 1, esc.len, stdout);
		if (esc.len && esc.p[esc.len - 1] != '\n')
			putchar('\n');
		putchar('\n');
		buf_free(&esc);
	} else
		fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
}

/* --ack: the acknowledgement of a new ticket, sent by mreply --ack --send
 * (which applies RFC 3834, the rate limit and the [ack] settings).  A
 * failure to acknowledge is reported and does not undo the filing. */
static void acknowledge(const char *ticket)
{
	char now[32];
	fmt_rfc3339(D.now, now);
	const char *argv[] = { mreply_path, "--ack", "--send", "--desk", D.root, "--now", now,
		"--ticket", ticket, quiet ? "--quiet" : NULL, NULL };
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

static int route(const char *raw, size_t len, int as_mbox, const char *envelope)
{
	struct msg m = { 0 };
	struct msg_ids ids;
	struct result r;
	const char *from = NULL, *name = NULL;
	memset(&r, 0, sizeof r);

	size_t hl = msg_header_len(raw, len);
	if (hl > MBOX_HEADER_MAX)
		hl = MBOX_HEADER_MAX;
	msg_open(&m, raw, hl);
	msg_ids(&m, &ids);
	msg_addr(&m, "From", &from, &name);
	if (!from)
		msg_addr(&m, "Sender", &from, &name);
	const char *subject = msg_text(&m, "Subject");
	if (!ids.mid[0]) {	/* a stable id for mail without one (as mthread's) */
		uint64_t h = msg_hash_header(HASH64_INIT, raw, hl);
		char hid[64];
		msg_hash_id(hash64_update(h, raw + hl, len - hl), hid);
		snprintf(ids.mid, sizeof ids.mid, "%s", hid);
	}
	r.queue = pick_queue(&m);
	/* --at-date (imports): the message's own Date, when it is not later
	 * than the clock, is when the desk received it */
	D.now = clock_now;
	long long md;
	if (at_date && msg_date(&m, &md) == 0 && md <= clock_now)
		D.now = md;
	r.automatic = is_automatic(&m, from) || is_queue_address(from);

	desk_lock(&D);
	index_sync(&D);
	char have[16];
	if (lookup(ids.mid, have)) {
		/* delivered before: nothing changes */
		snprintf(r.ticket, sizeof r.ticket, "%s", have);
		follow_merges(r.ticket);
		r.duplicate = 1;
		desk_unlock(&D);
		emit(raw, len, &r, as_mbox, envelope);
		msg_free(&m);
		return 0;
	}
	find_ticket(&ids, subject, from, &r);
	if (!r.is_new)
		follow_merges(r.ticket);

	int archived = 0;
	struct ticket t;
	if (!r.is_new && ticket_load(&D, r.ticket, &t, &archived, 1) == 0)
		ticket_free(&t);
	struct desk_tx *tx = desk_tx_new(&D);
	if (archived)
		ticket_restore(&D, tx, r.ticket);
	int num = r.is_new ? 1 : ticket_next_number(&D, r.ticket, archived);
	char dir[40], file[16], path[80], ep[64];
	desk_ticket_dir(r.ticket, dir);
	snprintf(file, sizeof file, "%04d.eml", num);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	ticket_events_path(r.ticket, ep);
	desk_tx_write(tx, path, raw, len);

	/* an agent's own mail (a reply sent from a mail client with the desk
	 * in copy) is that agent's reply */
	struct agent *ag = NULL;
	load_agents();
	for (size_t k = 0; from && k < AG.n && !ag; k++)
		if (!strcasecmp(AG.v[k].email, from))
			ag = &AG.v[k];
	int as_reply = ag && !r.is_new;
	json_t *e = event_new(as_reply ? "replied" : "received", as_reply ? ag->login : "customer", D.now);
	event_id_for(e, "received", ids.mid);
	if (as_reply)
		jw_str(e, "agent", ag->login);
	jw_str(e, "message_id", ids.mid);
	jw_str(e, "from", from);
	if (name)
		jw_str(e, "name", name);
	const char *to = msg_raw(&m, "To", 1);
	if (to) {
		char *c = rfc2047_text(to);
		jw_str(e, "to", c);
		free(c);
	}
	jw_str(e, "subject", subject ? subject : "");
	jw_str(e, "queue", r.queue);
	/* language: Content-Language (first tag, lower case, region kept),
	 * else the customer's record */
	char l[16] = "";
	const char *lang = msg_raw(&m, "Content-Language", 1);
	if (lang) {
		while (*lang == ' ')
			lang++;
		size_t k = 0;
		for (; lang[k] && k < 15 && ((lang[k] >= 'a' && lang[k] <= 'z') ||
		    (lang[k] >= 'A' && lang[k] <= 'Z') || lang[k] == '-'); k++)
			l[k] = (char)(lang[k] == '-' ? '-' : lang[k] | 0x20);
		l[k] = 0;
		if (k < 2)
			l[0] = 0;
	}
	if (!*l && from) {
		struct customer *cu = customer_find(&CU, from);
		if (cu && *cu->language)
			snprintf(l, sizeof l, "%s", cu->language);
	}
	if (*l)
		jw_str(e, "lang", l);
	jw_str(e, "file", file);
	jw_str(e, "thread", r.why);
	if (r.automatic)
		json_object_set_new(e, "auto", json_true());
	char *line = event_line(e);
	desk_tx_append(tx, ep, line, strlen(line));
	free(line);
	json_decref(e);
	if (r.automatic) {
		e = event_new("tagged", "system", D.now);
		event_id_for(e, "tagged-auto", ids.mid);
		json_t *tags = json_array();
		json_array_append_new(tags, json_string("auto"));
		json_object_set_new(e, "tags", tags);
		line = event_line(e);
		desk_tx_append(tx, ep, line, strlen(line));
		free(line);
		json_decref(e);
	}
	char msg[600], an[64], ae[300];
	snprintf(msg, sizeof msg, "%s: received from %.200s%s\n", r.ticket, from ? from : "unknown sender",
	    r.is_new ? " (new ticket)" : "");
	desk_system_author(an, sizeof an, ae, sizeof ae);
	if (dryrun)
		desk_tx_abort(tx);
	else {
		desk_tx_commit(tx, an, ae, msg);
		index_add(&D, ids.mid, r.ticket);
		index_mark(&D);
		tickets_upkeep(&D);
	}
	desk_unlock(&D);
	emit(raw, len, &r, as_mbox, envelope);
	msg_free(&m);
	if (opt_ack && r.is_new && !dryrun)
		acknowledge(r.ticket);
	return 0;
}

/* Read every message of fd; the whole message is kept (it is stored). */
static int read_fd(int fd, const char *name)
{
	struct mbox_reader *rd = mbox_open(fd);
	struct mbox_msg mm;
	int k, n = 0;
	while ((k = mbox_next(rd, &mm)) > 0) {
		struct buf raw = { 0 };
		const char *p;
		size_t len;
		int bol = 1, is_mbox = mbox_is_mbox(rd);
		char env[512] = "";
		if (mm.envelope)
			snprintf(env, sizeof env, "%.*s", (int)(mm.envelope_len < 500 ? mm.envelope_len : 500),
			    mm.envelope);
		if (is_mbox)
			mbox_unescape(&raw, mm.header, mm.header_len, &bol);
		else
			buf_add(&raw, mm.header, mm.header_len);
		while ((k = mbox_body(rd, &p, &len)) > 0) {
			if (is_mbox)
				mbox_unescape(&raw, p, len, &bol);
			else
				buf_add(&raw, p, len);
		}
		if (k < 0)
			die(EX_TEMPFAIL, "%s: %s", name, strerror(errno));
		if (is_mbox) {	/* drop what the header took of the separator */
			unsigned long long own = mbox_msg_end(rd) - mm.offset - mm.from_line_len;
			if (own < raw.len)
				raw.len = own;
		}
		if (!raw.len) {
			buf_free(&raw);
			continue;
		}
		route(raw.p, raw.len, is_mbox, *env ? env : NULL);
		buf_free(&raw);
		n++;
	}
	if (k < 0)
		die(EX_TEMPFAIL, "%s: %s", name, strerror(errno));
	mbox_close(rd);
	return n;
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
		{ "ack", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	progname = "mroute";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = getopt_long(argc, argv, "hd:q:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': opt_desk = optarg; break;
		case 'n': opt_now = optarg; break;
		case 'q': opt_queue = optarg; break;
		case 'N': dryrun = 1; break;
		case 'Q': quiet = 1; break;
		case 'A': at_date = 1; break;
		case 'K': opt_ack = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mroute (mdesk) %s\n", MDESK_VERSION); return 0;
		default: usage(stderr, EX_USAGE);
		}
	}
	/* mreply for --ack: beside this program when it was started by path */
	const char *sl = strrchr(argv[0], '/');
	if (sl && (size_t)(sl - argv[0]) < sizeof mreply_path - 8)
		snprintf(mreply_path, sizeof mreply_path, "%.*s/mreply", (int)(sl - argv[0]), argv[0]);
	long long now = mdesk_now(opt_now);
	desk_open(&D, opt_desk);
	D.now = clock_now = now;
	if (opt_queue) {
		int known = 0;
		for (size_t i = 0; i < D.conf.nsecs; i++)
			known |= !strcmp(D.conf.secs[i].section, "queue") &&
			    !strcmp(D.conf.secs[i].name, opt_queue);
		if (!known)
			die(EX_USAGE, "--queue: no [queue %s] in desk.conf", opt_queue);
	}
	size_t cl;
	char *ct = desk_read_file(&D, "customers.csv", &cl);
	if (ct && customers_parse(&CU, ct, cl, NULL) != 0)
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(ct);
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
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	if (have_agents)
		agents_free(&AG);
	customers_free(&CU);
	desk_close(&D);
	git_libgit2_shutdown();
	return 0;
}
