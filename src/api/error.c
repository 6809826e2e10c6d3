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
#define MPIPOOL__ERR_TEXT(name, value, text)                                   \
  case MPIPOOL_##name:                                                         \
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
#define MPIPOOL__ERR_NAME(name, value, text)                                   \
  case MPIPOOL_##name:                                                         \
    return "MPIPOOL_" #name;
    MPIPOOL_ERRNO_MAP(MPIPOOL__ERR_NAME)
#undef MPIPOOL__ERR_NAME
  default:
    return "MPIPOOL_EUNKNOWN";
  }
}

/* The codes are -1, -2, ... in the list's order (so that MPIPOOL_ERRNO_LAST,
 * counted from the list, is one below the last). */
enum {
  ERR_INDEX_0,
#define ERR_INDEX(name, value, text) ERR_INDEX_##name,
  MPIPOOL_ERRNO_MAP(ERR_INDEX)
#undef ERR_INDEX
};
#define ERR_CHECK(name, value, text)                                           \
  _Static_assert(MPIPOOL_##name == -ERR_INDEX_##name,                          \
                 "MPIPOOL_" #name " is out of order");
MPIPOOL_ERRNO_MAP(ERR_CHECK)
#undef ERR_CHECK

const char *mpipool_version(void) { return PACKAGE_VERSION; }
