/*
 * jobs_int.h - shared between the files of src/jobs only: the protocol
 * between the supervisor and its workers.
 *
 * A worker is started with:
 *   fd 0  a pipe carrying one struct job_handover (the configuration, in
 *         binary: the worker is the same build, see job_sup_opts)
 *   fd 1  /dev/null
 *   fd 2  the worker log (or /dev/null): libraries that print never reach
 *         the terminal
 *   fd 3  the report pipe to the supervisor (write end)
 * and reports one line per event on fd 3, each written with one write()
 * of at most PIPE_BUF bytes so lines never interleave:
 *   "C <job id> <attempts> <escaped path>"   claimed a job (recorded in the
 *                                            catalog before this line)
 *   "D <job id> <audio s> <partial 0/1>"     analysed and stored
 *   "M <job id>"                             recognised as moved, relinked
 *   "F <job id> <reason>"                    analysis failed, recorded
 *   "S <signal> <plugin or ->"               crashing (from the signal handler)
 *   "T <plugin or ->"                        past its deadline (from SIGALRM)
 *   "E <message>"                            cannot work at all (catalog...)
 * A signal handler's line starts with '\n' so that it ends a line torn by
 * the interrupted write.
 */
#ifndef GRYM_JOBS_INT_H
#define GRYM_JOBS_INT_H

#include <stdint.h>

#include "grym/config.h"

#define JOB_PATH_MAX 4096          /* bytes of a relpath, NUL included (struct cat_job) */
#define JOB_REPORT_FD 3
#define JOB_HANDOVER_MAGIC 0x67726a31u   /* "grj1" */
#define JOB_EXIT_TIMEOUT 86        /* worker exit status after its own deadline */
#define JOB_EXIT_SETUP 87          /* worker exit status when it cannot start */
#define JOB_EXIT_FULL 88           /* worker exit status: a catalog write found the disk full */
#define JOB_DEAD_ATTEMPTS 10       /* claims by dead workers before a file is failed */
#define JOB_STOP_GRACE 3.0         /* s a worker may finish its file after a stop */
#define JOB_KILL_GRACE 2.0         /* s past the deadline before SIGKILL */

struct job_handover {
	uint32_t magic;                /* JOB_HANDOVER_MAGIC */
	uint32_t size;                 /* sizeof(struct job_handover) */
	int ppid;                      /* the supervisor: exit when it is gone */
	int pad;
	struct gr_config cfg;
};

/* Write the whole buffer to fd (retrying on EINTR); async-signal-safe. */
int job_write_all(int fd, const void *buf, size_t n);

#endif
