"""The default key-group tags and key-site categories a new district starts with (a data
migration loads them; administrators edit them afterwards)."""

# code, Chinese name, group, sensitive, colour
PERSON_TAGS = [
    ("elderly", "老年人", "key_service", False, "#8e44ad"),
    ("living_alone", "独居老人", "key_service", False, "#c0392b"),
    ("empty_nest", "空巢老人", "key_service", False, "#d35400"),
    ("disabled", "残疾人", "key_service", True, "#2980b9"),
    ("low_income", "低保户", "key_service", True, "#16a085"),
    ("left_behind_child", "留守儿童", "key_service", False, "#27ae60"),
    ("veteran", "退役军人", "key_service", False, "#2c3e50"),
    ("chronic_illness", "慢性病患者", "key_service", True, "#7f8c8d"),
    ("key_management", "重点管理人员", "key_management", True, "#e74c3c"),
    ("community_correction", "社区矫正人员", "key_management", True, "#a93226"),
    ("mental_disorder", "严重精神障碍患者", "key_management", True, "#6c3483"),
    ("drug_rehab", "吸毒人员", "key_management", True, "#4a235a"),
    ("volunteer", "志愿者", "other", False, "#f1c40f"),
]

# code, Chinese name, kind, colour
KEY_SITE_CATEGORIES = [
    ("school", "学校", "key_place", "#2e86c1"),
    ("kindergarten", "幼儿园", "key_place", "#5dade2"),
    ("hospital", "医院", "key_place", "#c0392b"),
    ("clinic", "社区卫生服务站", "key_place", "#e74c3c"),
    ("market", "农贸市场", "key_place", "#ca6f1e"),
    ("elderly_care", "养老机构", "key_place", "#8e44ad"),
    ("hotel", "旅馆", "special_trade", "#af7ac5"),
    ("internet_cafe", "网吧", "special_trade", "#7d3c98"),
    ("pawnshop", "典当行", "special_trade", "#5b2c6f"),
    ("fuel_station", "加油站", "hazardous_goods", "#d68910"),
    ("gas_station", "燃气站", "hazardous_goods", "#b9770e"),
    ("hazardous_store", "危化品仓库", "hazardous_goods", "#922b21"),
    ("substation", "变电站", "key_part", "#616a6b"),
    ("water_plant", "水厂", "key_part", "#1f618d"),
    ("fire_hydrant", "消防栓", "prevention", "#e74c3c"),
    ("aed", "AED除颤仪", "prevention", "#28b463"),
    ("camera", "监控探头", "prevention", "#34495e"),
    ("fire_station", "微型消防站", "prevention", "#cb4335"),
    ("manhole", "井盖", "key_facility", "#7b7d7d"),
    ("street_light", "路灯", "key_facility", "#f4d03f"),
]


def defaults_load(person_tag_model, key_site_category_model) -> None:
    """Create the default tags and categories that are missing (models passed in so the
    data migration can use its historical models)."""
    for order, (code, name, group, sensitive, color) in enumerate(PERSON_TAGS):
        person_tag_model.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, sensitive=sensitive, color=color, sort_order=order * 10))
    for code, name, kind, color in KEY_SITE_CATEGORIES:
        key_site_category_model.objects.get_or_create(code=code, defaults=dict(name=name, kind=kind, color=color))
