#!/usr/bin/env python3
"""pool_bench.py - mpipool against Python's multiprocessing.Pool.

Runs three workloads with multiprocessing.Pool (fork start method,
processes = 1 and 2) and with bench/bench_pool under mpirun (-n W+1, so W
worker ranks) and as a singleton (its W workers spawned: the README's
main mode), and prints their rates side by side:

  map_chunked     pool.map(double, items)                  (default chunks)
  apply_async     [pool.apply_async(double, (x,)) ...] then .get() each
  map_chunksize1  pool.map(double, items[:min(T, 20000)], chunksize=1)

and mpipool's map_chunk_fn (the map_chunked map with a chunk task,
mpipool_register_chunk: one call per chunk) beside Python's map_chunked.

Then times the first result of a singleton (its workers spawned), with and
without a head start (mpipool_set_head_start: the master runs tasks until
its workers come), and the seed programs, examples/pool_map and examples/apply_async,
run as singletons and under `mpirun -n 5`, beside the Python programs they
translate (wall time of the whole program, interpreter start included).

Usage: pool_bench.py [--builddir DIR] [--small] [--repeat K] [--check]

Each figure is the best of K runs; every run starts a fresh pool (pool
start-up is reported separately).  Targets (reported, never asserted):
apply_async ratio >= 10, map_chunked ratio >= 5.  With --check the exit
status is 1 if an mpipool run failed or printed a wrong result; ratios never
fail the run (the machines are shared and noisy).
"""

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import time

WORKLOADS = ("map_chunked", "apply_async", "map_chunksize1")
# mpipool's own workloads, beside the Python workload they match.
C_ONLY = {"map_chunk_fn": "map_chunked"}
TARGETS = {"apply_async": 10.0, "map_chunked": 5.0}
LINE_RE = re.compile(
    r"^mpipool (\S+) workers=(\d+) n=(\d+) seconds=([0-9.eE+-]+) "
    r"rate=([0-9.eE+-]+)( master_cpu_us_per_task=[0-9.]+)?$")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Python side of the throughput workloads

def double(x):
    return x * 2


def python_run(processes, items, tasks):
    """One fresh Pool, each workload once.  Returns {name: (n, seconds)}."""
    ctx = multiprocessing.get_context("fork")
    n1 = min(tasks, 20000)
    data = list(range(max(items, tasks)))
    out = {}
    t0 = time.perf_counter()
    pool = ctx.Pool(processes=processes)
    out["startup"] = (processes, time.perf_counter() - t0)
    if pool.apply(double, (21,)) != 42:
        raise RuntimeError("python first apply: wrong result")
    out["first_result"] = (1, time.perf_counter() - t0)
    try:
        src = data[:items]
        t0 = time.perf_counter()
        res = pool.map(double, src)
        t1 = time.perf_counter()
        if res != [2 * x for x in src]:
            raise RuntimeError("python map_chunked: wrong result")
        out["map_chunked"] = (items, t1 - t0)

        t0 = time.perf_counter()
        handles = [pool.apply_async(double, (x,)) for x in data[:tasks]]
        res = [h.get() for h in handles]
        del handles
        t1 = time.perf_counter()
        if res != [2 * x for x in data[:tasks]]:
            raise RuntimeError("python apply_async: wrong result")
        out["apply_async"] = (tasks, t1 - t0)

        src = data[:n1]
        t0 = time.perf_counter()
        res = pool.map(double, src, chunksize=1)
        t1 = time.perf_counter()
        if res != [2 * x for x in src]:
            raise RuntimeError("python map_chunksize1: wrong result")
        out["map_chunksize1"] = (n1, t1 - t0)
    finally:
        pool.close()
        pool.join()
    return out


# --------------------------------------------------------------------------
# mpipool side

def mpi_env():
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    # -n W+1 exceeds the cores of a small machine.
    env.setdefault("OMPI_MCA_rmaps_base_oversubscribe", "1")
    return env


