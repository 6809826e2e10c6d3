/*
 * error.c - the error strings and the version: one X-macro list in
 * mpipool.h generates both the enum and these tables.
 */
#include "config.h"
#include "mpipool.h"

const char *mpipool_strerror(int err) {
  switch (err) {
  case MPIPOOL_OK:
    return "success";
#define MPIPOOL__ERR_TEXT(name, value, text)                                  \
  case MPIPOOL_##name:                                                        \
    return text;
    MPIPOOL_ERRNO_MAP(MPIPOOL__ERR_TEXT)
#undef MPIPOOL__ERR_TEXT
  default:
    return "unknown mpipool error";
  }
}

const char *mpipool_err_name(int err) {
  switch (err) {
  case MPIPOOL_OK:
    return "MPIPOOL_OK";
#define MPIPOOL__ERR_NAME(name, value, text)                                  \
  case MPIPOOL_##name:                                                        \
    return "MPIPOOL_" #name;
    MPIPOOL_ERRNO_MAP(MPIPOOL__ERR_NAME)
#undef MPIPOOL__ERR_NAME
  default:
    return "MPIPOOL_EUNKNOWN";
  }
}

const char *mpipool_version(void) { return PACKAGE_VERSION; }
