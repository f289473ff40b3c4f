/* mthread: group mail into conversations.
 *
 * Reads mbox streams, single messages, maildirs or MH folders; threads
 * them with common/thread.c; prints JSON Lines, a tree, or the messages
 * regrouped as mbox.  See mthread(1). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "opt.h"
#include "jsonw.h"
#include "mbox.h"
#include "msg.h"
#include "subject.h"
#include "thread.h"
#include "util.h"

enum { F_JSON, F_TREE, F_MBOX };
static const char *const formats[] = { "json", "tree", "mbox", NULL };

static int fmt = -1, rflag, dupsflag, explainflag, thrflags;

/* --format mbox: every message is copied to a spool as it is read */
struct spent {
	unsigned long long off, len;	/* in the spool: From_ line .. end */
	unsigned flen, hlen;		/* From_ line, header block */
	int crlf;
};
static FILE *spool;
static unsigned long long spool_off;
static struct spent *spents;
static size_t nspents, capspents;

static struct thr *thr;
static uint32_t nmsg, nbad;

static const char usage_line[] =
    "usage: mthread [-r] [-f json|tree|mbox] [--subject] [--token] [--dups] [--explain] [file ...]";

_Noreturn static void usage(FILE *f, int code)
{
	fprintf(f, "%s\n", usage_line);
	exit(code);
}

/* an option misspelled, unknown or without its value (said on stderr) */
static _Noreturn void bad_option(void)
{
	opt_misuse(usage_line, NULL);
}

static void spool_write(const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, spool) != n)
		die(EX_IOERR, "spool: %s", strerror(errno));
	spool_off += n;
}

/* Hash a body chunk as the message's own bytes (mboxrd escaping undone). */
static uint64_t hash_body(uint64_t h, struct buf *tmp, const char *p, size_t n,
    int is_mbox, int *bol)
{
	tmp->len = 0;
	if (is_mbox)
		mbox_unescape(tmp, p, n, bol);
	else
		buf_add(tmp, p, n);
	return hash64_update(h, tmp->p, tmp->len);
}

static void one_message(struct mbox_reader *r, struct mbox_msg *mm, int is_mbox)
{
	static struct msg m;
	struct msg_ids ids;
	long long date = THR_NODATE;
	const char *from = NULL, *name = NULL, *subject;
	const char *p;
	size_t n;

	nmsg++;
	if (msg_open(&m, mm->header, mm->header_len) != 0 || mm->header_truncated)
		nbad++;
	msg_ids(&m, &ids);
	if (msg_date(&m, &date) != 0)
		date = THR_NODATE;
	msg_addr(&m, "From", &from, &name);
	subject = msg_text(&m, "Subject");

	int need_hash = ids.mid[0] == 0;
	uint64_t h = HASH64_INIT;
	int hbol = 1;
	struct buf hb = { 0 };
	if (need_hash)
		h = msg_hash_header(h, mm->header, mm->header_len);
	if (spool) {
		struct spent e = { spool_off, 0, 0, 0, 0 };
		struct buf fl = { 0 };
		if (mm->from_line) {
			spool_write(mm->from_line, mm->from_line_len);
			e.flen = (unsigned)mm->from_line_len;
			e.crlf = mm->from_line_len >= 2 &&
			    mm->from_line[mm->from_line_len - 2] == '\r';
		} else {
			/* a From_ line for a message that came without one */
			mbox_from(&fl, from && *from && !strpbrk(from, " \t\r\n") ? from :
			    "MAILER-DAEMON", date == THR_NODATE ? 0 : date);
			spool_write(fl.p, fl.len);
			e.flen = (unsigned)fl.len;
			buf_free(&fl);
		}
		int bol = 1;
		if (is_mbox)
			spool_write(mm->header, mm->header_len);
		else {
			mbox_escape(&fl, mm->header, mm->header_len, &bol);
			spool_write(fl.p, fl.len);
			fl.len = 0;
		}
		e.hlen = (unsigned)mm->header_len;
		while (mbox_body(r, &p, &n) > 0) {
			if (need_hash)
				h = hash_body(h, &hb, p, n, is_mbox, &hbol);
			if (is_mbox)
				spool_write(p, n);
			else {
				fl.len = 0;
				mbox_escape(&fl, p, n, &bol);
				spool_write(fl.p, fl.len);
			}
		}
		buf_free(&fl);
		if (is_mbox) {
			/* the header block may have taken the separator's empty
			 * line (a message without body): cut the spool back to
			 * the message's own bytes */
			unsigned long long own = mbox_msg_end(r) - mm->offset;
			if (own < spool_off - e.off) {
				spool_off = e.off + own;
				if (fseeko(spool, (off_t)spool_off, SEEK_SET) != 0)
					die(EX_IOERR, "spool: %s", strerror(errno));
				if (e.hlen > own - e.flen)
					e.hlen = (unsigned)(own - e.flen);
			}
		}
		e.len = spool_off - e.off;
		if (nspents == capspents) {
			capspents = capspents ? capspents * 2 : 1024;
			spents = xrealloc(spents, capspents * sizeof *spents);
		}
		spents[nspents++] = e;
	} else if (need_hash)
		while (mbox_body(r, &p, &n) > 0)
			h = hash_body(h, &hb, p, n, is_mbox, &hbol);
	buf_free(&hb);
	if (need_hash) {
		char hid[64];
		msg_hash_id(h, hid);
		snprintf(ids.mid, sizeof ids.mid, "%s", hid);
	}
	thr_add(thr, &ids, nmsg, date, subject, from, name);
	msg_close(&m);
}

