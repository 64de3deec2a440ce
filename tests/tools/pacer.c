/*
 * pacer.c - a sound card's clock for tests: `pacer OUT BYTES_PER_S [STATS]`
 * reads stdin (the pipe the ALSA `file` plugin writes into, see
 * tests/integration/play.sh) no faster than BYTES_PER_S and copies it to
 * OUT.  The pipe is shrunk to one page, so the writer (PortAudio's ALSA
 * thread) blocks as it would on a real device.  The ALSA `null` device
 * alone has no clock: it takes samples as fast as they come.
 *
 * A read that returns more than 20 ms after the moment the "device"
 * needed the data counts as late (the player starved the device).  At
 * EOF, "bytes N late L max_late_ms M" is written to STATS (if given).
 * It asks for SCHED_FIFO (as a sound card's clock would not be late
 * because of load; ignored without the rights).
 * Its process id is written to OUT.pid (tests kill it to make the
 * "device" vanish mid-play).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_until(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	double bps, t0 = 0, late_max = 0;
	long long total = 0, late = 0;
	size_t chunk;
	FILE *st;
	int out, small, tries = 0;

	if (argc < 3 || (bps = atof(argv[2])) <= 0) {
		fprintf(stderr, "usage: pacer OUT BYTES_PER_S [STATS]\n");
		return 2;
	}
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		perror(argv[1]);
		return 1;
	}
	snprintf(buf, sizeof(buf), "%s.pid", argv[1]);
	if ((st = fopen(buf, "w")) != NULL) {
		fprintf(st, "%ld\n", (long)getpid());
		fclose(st);
	}
	/* Fails (EBUSY) while the pipe holds more than a page: retried below. */
	small = fcntl(0, F_SETPIPE_SZ, 4096) >= 0;
	{
		struct sched_param sp = { .sched_priority = 2 };
		sigset_t none;
		sched_setscheduler(0, SCHED_FIFO, &sp);
		/* started from grym's audio thread, which blocks SIGTERM & co */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	/* 5 ms per read, whole 8-byte frames. */
	chunk = (size_t)(bps / 200) / 8 * 8;
	if (chunk < 64)
		chunk = 64;
	if (chunk > sizeof(buf))
		chunk = sizeof(buf);
	for (;;) {
		double due = t0 + total / bps, t;
		ssize_t n;

		if (t0 > 0)
			sleep_until(due);
		n = read(0, buf, chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		t = now();
		if (t0 == 0) {
			t0 = t;
		} else if (t - due > 0.020) {
			late++;
			if (t - due > late_max)
				late_max = t - due;
			/* A real device would have played silence: the clock goes on. */
		}
		if (!small && tries++ < 1000)
			small = fcntl(0, F_SETPIPE_SZ, 4096) >= 0;
		if (write(out, buf, (size_t)n) != n) {
			perror("pacer: write");
			return 1;
		}
		total += n;
	}
	close(out);
	if (argc > 3 && (st = fopen(argv[3], "w")) != NULL) {
		fprintf(st, "bytes %lld late %lld max_late_ms %.1f\n", total, late, late_max * 1e3);
		fclose(st);
	}
	return 0;
}
