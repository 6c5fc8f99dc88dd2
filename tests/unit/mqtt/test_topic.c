/* Unit tests of mqtt's topic parser: <prefix>/<source>/<type>, and the hub
 * ids and Last-Event-ID parsing of http/sse. */
#include "support.h"

#include "core/err.h"
#include "http/sse.h"
#include "mqtt/mqtt.h"

#include <string.h>

static int parse(const char *topic, char *source, char *type, struct fz_err *err)
{
	fz_err_init(err);
	return fz_mqtt_topic_parse("fazhi", topic, strlen(topic), source, type, err);
}

static void splits_source_and_type(void **state)
{
	char source[FZ_MQTT_MAX_NAME], type[FZ_MQTT_MAX_NAME];
	struct fz_err err;

	(void)state;
	assert_int_equal(parse("fazhi/ai-camera/community.camera_event", source, type, &err), 0);
	assert_string_equal(source, "ai-camera");
	assert_string_equal(type, "community.camera_event");
	assert_int_equal(parse("fazhi/jt_wim.1/overload.weighing", source, type, &err), 0);
	assert_string_equal(source, "jt_wim.1");
}

static void refuses_malformed_topics(void **state)
{
	static const struct {
		const char *topic, *says;
	} bad[] = {
		{ "other/ai-camera/community.camera_event", "应为 fazhi/<来源>/<记录类型>" },
		{ "fazhix/ai-camera/community.camera_event", "应为 fazhi/" },
		{ "fazhi", "应为 fazhi/" },
		{ "fazhi/", "缺少 来源" },
		{ "fazhi//community.camera_event", "缺少 来源" },
		{ "fazhi/ai-camera", "缺少记录类型" },
		{ "fazhi/ai-camera/", "缺少 记录类型" },
		{ "fazhi/ai-camera/a/b", "层级过多" },
		{ "fazhi/ai camera/x", "来源 含有非法字符" },
		{ "fazhi/ai-camera/x#", "记录类型 含有非法字符" },
		{ "fazhi/摄像头/x", "非法字符" },
		{ "fazhi/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x",
		  "过长" },
	};
	char source[FZ_MQTT_MAX_NAME], type[FZ_MQTT_MAX_NAME];
	struct fz_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].topic, source, type, &err), FZ_EINVAL);
		assert_string_equal(err.field, "topic");
		if (!strstr(err.msg, bad[i].says))
			fail_msg("%s: message \"%s\" lacks \"%s\"", bad[i].topic, err.msg,
				 bad[i].says);
	}
}

static void hub_ids_and_last_event_id(void **state)
{
	struct fz_sse_config cfg = { 16, 4096, 0 };
	struct fz_sse_hub *hub = fz_sse_hub_new(&cfg);
	struct fz_sse_stats st;

	(void)state;
	assert_non_null(hub);
	assert_int_equal(fz_sse_publish(hub, 7, "dispatch.new", "{\"a\":1}"), 1);
	assert_int_equal(fz_sse_publish(hub, 8, "dispatch.new", "line1\nline2"), 2);
	for (int i = 0; i < 40; i++) /* past the ring: the oldest are dropped */
		fz_sse_publish(hub, 7, "x", "{}");
	fz_sse_stats(hub, &st);
	assert_int_equal(st.published, 42);
	assert_int_equal(st.subscribers, 0);
	fz_sse_hub_free(hub);
	assert_int_equal(fz_sse_parse_last_id("123"), 123);
	assert_int_equal(fz_sse_parse_last_id(NULL), 0);
	assert_int_equal(fz_sse_parse_last_id(""), 0);
	assert_int_equal(fz_sse_parse_last_id("12a"), 0);
	assert_int_equal(fz_sse_parse_last_id("-1"), 0);
	assert_int_equal(fz_sse_parse_last_id("99999999999999999999"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(splits_source_and_type),
		cmocka_unit_test(refuses_malformed_topics),
		cmocka_unit_test(hub_ids_and_last_event_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