def c_run(builddir, workers, items, tasks, timeout, singleton=False):
    """One bench_pool run, under mpirun or as a singleton (its workers
    spawned, each workload once they all serve).  Returns
    ({name: (n, seconds)}, problems)."""
    exe = os.path.join(builddir, "bench", "bench_pool")
    cmd = [exe, "--workers", str(workers), "--items", str(items), "--tasks",
           str(tasks)]
    how = "singleton bench_pool"
    if singleton:
        cmd += ["--settle", "1"]
    else:
        cmd = ["mpirun", "-n", str(workers + 1)] + cmd
        how = "mpirun -n %d bench_pool" % (workers + 1)
    problems = []
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=mpi_env(), timeout=timeout,
                           universal_newlines=True)
    except subprocess.TimeoutExpired:
        return {}, ["%s: timed out after %ss" % (" ".join(cmd), timeout)]
    except OSError as e:
        return {}, ["%s: %s" % (" ".join(cmd), e)]
    out = {}
    for line in p.stdout.splitlines():
        m = LINE_RE.match(line.strip())
        if m:
            name, w, n, s = m.group(1), int(m.group(2)), int(m.group(3)), \
                float(m.group(4))
            if w != workers:
                problems.append("%s: workers=%d, expected %d" %
                                (name, w, workers))
            out[name] = (n, s)
    expect = {"startup": workers, "map_chunked": items, "apply_async": tasks,
              "map_chunksize1": min(tasks, 20000), "map_chunk_fn": items}
    for name, n in expect.items():
        if name not in out:
            problems.append("no %s line" % name)
        elif out[name][0] != n:
            problems.append("%s: n=%d, expected %d" % (name, out[name][0], n))
    if p.returncode != 0:
        problems.append("exit status %d" % p.returncode)
    if problems:
        problems = ["%s --workers %d: %s" %
                    (how, workers, "; ".join(problems))]
        if p.stderr.strip():
            problems.append("  stderr: " + p.stderr.strip()[-2000:])
    return out, problems


def first_result(builddir, workers, head):
    """A singleton bench_pool's first_result seconds, or None (problem)."""
    exe = os.path.join(builddir, "bench", "bench_pool")
    cmd = [exe, "--workers", str(workers), "--tasks", "100", "--only",
           "apply_async", "--head-start", str(head)]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=mpi_env(), timeout=120,
                           universal_newlines=True)
    except (subprocess.TimeoutExpired, OSError) as e:
        return None, "%s: %s" % (" ".join(cmd), e)
    for line in p.stdout.splitlines():
        m = LINE_RE.match(line.strip())
        if m and m.group(1) == "first_result" and p.returncode == 0:
            return float(m.group(4)), None
    return None, "%s: exit status %d, no first_result line: %s" % (
        " ".join(cmd), p.returncode, p.stderr.strip()[-500:])


def per(a, b):
    """The rate of a over the rate of b ((n, seconds) each), or None."""
    if a and b and a[1] > 0 and b[1] > 0 and b[0] > 0:
        return (a[0] / a[1]) / (b[0] / b[1])
    return None


def best(runs, name):
    """Best (lowest) seconds of `name` over runs, with its n; or None."""
    vals = [r[name] for r in runs if name in r]
    if not vals:
        return None
    return min(vals, key=lambda v: v[1])


def fmt_rate(v):
    if v is None:
        return "FAILED"
    n, s = v
    return "%.0f" % (n / s) if s > 0 else "inf"


# --------------------------------------------------------------------------
# Seed programs

PY_POOL_MAP = r'''
import multiprocessing
from multiprocessing import Pool, cpu_count, current_process
def do_calculation(data):
    return data * 2
def start_process():
    print('Starting', current_process().name, flush=True)
if __name__ == '__main__':
    multiprocessing.set_start_method('fork')
    inputs = list(range(10))
    print('Inputs  :', inputs)
    builtin_outputs = list(map(do_calculation, inputs))
    print('Build-In :', builtin_outputs, flush=True)
    pool = Pool(processes=cpu_count() * 2, initializer=start_process)
    pool_outputs = pool.map(do_calculation, inputs)
    pool.close()
    pool.join()
    print('Pool  :', pool_outputs)
'''

PY_APPLY_ASYNC = r'''
import multiprocessing, time
from multiprocessing import Pool
def func(msg):
    for i in range(3):
        print(msg, flush=True)
        time.sleep(1)
    return "done " + msg
if __name__ == '__main__':
    multiprocessing.set_start_method('fork')
    pool = Pool(processes=4)
    result = []
    for i in range(10):
        msg = "hello %d" % i
        result.append(pool.apply_async(func, (msg,)))
    pool.close()
    pool.join()
    for res in result:
        print(":::", res.get())
    print("Sub-process(es) done.")
'''


