/*
 * test_jobs.c - the scan walker, the scan plan and the worker supervisor.
 *
 * Walker: a generated tree with nested folders, a symlink loop, a FIFO
 * named x.wav, a directory named y.flac, an unreadable file and directory,
 * and names with a newline, an escape sequence and invalid UTF-8; the
 * exact list of reported entries and counts is compared.  When run as
 * root the walk runs in a child that drops to uid 65534, so "unreadable"
 * means something.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "grym/jobs.h"
#include "grym/util.h"

static char *tmpdir_new(void)
{
	char t[] = "/tmp/grym-jobs.XXXXXX";
	char *d = mkdtemp(t);
	assert_non_null(d);
	assert_int_equal(chmod(d, 0755), 0);
	return xstrdup(d);
}

static void rm_tree(const char *dir)
{
	char *cmd = xasprintf("chmod -R u+rwx '%s' 2>/dev/null; rm -rf '%s'", dir, dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", dir);
	free(cmd);
}

static void put(const char *dir, const char *rel, const char *bytes)
{
	char *p = xasprintf("%s/%s", dir, rel);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	close(fd);
	free(p);
}

static void mkd(const char *dir, const char *rel, mode_t mode)
{
	char *p = xasprintf("%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(chmod(p, mode), 0);
	free(p);
}

static int collect(void *arg, const struct job_walk_ent *e)
{
	struct str *b = arg;
	char *esc = str_escape_term(e->relpath);

	str_addf(b, "%d %s%s\n", e->skip, esc, e->skip == JOB_SKIP_NONE && e->size != 5 ?
	         " (size?)" : "");
	free(esc);
	return 0;
}

/* Walk dir, as uid 65534 when root; returns the report text (free it). */
static char *walk_report(const char *dir)
{
	int pfd[2];
	pid_t pid;
	struct str out;
	char buf[4096];
	ssize_t r;
	int status;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct job_walk_stats st;
		struct gr_err err = { 0 };
		struct str b;
		close(pfd[0]);
		if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		                       setuid(65534) != 0))
			_exit(3);
		str_init(&b);
		str_add(&b, "");
		if (job_walk(dir, collect, &b, &st, &err) != 0)
			str_addf(&b, "error %s\n", err.msg);
		str_addf(&b, "dirs %ld audio %ld ignored %ld hidden %ld\n", st.dirs, st.audio,
		         st.ignored, st.hidden);
		for (int i = 1; i < JOB_SKIP_COUNT; i++)
			str_addf(&b, "skip %s: %ld\n", job_skip_reason(i), st.skipped[i]);
		if (write(pfd[1], b.s, b.len) != (ssize_t)b.len)
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	str_init(&out);
	str_add(&out, "");
	while ((r = read(pfd[0], buf, sizeof(buf))) > 0)
		str_addn(&out, buf, (size_t)r);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return str_take(&out);
}

static void test_audio_names(void **state)
{
	assert_true(job_is_audio_name("a.wav"));
	assert_true(job_is_audio_name("A.WAVE"));
	assert_true(job_is_audio_name("x.y.FlAc"));
	assert_true(job_is_audio_name("t.rf64"));
	assert_true(job_is_audio_name("t.opus"));
	assert_true(job_is_audio_name("t.m4a"));
	assert_false(job_is_audio_name(".wav"));
	assert_false(job_is_audio_name("wav"));
	assert_false(job_is_audio_name("a.wav.txt"));
	assert_false(job_is_audio_name("a."));
	assert_false(job_is_audio_name("a.mid"));
}

