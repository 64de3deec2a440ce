/*
 * path.c - XDG directories and small path helpers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "grym/util.h"

static char *xdg_dir(const char *env, const char *fallback)
{
	const char *v = getenv(env);
	const char *home;

	if (v != NULL && v[0] == '/')
		return xasprintf("%s/grym", v);
	home = getenv("HOME");
	if (home == NULL || home[0] == '\0')
		home = "/tmp";
	return xasprintf("%s/%s/grym", home, fallback);
}

char *path_config_dir(void)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config");
}

char *path_data_dir(void)
{
	return xdg_dir("XDG_DATA_HOME", ".local/share");
}

int path_mkdirs(const char *dir, struct gr_err *err)
{
	char *d = xstrdup(dir);
	char *p;
	int rc = 0;

	for (p = d + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(d, 0755) != 0 && errno != EEXIST) {
				rc = gr_fail(err, GR_EIO, "%s: cannot create folder: %s", d,
				             strerror(errno));
				break;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(d);
	return rc;
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

char *path_expand(const char *path)
{
	const char *home = getenv("HOME");
	if (path[0] == '~' && path[1] == '/' && home != NULL)
		return xasprintf("%s%s", home, path + 1);
	return xstrdup(path);
}