static void read_fd(int fd, const char *name)
{
	struct mbox_reader *r = mbox_open(fd);
	struct mbox_msg mm;
	int k;
	while ((k = mbox_next(r, &mm)) > 0)
		one_message(r, &mm, mbox_is_mbox(r));
	if (k < 0)
		die(EX_IOERR, "%s: %s", name, strerror(errno));
	mbox_close(r);
}

static int not_dot(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	const char *x = (*a)->d_name, *y = (*b)->d_name;
	/* MH folders: numeric names in numeric order */
	if (strspn(x, "0123456789") == strlen(x) && strspn(y, "0123456789") == strlen(y) &&
	    strlen(x) != strlen(y))
		return strlen(x) < strlen(y) ? -1 : 1;
	return strcmp(x, y);
}

/* Every regular file of dir (sorted) as one message. */
static void read_files_in(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, not_dot, cmp_names);
	struct buf path = { 0 };
	for (int i = 0; i < n; i++) {
		struct stat st;
		path.len = 0;
		buf_adds(&path, dir);
		buf_addc(&path, '/');
		buf_adds(&path, names[i]->d_name);
		int fd = open(path.p, O_RDONLY);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
			read_fd(fd, path.p);
		if (fd >= 0)
			close(fd);
		free(names[i]);
	}
	buf_free(&path);
	if (n >= 0)
		free(names);
}

static void read_arg(const char *arg)
{
	struct stat st;
	if (!strcmp(arg, "-")) {
		read_fd(0, "<stdin>");
		return;
	}
	int fd = open(arg, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) != 0)
		die(EX_NOINPUT, "%s: %s", arg, strerror(errno));
	if (S_ISDIR(st.st_mode)) {	/* maildir or MH folder */
		close(fd);
		struct buf p = { 0 };
		buf_adds(&p, arg);
		buf_adds(&p, "/cur");
		if (stat(p.p, &st) == 0 && S_ISDIR(st.st_mode)) {
			read_files_in(p.p);
			p.len = 0;
			buf_adds(&p, arg);
			buf_adds(&p, "/new");
			read_files_in(p.p);
		} else
			read_files_in(arg);
		buf_free(&p);
		return;
	}
	read_fd(fd, arg);
	close(fd);
}

/* --- output --- */

struct tctx {
	struct jout *j;
	const char *subject;
	int64_t first, last;
	uint32_t count;
	FILE *out;
	const char **parts;		/* participants, first appearance order */
	size_t nparts, capparts;
	struct strtab seen;		/* the participants */
};

/* Add a participant unless seen. */
static void add_part(struct tctx *c, const char *a)
{
	if (strtab_get(&c->seen, a))
		return;
	strtab_put(&c->seen, a, 1);
	if (c->nparts == c->capparts) {
		c->capparts = c->capparts ? c->capparts * 2 : 16;
		c->parts = xrealloc(c->parts, c->capparts * sizeof *c->parts);
	}
	c->parts[c->nparts++] = a;
}

static void kv_str(struct jout *j, const char *key, const char *v)
{
	jo_key(j, key);
	jo_str(j, v);
}

static void kv_true(struct jout *j, const char *key)
{
	jo_key(j, key);
	jo_bool(j, 1);
}

