/*
 * gpus.h - the GPUs of a node, as a list of ids ("0,1,2,3"; CUDA's
 * UUIDs too): where they are found (MPIPOOL_GPUS, the launcher's
 * CUDA_VISIBLE_DEVICES, Slurm's SLURM_STEP_GPUS / SLURM_JOB_GPUS, else
 * hwloc's co-processor OS devices), and a worker's share of them.  The
 * list logic is pure (unit-tested without a GPU).
 */
#ifndef MPIPOOL_GPUS_H
#define MPIPOOL_GPUS_H

#include <stddef.h>

/*
 * Reads a list of GPU ids: ids separated by commas, blanks around them
 * ignored, a range "a-b" of numbers standing for a, a+1, ..., b.  Sets
 * *out to the list written back plainly ("0,1,2,3"; "" for an empty
 * list or CUDA's "NoDevFiles"; malloc'd, the caller's) and *count to its
 * ids.  Returns 0, or MPIPOOL_EINVAL with why (an empty id, a repeated
 * id, a range backwards or too long), or ENOMEM.
 */
int mpipool__gpus_parse(const char *list, char **out, int *count, char *why,
                        size_t whylen);

/* How many ids a plain list has (0 for "" or NULL). */
int mpipool__gpus_count(const char *list);

/* Ids [first, first + n) of a plain list (as mpipool__gpus_parse writes
 * it), malloc'd; NULL when out of range or out of memory. */
char *mpipool__gpus_slice(const char *list, int first, int n);

/*
 * The GPUs of this node, in *out (a plain list, malloc'd; "" for none),
 * and where they were found in *source (a static string: "MPIPOOL_GPUS",
 * "CUDA_VISIBLE_DEVICES", "SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "hwloc" or
 * "none").  The first variable set wins, else hwloc's co-processors
 * (CUDA, then ROCm, NVML, OpenCL devices).  0, or EINVAL with why (a
 * variable that is not a list), or ENOMEM.
 */
int mpipool__gpus_probe(char **out, const char **source, char *why,
                        size_t whylen);

#endif