static void test_walk_tree(void **state)
{
	char *d = tmpdir_new();
	char *p, *rep;

	put(d, "a.wav", "12345");
	put(d, "B.FLAC", "12345");
	put(d, "notes.txt", "hello");
	put(d, ".hidden.wav", "12345");
	mkd(d, ".git", 0755);
	put(d, ".git/x.wav", "12345");
	mkd(d, "sub", 0755);
	mkd(d, "sub/deep", 0755);
	put(d, "sub/deep/c.mp3", "12345");
	p = xasprintf("%s/sub/loop", d);
	assert_int_equal(symlink("..", p), 0);                 /* a loop if followed */
	free(p);
	p = xasprintf("%s/sub/deep/self.wav", d);
	assert_int_equal(symlink("self.wav", p), 0);           /* points at itself */
	free(p);
	p = xasprintf("%s/link.wav", d);
	assert_int_equal(symlink("a.wav", p), 0);
	free(p);
	p = xasprintf("%s/readme", d);
	assert_int_equal(symlink("notes.txt", p), 0);          /* not audio: ignored */
	free(p);
	p = xasprintf("%s/x.wav", d);
	assert_int_equal(mkfifo(p, 0644), 0);
	free(p);
	p = xasprintf("%s/fifo", d);
	assert_int_equal(mkfifo(p, 0644), 0);                  /* not audio: ignored */
	free(p);
	mkd(d, "y.flac", 0755);
	put(d, "y.flac/z.ogg", "12345");
	put(d, "locked.wav", "12345");
	p = xasprintf("%s/locked.wav", d);
	assert_int_equal(chmod(p, 0), 0);
	free(p);
	mkd(d, "closed", 0755);
	put(d, "closed/inside.wav", "12345");
	p = xasprintf("%s/closed", d);
	assert_int_equal(chmod(p, 0), 0);
	free(p);
	put(d, "new\nline.wav", "12345");
	put(d, "esc\x1b[31mred.wav", "12345");
	put(d, "bad\xff.aiff", "12345");

	rep = walk_report(d);
	assert_string_equal(rep,
		"0 B.FLAC\n"
		"0 a.wav\n"
		"0 bad\\xff.aiff\n"
		"4 closed\n"
		"0 esc\\x1b[31mred.wav\n"
		"1 link.wav\n"
		"3 locked.wav\n"
		"0 new\\nline.wav\n"
		"0 sub/deep/c.mp3\n"
		"1 sub/deep/self.wav\n"
		"1 sub/loop\n"
		"2 x.wav\n"
		"0 y.flac/z.ogg\n"
		"dirs 4 audio 7 ignored 3 hidden 2\n"
		"skip symbolic link (not followed): 3\n"
		"skip not a regular file (FIFO, socket or device): 1\n"
		"skip file not readable: 1\n"
		"skip directory not readable: 1\n"
		"skip directory loop: 0\n"
		"skip path too deep or too long: 0\n"
		"skip vanished or could not be examined: 0\n");
	free(rep);
	rm_tree(d);
	free(d);
}

static void test_walk_missing_dir(void **state)
{
	struct gr_err err = { 0 };
	struct str b;

	str_init(&b);
	assert_int_equal(job_walk("/nonexistent/grym-dir", collect, &b, NULL, &err), -GR_EIO);
	assert_non_null(strstr(err.msg, "/nonexistent/grym-dir"));
	str_fini(&b);
}

static int stop_at_two(void *arg, const struct job_walk_ent *e)
{
	int *n = arg;
	return ++*n == 2 ? 42 : 0;
}

static void test_walk_stop(void **state)
{
	char *d = tmpdir_new();
	int n = 0;

	put(d, "1.wav", "12345");
	put(d, "2.wav", "12345");
	put(d, "3.wav", "12345");
	assert_int_equal(job_walk(d, stop_at_two, &n, NULL, NULL), 42);
	assert_int_equal(n, 2);
	rm_tree(d);
	free(d);
}

static void test_walk_deep(void **state)
{
	char *d = tmpdir_new();
	struct str rel;
	struct job_walk_stats st;
	int n = 0;

	/* JOB_WALK_MAX_DEPTH + 2 levels: the last ones are reported, not read */
	str_init(&rel);
	str_add(&rel, "");
	for (int i = 0; i < JOB_WALK_MAX_DEPTH + 2; i++) {
		str_add(&rel, i ? "/d" : "d");
		mkd(d, rel.s, 0755);
	}
	str_add(&rel, "/f.wav");
	put(d, rel.s, "12345");
	assert_int_equal(job_walk(d, stop_at_two, &n, &st, NULL), 0);
	assert_int_equal(st.skipped[JOB_SKIP_TOO_DEEP], 1);
	assert_int_equal(st.audio, 0);
	assert_int_equal(st.dirs, JOB_WALK_MAX_DEPTH);
	str_fini(&rel);
	rm_tree(d);
	free(d);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_audio_names),
		cmocka_unit_test(test_walk_tree),
		cmocka_unit_test(test_walk_missing_dir),
		cmocka_unit_test(test_walk_stop),
		cmocka_unit_test(test_walk_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
