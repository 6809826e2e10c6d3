/*
 * tempfile.h - a temporary file of the mpipool program's own: in $TMPDIR
 * (else /tmp), unlinked as soon as it is made, so that nothing is left
 * behind however the program ends.
 */
#ifndef MPIPOOL_CLI_TEMPFILE_H
#define MPIPOOL_CLI_TEMPFILE_H

#include <stddef.h>

/*
 * Creates the file (its name starts "mpipool-" then what) and returns its
 * descriptor, open for reading and writing, close-on-exec; or -1 with
 * "cannot create a temporary file in DIR: REASON" in msg.
 */
int cli_tempfile(const char *what, char *msg, size_t msglen);

#endif