static void json_msg(void *ctx, uint32_t x, uint32_t depth)
{
	struct tctx *c = ctx;
	const struct thr_node *n = &thr->n[x];
	struct jout *j = c->j;
	jo_obj(j);
	kv_str(j, "message_id", n->mid);
	if (n->index) {
		jo_key(j, "index");
		jo_int(j, n->index);
	}
	kv_str(j, "parent", n->parent != THR_NONE ? thr->n[n->parent].mid : NULL);
	jo_key(j, "depth");
	jo_int(j, depth);
	jo_key(j, "date");
	jo_time(j, n->date);
	kv_str(j, "from", n->from);
	kv_str(j, "name", n->name);
	kv_str(j, "subject", n->subject);
	if (!n->index)
		kv_true(j, "ghost");
	if (n->isdup)
		kv_true(j, "duplicate");
	if (explainflag)
		kv_str(j, "why", thr_why_name(n->why));
	if (explainflag && n->loop)
		kv_true(j, "loop");
	jo_end(j);
	if (!n->index)
		return;
	c->count++;
	if (!c->subject && n->subject)
		c->subject = n->subject;
	if (n->date != THR_NODATE) {
		if (c->first == THR_NODATE || n->date < c->first)
			c->first = n->date;
		if (c->last == THR_NODATE || n->date > c->last)
			c->last = n->date;
	}
	if (n->from)
		add_part(c, n->from);
}

/* The duplicates' parent: the original's. */
static void fix_dup_parents(void)
{
	for (uint32_t i = 0; i < thr->count; i++)
		for (uint32_t d = thr->n[i].dup; d != THR_NONE; d = thr->n[d].dup)
			thr->n[d].parent = thr->n[i].parent;
}

static void out_json(FILE *out)
{
	struct jout msgs = { 0 }, head = { 0 };
	struct tctx c = { .j = &msgs, .out = out };
	for (uint32_t i = 0; i < thr->nroots; i++) {
		c.subject = NULL;
		c.first = c.last = THR_NODATE;
		c.count = 0;
		c.nparts = 0;
		strtab_clear(&c.seen);
		msgs.b.len = 0;
		msgs.depth = 1;		/* inside the "messages" array */
		msgs.need_comma[1] = 0;
		thr_walk(thr, thr->roots[i], dupsflag, json_msg, &c);
		const struct thr_node *root = &thr->n[thr->roots[i]];
		char *base = subject_base(root->subject ? root->subject :
		    c.subject ? c.subject : "", NULL);
		jo_obj(&head);
		kv_str(&head, "thread", thr->tid[i]);
		kv_str(&head, "subject", base);
		jo_key(&head, "count");
		jo_int(&head, c.count);
		jo_key(&head, "first");
		jo_time(&head, c.first);
		jo_key(&head, "last");
		jo_time(&head, c.last);
		jo_key(&head, "participants");
		jo_arr(&head);
		for (size_t k = 0; k < c.nparts; k++)
			jo_str(&head, c.parts[k]);
		jo_end_arr(&head);
		jo_key(&head, "messages");
		buf_addc(&head.b, '[');
		buf_add(&head.b, msgs.b.p, msgs.b.len);
		buf_add(&head.b, "]}", 2);
		head.depth = 0;
		free(base);
		if (jo_line(&head, out) != 0)
			die(EX_IOERR, "write error: %s", strerror(errno));
	}
	jo_free(&msgs);
	jo_free(&head);
	free(c.parts);
	strtab_free(&c.seen);
}

/* Display width of UTF-8 text, roughly: one column per code point. */
static void put_cols(FILE *out, const char *s, int width)
{
	int cols = 0;
	const char *p = s;
	while (*p && cols < width) {
		const char *q = p + 1;
		while ((*q & 0xc0) == 0x80)
			q++;
		fwrite(p, 1, (size_t)(q - p), out);
		p = q;
		cols++;
	}
	for (; cols < width; cols++)
		putc(' ', out);
}

static void tree_msg(void *ctx, uint32_t x, uint32_t depth)
{
	struct tctx *c = ctx;
	const struct thr_node *n = &thr->n[x];
	char tb[32];
	if (n->date != THR_NODATE) {
		fmt_rfc3339(n->date, tb);
		tb[10] = ' ';
		tb[16] = 0;
	} else
		strcpy(tb, "----------------");
	fprintf(c->out, "  %s  ", tb);
	put_cols(c->out, n->index ? (n->name ? n->name : n->from ? n->from : "?") :
	    "(not in input)", 20);
	fputs("  ", c->out);
	for (uint32_t i = 0; i < depth && i < 40; i++)
		fputs("  ", c->out);
	if (n->index)
		fputs(n->subject ? n->subject : "(no subject)", c->out);
	else
		fprintf(c->out, "<%s>", n->mid);
	if (n->isdup)
		fputs("  (duplicate)", c->out);
	if (explainflag)
		fprintf(c->out, "  [%s%s]", thr_why_name(n->why), n->loop ? ", loop refused" : "");
	putc('\n', c->out);
}

static void count_msg(void *ctx, uint32_t x, uint32_t depth)
{
	(void)depth;
	if (thr->n[x].index)
		((struct tctx *)ctx)->count++;
}

