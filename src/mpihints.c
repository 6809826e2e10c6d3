/*
 * mpihints.c - implementation-specific settings for the MPI library (see
 * mpihints.h).
 */
#include "config.h"
#include "mpihints.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef OPEN_MPI
/* Names the variables mpipool set (a space-separated list), so that
 * whoever inherits them (a spawned worker) knows to take them out again. */
#define MARK "MPIPOOL_MPI_HINTS"

static void hint(const char *name, const char *value) {
  if (getenv(name) != NULL)
    return; /* the user's choice */
  const char *mark = getenv(MARK);
  char list[128];
  snprintf(list, sizeof list, "%s%s%s", mark ? mark : "", mark ? " " : "",
           name);
  setenv(name, value, 1);
  setenv(MARK, list, 1);
}

void mpipool__hints_before_init(int launched) {
  /* Lets a process leave MPI_Finalize without waiting for the others of
   * its job. */
  hint("OMPI_MCA_async_mpi_finalize", "1");
  if (!launched)
    hint("OMPI_MCA_pml", "ob1");
}

void mpipool__hints_after_init(void) {
  const char *mark = getenv(MARK);
  if (mark == NULL)
    return;
  char list[128];
  snprintf(list, sizeof list, "%s", mark);
  for (char *save, *name = strtok_r(list, " ", &save); name;
       name = strtok_r(NULL, " ", &save))
    unsetenv(name);
  unsetenv(MARK);
}
#else
void mpipool__hints_before_init(int launched) { (void)launched; }
void mpipool__hints_after_init(void) {}
#endif
