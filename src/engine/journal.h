/*
 * journal.h - the file that makes a program's maps resumable
 * (mpipool_set_journal): the master appends each finished item's result as
 * its chunk arrives; a rerun of the same program reads them back and runs
 * only what is missing.  No MPI: file I/O and the results' wire format.
 *
 * The file: a magic line, then records, each written whole by one write()
 * with the others of its chunk:
 *
 *   u32 body length, u64 FNV-1a check of the body, body
 *   body: u8 kind
 *         MAP:  u32 map, u64 items, u64 input digest, name (the rest)
 *         ITEM: u32 map, u64 item, result bytes (the rest)
 *
 * Maps are numbered in the order the program submits them (0, 1, ...).
 * Reading stops at the first record cut short or failing its check (a
 * write torn by a kill): what follows is dropped before the first append.
 */
#ifndef MPIPOOL_JOURNAL_H
#define MPIPOOL_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "job.h"
#include "transport/wire.h"

typedef struct mpipool__journal mpipool__journal_t;

/* At most this many seconds between a record's write and its fdatasync
 * (a killed process loses nothing written; a crashed machine this much). */
#define MPIPOOL__JOURNAL_SYNC_S 1.0

/*
 * Opens the journal at path (created at the first record if missing) and
 * reads it.  0; EJOURNAL with why[] when the file is not a journal or
 * cannot be read; ENOMEM.  The file is not written here.
 */
int mpipool__journal_open(mpipool__journal_t **out, const char *path, char *why,
                          size_t len);

/* The digest of a map's input: its items' sizes and bytes. */
uint64_t mpipool__journal_digest(const mpipool__src_t *src, size_t count);

/*
 * The program's next map (task `name`, count items, input digest): the
 * journal's map of the same number must be the same (0, *map set), or,
 * when the journal has none, it is recorded.  EJOURNAL with why[] when
 * they differ (nothing written); ENOMEM.
 */
int mpipool__journal_map(mpipool__journal_t *j, const char *name, size_t count,
                         uint64_t digest, uint32_t *map, char *why, size_t len);

/*
 * Items [first, first + n) of map, when the journal holds them all: 1 with
 * *buf (one reference, the caller's) and *view, a results chunk of them; 0
 * when one is missing; ENOMEM.
 */
int mpipool__journal_chunk(const mpipool__journal_t *j, uint32_t map,
                           size_t first, size_t n, mpipool__rbuf_t **buf,
                           mpipool__rchunk_view_t *view);

/* Appends the items of a results chunk that succeeded (the first is item
 * `first` of map), in one write.  A journal that cannot be written says
 * so once on stderr and is not written again (the run goes on). */
void mpipool__journal_put(mpipool__journal_t *j, uint32_t map, size_t first,
                          const mpipool__rchunk_view_t *view);

/* fdatasync when a record is older than MPIPOOL__JOURNAL_SYNC_S (now: 1),
 * or whenever one is unsynced (force). */
void mpipool__journal_sync(mpipool__journal_t *j, int force);

/* Items journaled (read and written) and whether the journal still
 * writes: for tests and messages. */
size_t mpipool__journal_items(const mpipool__journal_t *j);

/* Syncs and closes (NULL: no-op). */
void mpipool__journal_close(mpipool__journal_t *j);

#endif
