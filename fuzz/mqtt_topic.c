/*
 * Fuzz driver: the MQTT topic parser (<prefix>/<source>/<type>). Any bytes
 * must be accepted with a source and a type of allowed characters that
 * rebuild the topic exactly, or refused with a message; never a crash.
 */
#include "core/err.h"
#include "mqtt/mqtt.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char source[FZ_MQTT_MAX_NAME], type[FZ_MQTT_MAX_NAME], again[3 * FZ_MQTT_MAX_NAME];
	struct fz_err err;

	fz_err_init(&err);
	if (fz_mqtt_topic_parse("fazhi", (const char *)data, size, source, type, &err)) {
		if (!err.msg[0])
			abort();
		return 0;
	}
	snprintf(again, sizeof(again), "fazhi/%s/%s", source, type);
	if (strlen(again) != size || memcmp(again, data, size) != 0 || strpbrk(source, "/+# ") ||
	    strpbrk(type, "/+# "))
		abort();
	return 0;
}
