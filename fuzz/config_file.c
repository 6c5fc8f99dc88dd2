/*
 * Fuzz driver: the configuration file parser. Any bytes must give either a
 * configuration or an error naming the line, never a crash or a leak.
 */
#include "core/config.h"
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_config cfg;
	struct fz_err err;

	fz_config_init(&cfg);
	fz_err_init(&err);
	(void)fz_config_parse(&cfg, (const char *)data, size, "fuzz", &err);
	fz_config_release(&cfg);
	return 0;
}
