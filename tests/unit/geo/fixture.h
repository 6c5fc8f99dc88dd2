/* fixture: GeoJSON helpers shared by the geo unit tests. */
#ifndef FZ_TEST_GEO_FIXTURE_H
#define FZ_TEST_GEO_FIXTURE_H

#include "support.h"

#include "core/err.h"
#include "geo/polygon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A FeatureCollection of the features given as strings of GeoJSON. Static buffer. */
static inline const char *collection(const char *const *features, size_t n)
{
	static char text[1 << 16];
	size_t at = (size_t)snprintf(text, sizeof(text),
				     "{\"type\":\"FeatureCollection\",\"features\":[");

	for (size_t i = 0; i < n; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "%s%s", i ? "," : "",
				       features[i]);
	snprintf(text + at, sizeof(text) - at, "]}");
	return text;
}

/* Parses text, failing the test with the error when it is refused. */
static inline struct fz_polygon_set *parse_ok(const char *text, unsigned flags)
{
	struct fz_polygon_set *s = NULL;
	struct fz_err err;

	fz_err_init(&err);
	if (fz_polygon_set_parse(text, strlen(text), NULL, flags, &s, &err))
		fail_msg("refused: %s (%s)", err.msg, err.field);
	return s;
}

/* The whole file at path, its length in *len; caller frees. */
static inline char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		fail_msg("cannot read %s", path);
	fclose(f);
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

/* The real district boundaries of Jinhua (build/share, from the npm package). */
static inline char *jinhua_boundaries(size_t *len)
{
	const char *share = getenv("FAZHI_SHARE");
	char path[1024];

	snprintf(path, sizeof(path), "%s/boundaries-330700.geojson", share ? share : "build/share");
	return slurp(path, len);
}

#endif