static void out_tree(FILE *out)
{
	for (uint32_t i = 0; i < thr->nroots; i++) {
		struct tctx c = { .out = out };
		thr_walk(thr, thr->roots[i], dupsflag, count_msg, &c);
		uint32_t r = thr->roots[i];
		uint32_t s = r;
		while (!thr->n[s].index && thr->n[s].child != THR_NONE)
			s = thr->n[s].child;
		char *base = subject_base(thr->n[s].subject ? thr->n[s].subject : "", NULL);
		fprintf(out, "%s  %u message%s  %s\n", thr->tid[i], c.count,
		    c.count == 1 ? "" : "s", *base ? base : "(no subject)");
		free(base);
		thr_walk(thr, r, dupsflag, tree_msg, &c);
	}
}

struct mctx {
	FILE *out;
	const char *tid;
	char *buf;
	size_t cap;
};

static void mbox_msg_out(void *ctx, uint32_t x, uint32_t depth)
{
	struct mctx *c = ctx;
	const struct thr_node *n = &thr->n[x];
	(void)depth;
	if (!n->index)
		return;
	const struct spent *e = &spents[n->index - 1];
	if (e->len > c->cap) {
		c->cap = e->len;
		c->buf = xrealloc(c->buf, c->cap);
	}
	if (fseeko(spool, (off_t)e->off, SEEK_SET) != 0 ||
	    fread(c->buf, 1, e->len, spool) != e->len)
		die(EX_IOERR, "spool: read error");
	const char *nl = e->crlf ? "\r\n" : "\n";
	fwrite(c->buf, 1, e->flen, c->out);
	fprintf(c->out, "X-Mdesk-Thread: %s%s", c->tid, nl);
	/* the header, without X-Mdesk-Thread fields already there */
	const char *h = c->buf + e->flen, *he = h + e->hlen;
	int skipping = 0;
	while (h < he) {
		const char *le = memchr(h, '\n', (size_t)(he - h));
		le = le ? le + 1 : he;
		if (*h != ' ' && *h != '\t')
			skipping = (size_t)(le - h) >= 15 && !strncasecmp(h, "X-Mdesk-Thread:", 15);
		if (!skipping)
			fwrite(h, 1, (size_t)(le - h), c->out);
		h = le;
	}
	fwrite(he, 1, e->len - e->flen - e->hlen, c->out);
	fputs(nl, c->out);
}

static void out_mbox(FILE *out)
{
	struct mctx c = { out, NULL, NULL, 0 };
	for (uint32_t i = 0; i < thr->nroots; i++) {
		c.tid = thr->tid[i];
		thr_walk(thr, thr->roots[i], dupsflag, mbox_msg_out, &c);
	}
	free(c.buf);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "reverse", no_argument, NULL, 'r' },
		{ "subject", no_argument, NULL, 'S' },
		{ "token", no_argument, NULL, 'T' },
		{ "dups", no_argument, NULL, 'D' },
		{ "explain", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	progname = "mthread";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = opt_get(argc, argv, "f:rh", opts, bad_option)) != -1) {
		switch (c) {
		case 'f':
			if ((fmt = word_index(formats, optarg)) < 0)
				opt_misuse(usage_line, "--format: unknown format '%s' (json, tree or mbox)",
				    optarg);
			break;
		case 'r': rflag = 1; break;
		case 'S': thrflags |= THR_SUBJECT; break;
		case 'T': thrflags |= THR_TOKEN; break;
		case 'D': dupsflag = 1; break;
		case 'E': explainflag = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mthread (mdesk) %s\n", MDESK_VERSION); return 0;
		default: bad_option();
		}
	}
	if (fmt < 0)
		fmt = isatty(1) ? F_TREE : F_JSON;
	if (fmt == F_MBOX && !(spool = tmpfile()))
		die(EX_CANTCREAT, "cannot create a spool file: %s", strerror(errno));

	thr = thr_new();
	if (optind == argc)
		read_fd(0, "<stdin>");
	for (int i = optind; i < argc; i++)
		read_arg(argv[i]);
	if (nmsg > 0 && nbad == nmsg) {
		warnx_("%s: not mail: no message has a readable header",
		    optind < argc ? argv[optind] : "<stdin>");
		return EX_DATAERR;
	}
	if (nbad)
		warnx_("%u message%s with unreadable headers", nbad, nbad == 1 ? "" : "s");

	thr_link(thr, thrflags, rflag);
	fix_dup_parents();
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (fmt == F_JSON)
		out_json(stdout);
	else if (fmt == F_TREE)
		out_tree(stdout);
	else
		out_mbox(stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	thr_free(thr);
	free(spents);
	if (spool)
		fclose(spool);
	return 0;
}
