/*
 * watch.h - a watcher: a small shell, in a session of its own, that
 * outlives this process.  It reads lines this process sends it on its
 * stdin and, when this process ends (even of kill -9, or ended by its MPI
 * runtime with _exit), reads the end of its input and acts on the last
 * line it got.  The program uses one on each worker (a task never outlives
 * its worker, runner.c) and one on a singleton's master (a run that ends
 * abruptly says so, main.c).
 */
#ifndef CLI_WATCH_H
#define CLI_WATCH_H

/* Starts `/bin/sh -c script`, its stdin the watcher's end of a socket,
 * its stdout /dev/null, its stderr this process's with keep_stderr (else
 * /dev/null), and state_fd (when >= 0) as its descriptor 3: a file this
 * process keeps writing (at offset 0, with pwrite) for the watcher to read
 * at the end, which then costs no message, and no wake-up, each time it
 * changes.  Returns this process's end of the socket (close-on-exec), or
 * -1 if the watcher could not start. */
int cli_watch_start(const char *script, int keep_stderr, int state_fd);

/* Sends the watcher `line` and its newline (in one write: one wake-up).
 * On failure closes *fd and sets it to -1 (the watcher is gone); no-op
 * when *fd < 0. */
void cli_watch_say(int *fd, const char *line);

#endif
