/* Unit tests: common/tickets.c and common/index.c on a scratch desk */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "index.h"
#include "scratch.h"
#include "tap.h"
#include "tickets.h"

static void put(struct desk *d, const char *path, const char *text, int append)
{
	desk_lock(d);
	struct desk_tx *tx = desk_tx_new(d);
	if (append)
		desk_tx_append(tx, path, text, strlen(text));
	else
		desk_tx_write(tx, path, text, strlen(text));
	desk_tx_commit(tx, "t", "t@t", "test\n");
	desk_unlock(d);
}

/* What readers of the summaries get, as one string: per ticket its ID,
 * status, summary, and the state and timeline tsum_fold gives. */
static char *snap(struct desk *d, int all)
{
	size_t n;
	const struct tsum *v = tickets_timelines(d, all, &n);
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		struct ticket t;
		tsum_fold(d, &v[i], &t, 0);
		json_t *j = ticket_json(&t);
		char *js = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		char h[64];
		snprintf(h, sizeof h, "%s %s %zu\n", v[i].id, v[i].status, t.nev);
		buf_adds(&b, h);
		buf_adds(&b, v[i].json);
		buf_adds(&b, js);
		for (size_t k = 0; k < t.nev; k++) {
			buf_adds(&b, t.ev[k].id);
			buf_adds(&b, t.ev[k].type);
			buf_adds(&b, t.ev[k].at_s);
		}
		free(js);
		json_decref(j);
		ticket_free(&t);
	}
	buf_cstr(&b);
	return b.p;
}

static char *slurp_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[4096];
	size_t k;
	if (!f)
		return NULL;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, k);
	fclose(f);
	*len = b.len;
	buf_cstr(&b);
	return b.p;
}

