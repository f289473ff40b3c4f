/* sync.h: several replicas of a desk through any git remote.
 *
 * A sync fetches the remote's main and archive branches, merges each
 * into the local one by the desk's rules and pushes the result, fetching
 * and merging again when the push is refused because the remote moved.
 *
 * The rules, path by path (a path changed on one side only takes that
 * side, as in any three-way merge):
 *  - tickets/SH/ID/events.jsonl: the union of both sides' lines.  Events
 *    carry unique ids; a line whose id the local side has already is
 *    dropped, so the same fact recorded on two replicas (the same message
 *    received, whose event id derives from its Message-ID) stays one event;
 *    a line the remote changed (a file renamed by an earlier merge) and
 *    the local side kept as in the merge base is the remote's.
 *  - tickets/SH/ID/NNNN.eml: by name.  When both sides hold the same name
 *    with different messages, both are kept: the one whose blob id is
 *    the smaller keeps the name, the other takes the next free number and
 *    the events of its side that name it (new on that side only) follow.
 *    A message added or changed on one side is never dropped; the same
 *    message under two names is kept once, and each event that names a
 *    file names the one holding its Message-ID.
 *  - a ticket folder gone on one side (archived) and changed on the
 *    other comes back with the changes; then a ticket found on both
 *    branches (main and archive) comes back to main with the files and
 *    events of both and leaves the archive; a ticket that a side had and
 *    that neither merged branch holds (moved off both on two replicas at
 *    once) comes back to main with every copy's files and events.
 *  - every other file (desk.conf, agents.csv, routing.sieve, ...): a
 *    line-based three-way merge; overlapping changes are a conflict,
 *    reported as "FILE:LINE: conflict: ..." and nothing is changed.
 */
#ifndef MDESK_SYNC_H
#define MDESK_SYNC_H
#include <stddef.h>
#include <git2.h>
#include "desk.h"
#include "event.h"

/* The union of two events files: a's lines, then b's lines whose id a
 * lacks (and that are not repeated in b).  A line without an id counts
 * by its bytes.  With their merge base (NULL: none), a line of a that
 * base holds as it is and that b changed (the file it names renamed by a
 * merge) is b's.  The result is appended to out. */
void sync_union_events(const char *base, size_t bl, const char *a, size_t al,
    const char *b, size_t bbl, struct buf *out);

/* A conflict: path, line (1-based, in the local file), what. */
typedef void (*sync_report_fn)(const char *path, int line, const char *what, void *ctx);

/* Merge the trees ours and theirs (base: their merge base, NULL when
 * none) by the rules above.  0 and *out set, or the number of conflicts,
 * each reported. */
int sync_merge_trees(git_repository *repo, git_tree *base, git_tree *ours,
    git_tree *theirs, git_oid *out, sync_report_fn report, void *ctx);

/* mdesk sync: fetch, merge, push; the exit status (0, 1 on a conflict).
 * The fetch lands in a quarantine (.git/mdesk/incoming) whose objects
 * move into the desk under the desk lock, after the remote's branches
 * are vetted: anything but plain files of the desk's layout is refused
 * (EX_DATAERR, the path named, the desk unchanged).
 * auto_mode: nothing printed when nothing is to do, no prompts.
 * Exits EX_TEMPFAIL when the remote cannot be reached. */
int sync_desk(struct desk *d, const char *remote, int auto_mode);

/* mdesk clone: a new replica of the desk at url in dir (bare: a bare
 * desk, dir the git directory, nothing checked out).  A branch that
 * holds anything but plain files of the desk's layout is refused
 * (EX_DATAERR, the path named, nothing left in dir). */
void sync_clone(const char *url, const char *dir, int bare);

/* Is path (a file's, from the top of the desk) in the desk's layout
 * (mdesk-files(5))?  A sync or a clone takes nothing else. */
int sync_desk_path(const char *path);

/* A problem mdesk check reports: "file:line: what". */
typedef void (*sync_fault_fn)(const char *file, int line, const char *what);

/* Every object that main and archive reach (commits, trees, blobs) is
 * in the desk: the number missing, each reported (the first ten, then a
 * count). */
size_t sync_check_history(struct desk *d, sync_fault_fn report);

/* Tickets on both main and archive whose archive copy holds a file or an
 * event main's lacks (a copy restored by a change holds them all): the
 * number, each reported. */
size_t sync_check_branches(struct desk *d, sync_fault_fn report);

/* mdesk check --repair: fetch everything the remote's main and archive
 * reach into the desk (what the desk lacks is then there), and join the
 * tickets on both branches on main.  Returns the number joined. */
int sync_repair(struct desk *d, const char *remote);

/* Tell login, once per replica, of each collision of ticket t it lost
 * (a line on stderr; the events told are kept in .git/mdesk/told). */
void sync_notice(struct desk *d, const struct ticket *t, const char *login);

#endif
