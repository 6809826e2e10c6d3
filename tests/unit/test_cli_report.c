/*
 * test_cli_report.c - the page of a run (cli/report.c): one bar per task
 * with its details escaped, the page of an empty joblog, and a page
 * written whole or not at all.
 */
#include "../cli_helpers.h"
#include "../helpers.h"
#include "../tap.h"
#include "cli/alloc.h"
#include "cli/report.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define H                                                                      \
  "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand"  \
  "\n"

/* The page of the joblog text, malloc'd (NULL if it failed). */
static char *page_of(const char *text) {
  FILE *in = test_stream(text, strlen(text));
  cli_runlog_t *log = NULL;
  char err[512], *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  int rc = cli_runlog_read(in, "j<1>.log", &log, NULL, err, sizeof err);
  if (rc == 0)
    rc = cli_report_html(out, log, "j<1>.log", 0);
  fclose(out);
  fclose(in);
  cli_runlog_free(log);
  if (rc != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

/* How many times needle is in s. */
static int count(const char *s, const char *needle) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, needle)) != NULL; p++)
    n++;
  return n;
}

/* Whether path exists. */
static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int main(void) {
  char *p = page_of(H "1\tn1\t10.0\t1.0\t0\t0\t0\t0\techo '<b>' && x=\"1\"\n"
                      "2\tn2\t10.5\t0.5\t0\t0\t3\t0\texit 3\n"
                      "3\tn1\t11.0\t0.1\t0\t0\t-1\t9\tkill -9 $$\n");
  if (ok(p != NULL, "a page is written")) {
    is_int(count(p, "<rect class=\"task "), 3, "one bar per task");
    is_int(count(p, "<rect class=\"task ok\""), 1, "one exited 0");
    is_int(count(p, "<rect class=\"task exit\""), 1, "one exited non-zero");
    is_int(count(p, "<rect class=\"task sig\""), 1, "one killed by a signal");
    has_str(p, "echo &#39;&lt;b&gt;&#39; &amp;&amp; x=&quot;1&quot;",
            "a command's special characters are escaped");
    ok(strstr(p, "'<b>'") == NULL, "and never written raw");
    has_str(p, "<title>mpipool report: j&lt;1&gt;.log</title>",
            "the joblog's name is escaped too");
    has_str(p, "#3 killed by signal 9", "a bar's title: task and outcome");
    has_str(p, "#2 exit 3, 0.500 s", "its exit status and run time");
    has_str(p, "<td id=\"tasks\">3</td>", "the summary counts the tasks");
    has_str(p, "2 (1 with a non-zero exit status, 1 killed by a signal)",
            "and the failed ones");
    has_str(p, "1.45 tasks", "mean concurrency: 1.6 s of tasks in 1.1 s");
    ok(strstr(p, "http://") == NULL ||
           count(p, "http://") == count(p, "xmlns=\"http://www.w3.org/"),
       "nothing is fetched: the only URLs are SVG's namespace");
    ok(strstr(p, "<script") == NULL && strstr(p, "<link") == NULL &&
           strstr(p, "src=") == NULL,
       "no script, link or src");
  }
  free(p);

  p = page_of(H);
  if (ok(p != NULL, "an empty joblog gives a page")) {
    has_str(p, "No tasks", "saying there are no tasks");
    is_int(count(p, "<rect"), 0, "with no bars");
  }
  free(p);

  /* Files: whole or nothing. */
  char dir[] = "/tmp/test_cli_report-XXXXXX", path[256], err[1024];
  if (mkdtemp(dir) == NULL)
    return 2;
  snprintf(path, sizeof path, "%s/r.html", dir);
  const char *text = H "1\th\t1.0\t1.0\t0\t0\t0\t0\ttrue\n";
  FILE *in = test_stream(text, strlen(text));
  ok(cli_report_write(in, "j.log", path, err, sizeof err) == 0 && exists(path),
     "a page is written to a file");
  fclose(in);
  in = test_stream("not\ta joblog\n", 13);
  unlink(path);
  ok(cli_report_write(in, "bad.log", path, err, sizeof err) == -1 &&
         !exists(path),
     "a file that is not a joblog: no page");
  has_str(err, "bad.log:1:", "the message names the file and line");
  fclose(in);
  snprintf(path, sizeof path, "%s/none/r.html", dir);
  in = test_stream(text, strlen(text));
  ok(cli_report_write(in, "j.log", path, err, sizeof err) == -1,
     "a page that cannot be written is said");
  has_str(err, "cannot write", "as such");
  fclose(in);
  /* The report never overwrites its own joblog. */
  snprintf(path, sizeof path, "%s/j.log", dir);
  FILE *j = fopen(path, "w+");
  fputs(text, j);
  rewind(j);
  ok(cli_report_write(j, path, path, err, sizeof err) == -1,
     "the joblog itself as the report: refused");
  has_str(err, "would destroy the joblog", "as such");
  fclose(j);
  unlink(path);
  snprintf(path, sizeof path, "%s/r.html", dir);
  unlink(path);
  rmdir(dir);
  ok(!exists(dir), "no temporary file is left behind");
  return tap_done();
}
