/* maildir.h: a desk's tickets as a maildir, for mail clients.
 *
 * One maildir (DIR/cur, new, tmp) holds the messages of the tickets
 * given to it, each file named after its ticket and message number
 * ("3J3GFESM.0002:2,RS"), never after anything in the mail.  A message
 * is the stored one with an X-Mdesk-Ticket field before it, its file
 * time its own date.  The desk's state is in the info flags: F for a
 * high or urgent ticket, R for a customer message answered since, and
 * letters a-z for keywords (status-open, claimed, claimed-by-ana,
 * assigned-ana, ...) numbered in DIR/dovecot-keywords, as Dovecot keeps
 * them; the flags a reader sets (S, T, D, P) are the reader's and stay.
 * A run writes only what changed: new messages, renames when the
 * desk's flags changed, and removes the messages of tickets no longer
 * given (files of other names are left alone). */
#ifndef MDESK_MAILDIR_H
#define MDESK_MAILDIR_H
#include "desk.h"
#include "event.h"

struct maildir;

struct maildir_stats {
	size_t written, renamed, removed, kept;
};

/* Open (and make) the maildir dir, waiting while another run has it
 * ($MDESK_LOCK_TIMEOUT seconds at most, 30 by default): NULL with errno set when it cannot be made or read
 * (EWOULDBLOCK: another run kept it). */
struct maildir *maildir_open(const char *dir);
/* Put ticket t's messages in (archived: t is on the archive branch);
 * 0, or -1 with errno when a file cannot be written. */
int maildir_ticket(struct maildir *m, struct desk *d, const struct ticket *t, int archived,
    long long now);
/* Remove the messages of tickets not put in this run, write
 * dovecot-keywords when it changed, add this run's counts to st and
 * free m; 0, or -1 with errno. */
int maildir_close(struct maildir *m, struct maildir_stats *st);

/* A file name of ours: "ID.NNNN" (a ticket ID, a message number of 1-8
 * digits), then nothing or ":2,FLAGS".  1 when name is one; base (24
 * bytes) gets "ID.NNNN". */
int maildir_name(const char *name, char *base);

#endif
