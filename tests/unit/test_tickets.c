/* Unit tests: common/tickets.c and common/index.c on a scratch desk */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "index.h"
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

int main(void)
{
	char root[128], p[512];
	snprintf(root, sizeof root, "/tmp/mdesk-unit-tk-%d", (int)getpid());
	desk_git_create(root);
	snprintf(p, sizeof p, "%s/desk.conf", root);
	FILE *f = fopen(p, "w");
	fputs("fsync = no\n", f);
	fclose(f);
	struct desk d;
	desk_open(&d, root);
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
	ticket_files_free(v, n);
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

	char *ids[] = { "ABCDEF12" };
	desk_lock(&d);
	desk_archive(&d, ids, 1, "t", "t@t");
	desk_unlock(&d);
	ok(ticket_load(&d, "ABCDEF12", &t, &arch, 0) == 0 && arch == 1, "archived ticket still loads");
	ticket_free(&t);
	v = ticket_files(&d, "ABCDEF12", &n, 1);
	is_int((long long)n, 2, "archived files listed");
	ticket_files_free(v, n);
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
	desk_close(&d);
	snprintf(p, sizeof p, "rm -rf %s", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
