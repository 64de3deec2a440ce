/*
 * registry.c - the core plugins, in a valid dependency order (the engine
 * sorts by needs anyway).  Each plugin lives in plugins/<name>.c and ends
 * in one const struct an_plugin an_plugin_<name>.
 */
#include "analysis_int.h"

extern const struct an_plugin an_plugin_features;
extern const struct an_plugin an_plugin_timeline;
extern const struct an_plugin an_plugin_classify;
extern const struct an_plugin an_plugin_tempo;
extern const struct an_plugin an_plugin_key;
extern const struct an_plugin an_plugin_simvec;
extern const struct an_plugin an_plugin_patterns;

const struct an_plugin *const an_core_plugins[] = {
	&an_plugin_features,
	&an_plugin_timeline,
	&an_plugin_classify,
	&an_plugin_tempo,
	&an_plugin_key,
	&an_plugin_simvec,
	&an_plugin_patterns,
	NULL,
};

size_t an_core_plugin_count(void)
{
	return GR_ARRAY_LEN(an_core_plugins) - 1;
}