def check_pool_map(out):
    want = "[" + ", ".join(str(2 * i) for i in range(10)) + "]"
    lines = [l for l in out.splitlines() if l.startswith("Pool")]
    if len(lines) != 1 or not lines[0].rstrip().endswith(want):
        return "no 'Pool  : %s' line" % want
    return None


def check_apply_async(out):
    got = [l.strip() for l in out.splitlines() if l.startswith(":::")]
    want = ["::: done hello %d" % i for i in range(10)]
    if got != want:
        return "':::' lines %r, expected %r" % (got, want)
    for i in range(10):
        # Count occurrences, not lines: Python's print writes the text and
        # the newline separately, so lines of concurrent workers can merge
        # ("hello 6hello 2").
        c = len(re.findall(r"hello %d(?!\d)" % i, out)) - 1  # one in ':::'
        if c != 3:
            return "'hello %d' printed %d times, expected 3" % (i, c)
    if "Sub-process(es) done." not in out:
        return "no 'Sub-process(es) done.' line"
    return None


def time_program(cmd, env, timeout, check):
    """Wall seconds of one run, or (None, problem)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           env=env, timeout=timeout, universal_newlines=True)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ss" % timeout
    except OSError as e:
        return None, str(e)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return None, "exit status %d: %s" % (p.returncode,
                                             p.stderr.strip()[-1000:])
    bad = check(p.stdout)
    if bad:
        return None, bad
    return wall, None


def seed_programs(builddir, repeat, small):
    """Returns (rows, problems); a row is (program, how, python s, C s)."""
    env = mpi_env()
    py = sys.executable or "python3"
    progs = [("pool_map", PY_POOL_MAP, check_pool_map, 120)]
    if not small:
        progs.append(("apply_async", PY_APPLY_ASYNC, check_apply_async, 180))
    rows, problems = [], []
    for name, pysrc, check, timeout in progs:
        exe = os.path.join(builddir, "examples", name)
        pyt = []
        for _ in range(repeat):
            w, bad = time_program([py, "-c", pysrc], env, timeout, check)
            if bad:
                log("python %s: %s" % (name, bad))
            else:
                pyt.append(w)
        for how, cmd in (("singleton", [exe]),
                         ("mpirun -n 5", ["mpirun", "-n", "5", exe])):
            ct = []
            for _ in range(repeat):
                log("  %s (%s)" % (name, how))
                w, bad = time_program(cmd, env, timeout, check)
                if bad:
                    problems.append("%s (%s): %s" % (name, how, bad))
                else:
                    ct.append(w)
            rows.append((name, how, min(pyt) if pyt else None,
                         min(ct) if ct else None))
    return rows, problems


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builddir", default=".",
                    help="the configured build tree (default: .)")
    ap.add_argument("--small", action="store_true",
                    help="CI size: items 100000, tasks 2000, no 9-second "
                    "apply_async seed programs")
    ap.add_argument("--repeat", type=int, default=None,
                    help="best of K runs (default 3, 1 with --small)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if an mpipool run failed or printed a "
                    "wrong result")
    args = ap.parse_args()
    builddir = os.path.abspath(args.builddir)
    items, tasks = (100000, 2000) if args.small else (1000000, 20000)
    repeat = args.repeat if args.repeat else (1 if args.small else 3)
    if repeat < 1:
        ap.error("--repeat must be at least 1")
    exe = os.path.join(builddir, "bench", "bench_pool")
    if not os.access(exe, os.X_OK):
        ap.error("%s not found: is --builddir a built tree?" % exe)

    problems = []
    results = {}  # workers -> (python runs, C runs, singleton runs)
    for workers in (1, 2):
        pyruns, cruns, sruns = [], [], []
        for k in range(repeat):
            log("workers=%d run %d/%d: python" % (workers, k + 1, repeat))
            pyruns.append(python_run(workers, items, tasks))
            for single, runs in ((False, cruns), (True, sruns)):
                log("workers=%d run %d/%d: mpipool%s" % (
                    workers, k + 1, repeat, " singleton" if single else ""))
                out, bad = c_run(builddir, workers, items, tasks,
                                 timeout=600, singleton=single)
                problems.extend(bad)
                if not bad:
                    runs.append(out)
        results[workers] = (pyruns, cruns, sruns)
    firsts = {}  # (workers, head) -> best seconds
    for workers in (1, 2):
        for k in range(repeat):
            for head in (0, 1):
                log("workers=%d run %d/%d: singleton first result, head "
                    "start %d" % (workers, k + 1, repeat, head))
                t, bad = first_result(builddir, workers, head)
                if bad:
                    problems.append(bad)
                elif (workers, head) not in firsts or \
                        t < firsts[(workers, head)]:
                    firsts[(workers, head)] = t
    log("seed programs")
    seeds, bad = seed_programs(builddir, repeat, args.small)
    problems.extend(bad)

    print("mpipool vs multiprocessing.Pool: items=%d tasks=%d "
          "map_chunksize1 n=%d, best of %d, %d CPUs" %
          (items, tasks, min(tasks, 20000), repeat, os.cpu_count() or 0))
    print()
    print("(mpipool/s under mpirun -n W+1; singleton/s: the same run as a "
          "singleton, its W workers spawned; s/m: singleton over mpirun)")
    hdr = "%-15s %7s %14s %14s %8s %14s %6s" % (
        "workload", "workers", "python/s", "mpipool/s", "ratio",
        "singleton/s", "s/m")
    print(hdr)
    print("-" * len(hdr))
    ratios = {}
    for name in WORKLOADS + tuple(C_ONLY):
        for workers in (1, 2):
            pyruns, cruns, sruns = results[workers]
            p, c = best(pyruns, C_ONLY.get(name, name)), best(cruns, name)
            s = best(sruns, name)
            ratio = per(c, p)
            ratios[(name, workers)] = ratio
            sm = per(s, c)
            print("%-15s %7d %14s %14s %8s %14s %6s" % (
                name, workers, fmt_rate(p), fmt_rate(c),
                "%.2f" % ratio if ratio is not None else "-", fmt_rate(s),
                "%.2f" % sm if sm is not None else "-"))
    print()
    for what, label in (("startup", "pool start-up"),
                        ("first_result", "first result")):
        print("%-15s %7s %14s %14s" % (label, "workers", "python s",
                                       "mpipool s"))
        for workers in (1, 2):
            pyruns, cruns = results[workers][:2]
            p, c = best(pyruns, what), best(cruns, what)
            print("%-15s %7d %14s %14s" % (
                "", workers, "%.4f" % p[1] if p else "FAILED",
                "%.4f" % c[1] if c else "FAILED"))
    print()
    print("first result of a singleton (workers spawned), from before "
          "mpipool_start")
    print("%-15s %7s %14s %14s %14s" % ("", "workers", "python s",
                                        "head start off", "on"))
    for workers in (1, 2):
        p = best(results[workers][0], "first_result")
        print("%-15s %7d %14s %14s %14s" % (
            "", workers, "%.4f" % p[1] if p else "FAILED",
            *["%.4f" % firsts[(workers, h)] if (workers, h) in firsts
              else "FAILED" for h in (0, 1)]))
    print()
    print("targets (reported, not asserted):")
    for name, target in TARGETS.items():
        for workers in (1, 2):
            r = ratios.get((name, workers))
            state = "n/a" if r is None else ("met" if r >= target
                                             else "NOT met")
            print("  %s ratio >= %g, workers=%d: %s (%s)" % (
                name, target, workers,
                "%.2f" % r if r is not None else "-", state))
    print()
    hdr = "%-12s %-12s %12s %12s %8s" % ("program", "run as", "python s",
                                         "mpipool s", "py/mpi")
    print("seed programs, wall time of the whole program (best of %d)" %
          repeat)
    print(hdr)
    print("-" * len(hdr))
    for name, how, p, c in seeds:
        print("%-12s %-12s %12s %12s %8s" % (
            name, how, "%.3f" % p if p is not None else "FAILED",
            "%.3f" % c if c is not None else "FAILED",
            "%.2f" % (p / c) if p is not None and c else "-"))
    if args.small:
        print("(apply_async seed programs skipped with --small)")
    sys.stdout.flush()

    if problems:
        log("mpipool problems:")
        for p in problems:
            log("  " + p)
        if args.check:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
