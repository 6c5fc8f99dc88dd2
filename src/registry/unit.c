#include "registry/unit.h"

#include <string.h>

const struct fz_unit_kind fz_unit_kinds[] = {
	{ "committee", "政法委", "city" },
	{ "psb", "公安局", "district" },
	{ "procuratorate", "人民检察院", "district" },
	{ "court", "人民法院", "district" },
	{ "justice_bureau", "司法局", "district" },
	{ "transport_bureau", "交通运输局", "district" },
	{ "dispute_centre", "社会矛盾纠纷调处化解中心", "district" },
	{ "market_regulation", "市场监督管理局", "district" },
	{ "law_enforcement", "综合行政执法局", "district" },
	{ "civil_affairs", "民政局", "district" },
	{ "education", "教育局", "district" },
	{ "traffic_police", "交警大队", "district" },
	{ "fire_rescue", "消防救援大队", "district" },
	{ "justice_office", "司法所", "township" },
	{ "police_station", "派出所", "township" },
	{ "governance_centre", "综合治理中心", "township" },
	{ "property_control", "物业监控室", "village" },
	{ "other", "其他单位", "" },
	{ NULL, NULL, NULL },
};

const char *fz_unit_kind_name(const char *kind)
{
	for (const struct fz_unit_kind *k = fz_unit_kinds; k->kind; k++)
		if (strcmp(k->kind, kind) == 0)
			return k->name;
	return NULL;
}