static void spit(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/* What filing gets from tickets_states, as one string. */
/* text (len bytes) as the summary file evp, then main's summaries read:
 * *same kept when their answer is ref, *rebuilt when the file is good
 * (glen bytes) again. */
static void spoilt_file(struct desk *d, const char *evp, const char *text, size_t len,
    const char *ref, const char *good, size_t glen, int *same, int *rebuilt)
{
	tickets_summary_free();
	spit(evp, text, len);
	char *s = snap(d, 0);
	*same &= !strcmp(s, ref);
	free(s);
	size_t l;
	char *again = slurp_file(evp, &l);
	*rebuilt &= again && l == glen && !memcmp(again, good, glen);
	free(again);
}

static char *snap_states(struct desk *d)
{
	size_t n;
	const struct tsum *v = tickets_states(d, &n);
	struct buf b = { 0 };
	for (size_t i = 0; i < n; i++) {
		char h[600];
		snprintf(h, sizeof h, "%s %s %lld %lld %lld [%s] [%s] [%s] %d\n", v[i].id,
		    v[i].status, v[i].created, v[i].updated, v[i].assigned_at,
		    v[i].assignee ? v[i].assignee : "-", v[i].customer ? v[i].customer : "-",
		    v[i].subject ? v[i].subject : "-", v[i].json == NULL && v[i].timeline == NULL);
		buf_adds(&b, h);
	}
	buf_cstr(&b);
	return b.p;
}

/* The states file (states-main): kept by a commit's observer, the same
 * as built again, and a damaged file never changes the answer. */
static void states_tests(struct desk *d, const char *root)
{
	char sp[300], *good, *again, *s2;
	size_t flen, l2, n;
	snprintf(sp, sizeof sp, "%s/.git/mdesk/states-main", root);
	tickets_summary_free();
	char *ref = snap_states(d);
	const struct tsum *sv = tickets_summary(d, 0, &n);
	struct buf full = { 0 };
	for (size_t i = 0; i < n; i++) {
		buf_adds(&full, sv[i].id);
		buf_adds(&full, " ");
		buf_adds(&full, sv[i].status);
		buf_adds(&full, "\n");
	}
	buf_cstr(&full);
	int alike = 1;
	for (const char *l = full.p; *l; l = strchr(l, '\n') + 1) {
		const char *sp1 = strchr(l, ' ');
		char id[16];
		snprintf(id, sizeof id, "%.*s", (int)(sp1 - l), l);
		alike &= strstr(ref, id) != NULL;
	}
	ok(n > 0 && alike && strstr(ref, " 1\n") && !strstr(ref, " 0\n"),
	    "states: the summary's tickets, without JSON or timeline");
	buf_free(&full);
	tickets_summary_free();
	good = slurp_file(sp, &flen);
	ok(good && !strncmp(good, "mdesk-states 2 ", 15) && !strstr(good, "{\""),
	    "states: written, light");
	/* a commit while the states are held: saved when the writer is done */
	free(snap_states(d));
	put(d, "tickets/EF/EFGH5678/events.jsonl", "{\"at\":\"2026-11-02T14:00:00Z\",\"by\":\"ana\","
	    "\"id\":\"s8\",\"type\":\"assigned\",\"agent\":\"bob\"}\n", 1);
	again = slurp_file(sp, &l2);
	ok(again && l2 == flen && !memcmp(again, good, flen), "states: the file waits for the end");
	free(again);
	tickets_summary_save(d);
	tickets_summary_free();
	again = slurp_file(sp, &l2);
	free(ref);
	ref = snap_states(d);
	ok(again && (l2 != flen || memcmp(again, good, flen)) && strstr(ref, "[bob]"),
	    "states: written when saved, with the commit");
	free(good);
	good = again;
	flen = l2;
	tickets_summary_free();
	unlink(sp);
	s2 = snap_states(d);
	again = slurp_file(sp, &l2);
	ok(!strcmp(s2, ref) && again && l2 == flen && !memcmp(again, good, flen),
	    "states: deleted, the same answer and the same file built again");
	free(s2);
	free(again);
	int same = 1, rebuilt = 1;
#define NEXT_S(i) ((i) < 200 || (i) + 80 > flen ? (i) + 1 : (i) + 5)
	for (size_t at = 0; good && at < flen; at = NEXT_S(at)) {
		for (int flip = 0; flip < 2; flip++) {
			tickets_summary_free();
			if (flip)
				good[at] ^= 0x21;
			spit(sp, good, flip ? flen : at);
			if (flip)
				good[at] ^= 0x21;
			s2 = snap_states(d);
			same &= !strcmp(s2, ref);
			free(s2);
			again = slurp_file(sp, &l2);
			rebuilt &= again && l2 == flen && !memcmp(again, good, flen);
			free(again);
		}
	}
#undef NEXT_S
	ok(same, "states: truncated or a byte changed anywhere: the same answer");
	ok(rebuilt, "states: ... and the file built again");
	free(good);
	free(ref);
	tickets_summary_free();
}

int main(void)
{
	char root[128], p[600];
	struct desk d;
	scratch_desk(&d, root, sizeof root, "tk", "fsync = no\n");
	d.now = 1794128400LL;
	put(&d, "desk.conf", "fsync = no\n", 0);
	put(&d, "tickets/AB/ABCDEF12/events.jsonl",
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"1\",\"type\":\"received\","
	    "\"message_id\":\"m1@x\",\"from\":\"a@x\",\"subject\":\"S\",\"thread\":\"new\"}\n", 1);
	put(&d, "tickets/AB/ABCDEF12/0001.eml", "Subject: S\n\nhi\n", 0);
	put(&d, "tickets/AB/ABCDEF12/0002.eml", "Subject: Re: S\n\nhi\n", 0);

	struct ticket t;
	int arch = -1;
	ok(ticket_load(&d, "ABCDEF12", &t, &arch, 0) == 0 && arch == 0, "load from the tree");
	is_str(t.subject, "S", "folded");
	ticket_free(&t);
	ok(ticket_load(&d, "ZZZZZZ99", &t, NULL, 0) == -1, "no such ticket");
	is_int(ticket_next_number(&d, "ABCDEF12", 0), 3, "next message number");
	size_t n;
	char **v = ticket_files(&d, "ABCDEF12", &n, 0);
	ok(n == 2 && !strcmp(v[0], "0001.eml"), "files sorted");
	desk_list_free(v, n);
	size_t len;
	ok(ticket_read(&d, "ABCDEF12", "../../desk.conf", &len, 0) == NULL, "no escape from the ticket");

	char id[16];
	desk_lock(&d);
	index_sync(&d);
	ok(index_lookup(&d, "m1@x", id) && !strcmp(id, "ABCDEF12"), "index built from the events");
	ok(!index_lookup(&d, "nope@x", id), "unknown id");
	desk_unlock(&d);
	/* a change behind the index's back is picked up by the tree diff */
	put(&d, "tickets/CD/CDEFGH34/events.jsonl",
	    "{\"at\":\"2026-11-02T10:00:00Z\",\"by\":\"customer\",\"id\":\"2\",\"type\":\"received\","
	    "\"message_id\":\"m2@x\",\"from\":\"b@x\",\"subject\":\"T\"}\n", 1);
	desk_lock(&d);
	index_sync(&d);
	ok(index_lookup(&d, "m2@x", id) && !strcmp(id, "CDEFGH34"), "incremental update");
	desk_unlock(&d);
	/* deleting the index changes no answer */
	snprintf(p, sizeof p, "rm -rf %s/.git/mdesk/ids", root);
	if (system(p) != 0)
		return 1;
	desk_lock(&d);
	index_sync(&d);
	ok(index_lookup(&d, "m1@x", id) && !strcmp(id, "ABCDEF12"), "rebuilt after deletion");
	ok(index_lookup(&d, "m2@x", id) && !strcmp(id, "CDEFGH34"), "rebuilt: all tickets");
	desk_unlock(&d);
	/* its key: the tickets/ trees of main and archive, as the summaries' */
	char hp[300], ikey[64], want[GIT_OID_HEXSZ + 1];
	snprintf(hp, sizeof hp, "%s/.git/mdesk/ids/HEAD", root);
	size_t hl;
	char *ihead = slurp_file(hp, &hl);
	tickets_tree(&d, DESK_BRANCH, want, NULL);
	snprintf(ikey, sizeof ikey, "%s -\n", want);
	ok(ihead && !strcmp(ihead, ikey), "the index is keyed by the tickets/ trees");
	free(ihead);
	/* a key of another kind (commits, as once): built again */
	git_oid cid;
	desk_branch_id(&d, DESK_BRANCH, &cid);
	char chex[GIT_OID_HEXSZ + 1], iline[100];
	git_oid_tostr(chex, sizeof chex, &cid);
	int ll = snprintf(iline, sizeof iline, "%s -\n", chex);
	spit(hp, iline, (size_t)ll);
	snprintf(p, sizeof p, "rm -f %s/.git/mdesk/ids/[0-9a-f][0-9a-f]", root);
	if (system(p) != 0)
		return 1;
	desk_lock(&d);
	index_sync(&d);
	ok(index_lookup(&d, "m2@x", id) && !strcmp(id, "CDEFGH34"), "a key of commits: built again");
	desk_unlock(&d);

	char *ids[] = { "ABCDEF12" };
	desk_lock(&d);
	desk_archive(&d, ids, 1, "t", "t@t");
	desk_unlock(&d);
	ok(ticket_load(&d, "ABCDEF12", &t, &arch, 0) == 0 && arch == 1, "archived ticket still loads");
	ticket_free(&t);
	v = ticket_files(&d, "ABCDEF12", &n, 1);
	is_int((long long)n, 2, "archived files listed");
	desk_list_free(v, n);
	desk_lock(&d);
	index_sync(&d);
	ok(index_lookup(&d, "m1@x", id), "archived ticket still in the index");
	struct desk_tx *tx = desk_tx_new(&d);
	ticket_restore(&d, tx, "ABCDEF12");
	is_int((long long)desk_tx_count(tx), 3, "restore stages all files");
	desk_tx_commit(tx, "t", "t@t", "restore\n");
	desk_unlock(&d);
	ok(ticket_load(&d, "ABCDEF12", &t, &arch, 0) == 0 && arch == 0, "restored to the tree");
	ticket_free(&t);

	/* summaries and agents' load */
	const char *ev = "{\"at\":\"2026-11-02T11:00:00Z\",\"by\":\"customer\",\"id\":\"3\","
	    "\"type\":\"received\",\"message_id\":\"m3@x\",\"from\":\"c@x\",\"subject\":\"U\","
	    "\"thread\":\"new\"}\n{\"at\":\"2026-11-02T11:01:00Z\",\"by\":\"rule:x\",\"id\":\"4\","
	    "\"type\":\"assigned\",\"agent\":\"ana\"}\n";
	put(&d, "tickets/EF/EFGH5678/events.jsonl", ev, 1);
	put(&d, "tickets/GH/GHJK9012/events.jsonl", ev, 1);
	put(&d, "tickets/JK/JKMN3456/events.jsonl", ev, 1);
	put(&d, "tickets/JK/JKMN3456/events.jsonl", "{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"ana\","
	    "\"id\":\"5\",\"type\":\"status\",\"status\":\"pending\"}\n", 1);
	put(&d, "tickets/GH/GHJK9012/events.jsonl", "{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"ana\","
	    "\"id\":\"6\",\"type\":\"status\",\"status\":\"open\"}\n", 1);
	is_int(agent_load(&d, "ana"), 2, "load: new and open count, pending does not");
	is_int(agent_load(&d, "bob"), 0, "load of an agent without tickets");
	const struct tsum *sv = tickets_summary(&d, 0, &n);
	is_int((long long)n, 5, "summary of main: every ticket on main");
	ok(n == 5 && !strcmp(sv[0].id, "ABCDEF12") && !strcmp(sv[4].id, "JKMN3456") &&
	    !strcmp(sv[4].status, "pending") && !strcmp(sv[4].assignee, "ana"), "sorted, folded");
	tsum_ticket(&sv[3], &t);
	ok(!strcmp(t.subject, "U") && !strcmp(t.status, "open") && !strcmp(t.assignee, "ana") &&
	    t.created == 1793617200LL, "a summary as a ticket");
	ticket_free(&t);
	char *aid[] = { "CDEFGH34" };
	desk_lock(&d);
	desk_archive(&d, aid, 1, "t", "t@t");
	desk_unlock(&d);
	sv = tickets_summary(&d, 0, &n);
	is_int((long long)n, 4, "archived: out of main's summary");
	sv = tickets_summary(&d, 1, &n);
	is_int((long long)n, 5, "main and archive: each ticket once");
	/* deleting or spoiling the files changes no answer */
	tickets_summary_free();
	snprintf(p, sizeof p, "rm -f %s/.git/mdesk/tickets-main; echo garbage > %s/.git/mdesk/tickets-archive",
	    root, root);
	if (system(p) != 0)
		return 1;
	sv = tickets_summary(&d, 1, &n);
	ok(n == 5 && !strcmp(sv[1].id, "CDEFGH34"), "rebuilt after deletion and damage");
	is_int(agent_load(&d, "ana"), 2, "the same load");
	tickets_summary_free();
	snprintf(p, sizeof p, "grep -q . %s/.git/mdesk/tickets-main", root);
	ok(system(p) == 0, "written back");
	ok(ticket_exists(&d, "CDEFGH34") && ticket_exists(&d, "EFGH5678") &&
	    ticket_exists(&d, "ABCDEF12") && !ticket_exists(&d, "ZZZZZZ99") &&
	    !ticket_exists(&d, "CDEFGH3"), "exists: archived (by the summary), on main, not at all");
	snprintf(p, sizeof p, "rm -f %s/.git/mdesk/tickets-archive", root);
	if (system(p) != 0)
		return 1;
	ok(ticket_exists(&d, "CDEFGH34") && !ticket_exists(&d, "ZZZZZZ99"), "exists: without the summary");

	/* a commit while the summary is held brings it along (desk_on_commit) */
	char sp[300], *was, *now;
	size_t wl, nl;
	snprintf(sp, sizeof sp, "%s/.git/mdesk/tickets-main", root);
	tickets_summary(&d, 0, &n);
	was = slurp_file(sp, &wl);
	put(&d, "tickets/EF/EFGH5678/events.jsonl", "{\"at\":\"2026-11-02T13:00:00Z\",\"by\":\"ana\","
	    "\"id\":\"7\",\"type\":\"status\",\"status\":\"solved\"}\n", 1);
	now = slurp_file(sp, &nl);
	ok(was && now && wl == nl && !memcmp(was, now, wl), "observer: the file waits for the end");
	free(now);
	sv = tickets_summary(&d, 0, &n);
	ok(n == 4 && !strcmp(sv[1].id, "EFGH5678") && !strcmp(sv[1].status, "solved"),
	    "observer: the summary held has the commit");
	tickets_summary_save(&d);
	now = slurp_file(sp, &nl);
	ok(now && (wl != nl || memcmp(was, now, wl)), "observer: written when saved");
	tickets_summary_free();
	free(was);
	snprintf(p, sizeof p, "rm -f %s", sp);
	if (system(p) != 0)
		return 1;
	tickets_summary(&d, 0, &n);
	tickets_summary_free();
	was = slurp_file(sp, &wl);
	ok(was && now && wl == nl && !memcmp(was, now, wl), "observer: the same file as one built again");
	free(was);
	free(now);
	/* a line that is not an event: skipped (with a warning), no exit
	 * after the commit landed; the summary has the ticket without it */
	tickets_summary(&d, 0, &n);
	was = slurp_file(sp, &wl);
	put(&d, "tickets/GH/GHJK9012/events.jsonl", "not json\n", 1);
	tickets_summary_save(&d);
	tickets_summary_free();
	now = slurp_file(sp, &nl);
	ok(was && now && (wl != nl || memcmp(was, now, wl)),
	    "observer: a line that is not an event is skipped, the summary written");
	free(was);
	free(now);
	put(&d, "tickets/GH/GHJK9012/events.jsonl", ev, 0);
	sv = tickets_summary(&d, 0, &n);
	ok(n == 4 && !strcmp(sv[2].id, "GHJK9012") && !strcmp(sv[2].status, "open"),
	    "observer: mended by hand, read again");
	tickets_summary_free();

	/* the timelines of the summaries: folded as the events blob */
	char evp[200];
	snprintf(evp, sizeof evp, "%s/.git/mdesk/tickets-main", root);
	sv = tickets_timelines(&d, 0, &n);
	int alike = n == 4;
	for (size_t i = 0; i < n; i++) {
		struct ticket a, b2;
		char ep[64], *text;
		size_t tl;
		ticket_events_path(sv[i].id, ep);
		alike &= sv[i].timeline != NULL && tsum_fold(&d, &sv[i], &a, 0) == 0;
		alike &= (text = desk_read_head(&d, ep, &tl, 0)) != NULL;
		ticket_fold(&b2, sv[i].id, text ? text : "", text ? tl : 0, 0);
		free(text);
		json_t *ja = ticket_json(&a), *jb = ticket_json(&b2);
		alike &= json_equal(ja, jb) && a.nev == b2.nev && a.nev > 0;
		for (size_t k = 0; alike && k < a.nev; k++)
			alike &= !strcmp(a.ev[k].id, b2.ev[k].id) && a.ev[k].at == b2.ev[k].at;
		json_decref(ja);
		json_decref(jb);
		ticket_free(&a);
		ticket_free(&b2);
	}
	ok(alike, "a timeline folds to the state and timeline of its events blob");
	size_t flen;
	char *ref1 = snap(&d, 1), *ref0 = snap(&d, 0);
	ok(strstr(ref1, "CDEFGH34") && !strstr(ref0, "CDEFGH34"), "main and archive");
	char *good = slurp_file(evp, &flen);
	ok(good && !strncmp(good, "mdesk-tickets 7 ", 16) && flen > 400 &&
	    !strncmp(good + flen - 23, "end 4 ", 6), "written: header, entries, trailer");
	tickets_summary_free();
	snprintf(p, sizeof p, "rm -f %s/.git/mdesk/tickets-main %s/.git/mdesk/tickets-archive", root, root);
	if (system(p) != 0)
		return 1;
	char *s2 = snap(&d, 1);
	ok(!strcmp(s2, ref1), "deleted: the same answer (main and archive)");
	free(s2);
	s2 = snap(&d, 0);
	ok(!strcmp(s2, ref0), "deleted: the same answer (main)");
	free(s2);
	size_t l2;
	char *again = slurp_file(evp, &l2);
	ok(again && l2 == flen && !memcmp(again, good, flen), "written again, the same");
	free(again);
	/* every truncation and every flipped byte: ignored, built again */
	int same = 1, rebuilt = 1;
	/* every place in the header, the first entry and the trailer; every
	 * 7th elsewhere (the loop rebuilds the file each time) */
#define NEXT(i) ((i) < 300 || (i) + 80 > flen ? (i) + 1 : (i) + 7)
	for (size_t cut = 0; good && cut < flen; cut = NEXT(cut))
		spoilt_file(&d, evp, good, cut, ref0, good, flen, &same, &rebuilt);
	ok(same, "truncated anywhere: the same answer");
	ok(rebuilt, "truncated anywhere: the file built again");
	same = rebuilt = 1;
	char *bad = good ? malloc(flen + 1) : NULL;
	for (size_t at = 0; good && at < flen; at = NEXT(at)) {
		memcpy(bad, good, flen);
		bad[at] ^= at % 3 == 0 ? 0x01 : at % 3 == 1 ? 0x20 : 0x80;
		spoilt_file(&d, evp, bad, flen, ref0, good, flen, &same, &rebuilt);
	}
	ok(same, "a byte changed anywhere: the same answer");
	ok(rebuilt, "a byte changed anywhere: caught (the checksum) and built again");
#undef NEXT
	/* well-formed files that are still not right (their checksums
	 * right): an entry of the good file (the ticket GHJK9012, its blob
	 * real) with a timeline that does not read.  (A timeline that reads
	 * but lies, its checksum right, is not told from the truth: the
	 * file is trusted as .git is; against it the reader promises no
	 * crash, hang or unbounded memory.) */
	char key[64], head[512] = "", *tl;
	const char *line = strstr(good, "\nGHJK9012\t");
	sscanf(good, "mdesk-tickets 7 %63s", key);
	if (line)
		snprintf(head, sizeof head, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
	ok((tl = strrchr(head, '\t')) != NULL, "(the test finds a line)");
	tl[1] = 0;
	const char *x = "\x1f", *y = "\x1e";
	char spoilt[12][1024];
	snprintf(spoilt[0], 1024, "%s%s", head, "garbage");
	snprintf(spoilt[1], 1024, "%s%sa1%sbreceived", head, y, x);	/* no "at" */
	snprintf(spoilt[2], 1024, "%s%sa1%sbnote%st2026-13-02T11:00:00Z", head, y, x, x);
	snprintf(spoilt[3], 1024, "%s%sa2%sbnote%st2026-11-02T11:00:00Z%sa1%sbnote%st2026-11-02T10:00:00Z",
	    head, y, x, x, y, x, x);	/* out of order */
	snprintf(spoilt[4], 1024, "%s%sa1%sbnote%st2026-11-02T11:00:00Z%s~x", head, y, x, x, x);
	snprintf(spoilt[5], 1024, "%s%sa1%sbnote%st2026-11-02T11:00:00Z%s!Z", head, y, x, x, x);
	snprintf(spoilt[6], 1024, "%s%sa1\\q%sbnote%st2026-11-02T11:00:00Z", head, y, x, x);
	snprintf(spoilt[7], 1024, "%s%sa1%sbnote%st2026-11-02T11:00:00Z\\", head, y, x, x);
	snprintf(spoilt[8], 1024, "%s%s%s", head, y, x);
	snprintf(spoilt[9], 1024, "%s%sa1%sbnote%st2026-11-02T11:00:00Z%sa1%sbnote%st2026-11-02T11:00:00Z",
	    head, y, x, x, y, x, x);	/* twice */
	snprintf(spoilt[10], 1024, "%s%sa%sbnote%st2026-11-02T11:00:00Z", head, y, x, x);	/* "" id */
	snprintf(spoilt[11], 1024, "%s%sa1%sbnote%st2026-11-02T11:00:00Z%s%s", head, y, x, x, y, y);
	same = rebuilt = 1;
	for (size_t i = 0; i < 12; i++) {
		char body[4096];
		const char *lines[5];
		size_t nl5 = 0;
		for (const char *q = strchr(good, '\n') + 1; *q && strncmp(q, "end ", 4); q = strchr(q, '\n') + 1)
			if (strncmp(q, "GHJK9012\t", 9))
				lines[nl5++] = q;
		size_t bl = (size_t)snprintf(body, sizeof body, "mdesk-tickets 7 %s\n", key);
		uint64_t h = hash64_wide(body, bl, 0);
		size_t k = 0;
		for (size_t j = 0; j <= nl5; j++) {
			const char *l = j == 2 ? spoilt[i] : lines[k++];
			size_t ll = j == 2 ? strlen(l) + 1 : (size_t)(strchr(l, '\n') - l) + 1;
			char *at = body + bl;
			memcpy(at, l, ll);
			at[ll - 1] = '\n';
			h = hash64_wide(at, ll, h);
			bl += ll;
		}
		bl += (size_t)snprintf(body + bl, sizeof body - bl, "end 4 %016llx\n", (unsigned long long)h);
		tickets_summary_free();
		spit(evp, body, bl);
		s2 = snap(&d, 0);
		same &= !strcmp(s2, ref0);
		if (strcmp(s2, ref0))
			printf("# spoilt timeline %zu changed the answer\n", i);
		free(s2);
	}
	ok(same, "timelines that do not read, with a right checksum: the same answer");
	/* a NUL with a right checksum: at the start of an entry (as if the
	 * file ended there) or inside one: built again */
	same = rebuilt = 1;
	for (int mid = 0; good && mid < 2; mid++) {
		char *tr;
		memcpy(bad, good, flen);
		char *l3 = strchr(strchr(strchr(bad, '\n') + 1, '\n') + 1, '\n') + 1;
		l3[mid ? 5 : 0] = 0;
		for (tr = bad + flen - 1; tr[-1] != '\n'; tr--)
			;
		uint64_t h = 0;
		for (char *q = bad; q < tr;) {
			char *nl = memchr(q, '\n', (size_t)(tr - q));
			h = hash64_wide(q, (size_t)(nl - q) + 1, h);
			q = nl + 1;
		}
		snprintf(tr, 24, "end 4 %016llx\n", (unsigned long long)h);
		spoilt_file(&d, evp, bad, flen, ref0, good, flen, &same, &rebuilt);
	}
	free(bad);
	ok(same, "a NUL, with a right checksum: the same answer");
	ok(rebuilt, "a NUL, with a right checksum: built again");
	/* not a file at all: a directory, a FIFO */
	snprintf(p, sizeof p, "rm -f %s && mkdir %s", evp, evp);
	if (system(p) != 0)
		return 1;
	s2 = snap(&d, 0);
	ok(!strcmp(s2, ref0), "a directory in its place: the same answer");
	free(s2);
	snprintf(p, sizeof p, "rmdir %s && mkfifo %s", evp, evp);
	if (system(p) != 0)
		return 1;
	s2 = snap(&d, 0);
	ok(!strcmp(s2, ref0), "a FIFO in its place: the same answer, no hang");
	free(s2);
	snprintf(p, sizeof p, "rm -f %s", evp);
	if (system(p) != 0)
		return 1;
	/* a key of a tree that is not there: built again from every ticket */
	spit(evp, good, flen);
	snprintf(p, sizeof p, "sed -i '1s/.*/mdesk-tickets 7 0123456789abcdef0123456789abcdef01234567/' %s", evp);
	if (system(p) != 0)
		return 1;
	s2 = snap(&d, 0);
	ok(!strcmp(s2, ref0), "a key of a tree that is not there: the same answer");
	free(s2);
	free(good);
	free(ref0);
	free(ref1);
	states_tests(&d, root);
	tickets_summary_free();
	desk_close(&d);
	snprintf(p, sizeof p, "rm -rf %s", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
