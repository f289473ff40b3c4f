/* packw.h: the objects of a large commit, kept in memory and written to
 * the repository as one pack.
 *
 * libgit2 writes every new object as a loose file (a temporary file, a
 * link, an unlink: four system calls and an inode each).  A batch of a
 * thousand messages makes thousands of objects; packw holds them in
 * memory instead (an object database backend tried before the others,
 * active only between packw_begin and packw_flush) and writes them as one
 * pack without deltas (objects/pack/pack-*.pack, then its .idx, both
 * written here: the index last, since it makes the pack visible).  The commit that
 * names them is made before the flush, the branch moves after it: a
 * process killed in between leaves only an unreferenced pack.  More than
 * PACKW_SPILL bytes held are written as a pack of their own at once, so
 * memory stays bounded. */
#ifndef MDESK_PACKW_H
#define MDESK_PACKW_H
#include <stddef.h>
#include <git2.h>

#define PACKW_SPILL ((size_t)128 << 20)

struct packw;

/* Add the backend to repo's object database (once); it is freed with
 * the database.  NULL when libgit2 refuses it (objects stay loose). */
struct packw *packw_attach(git_repository *repo);
/* New objects stay in memory from now on. */
void packw_begin(struct packw *p);
/* Write what is held as one pack and go back to loose objects.  0, or an
 * errno value (ENOSPC when the disk is full) with nothing held any more.
 * fsync: the pack, its index and the folder reach the disk. */
int packw_flush(struct packw *p, int fsync);
/* Drop what is held (nothing names it) and go back to loose objects. */
void packw_discard(struct packw *p);
/* Hold a new object (its id into *id) without asking the other backends
 * whether they have it (libgit2 asks every pack, and each miss costs):
 * for a writer that knows the object is new, or does not mind a second
 * copy in a pack.  0, or -1 (not active, or the spill failed). */
int packw_put(struct packw *p, git_oid *id, git_object_t type, const void *data, size_t len);
/* Is id held in memory now? */
int packw_holds(const struct packw *p, const git_oid *id);
/* Objects held now. */
size_t packw_count(const struct packw *p);

/* on: a miss in repo's object database no longer makes libgit2 reread
 * the pack folder (packs made until now are loaded first); for the
 * writer holding the desk lock, while it builds a commit.  0: as before. */
void packw_quiet(git_repository *repo, int on);

/* A blob deflated ahead of its write (by another process, say): its id
 * into *id and its zlib bytes (malloc'd, *zlen of them), NULL when it
 * cannot be made.  packw_offer hands such bytes to p, which takes them
 * over and writes them instead of deflating the blob again when it is
 * written to the pack; the offers go with the next flush or
 * packw_offers_clear. */
void *packw_deflate_blob(const void *data, size_t len, git_oid *id, size_t *zlen);
void packw_offer(struct packw *p, const git_oid *id, void *z, size_t zlen);
void packw_offers_clear(struct packw *p);

/* SHA-1 of n bytes (the pack's trailer; exported for the unit test). */
void packw_sha1(const void *p, size_t n, unsigned char out[20]);

#endif
