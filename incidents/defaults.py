"""The departments and case categories a new district starts with (a data migration loads
them; administrators edit them afterwards). Time limits are in working hours."""

# code, name
DEPARTMENTS = [
    ("police", "派出所"),
    ("mediation", "司法所（人民调解）"),
    ("enforcement", "综合行政执法队"),
    ("sanitation", "环卫站"),
    ("municipal", "市政设施管理所"),
    ("housing", "住建和物业管理科"),
    ("emergency", "应急管理办公室"),
    ("civil_affairs", "民政和社会事务科"),
]

# kind, main code, main name, [(code, name, department, hours, urgency, round the clock)]
CATEGORIES = [
    ("event", "public_order", "治安防控", [
        ("noise", "噪声扰民", "police", 8, "normal", False),
        ("suspicious", "可疑人员物品", "police", 2, "urgent", True),
        ("gambling", "聚众赌博", "police", 8, "normal", False),
    ]),
    ("event", "disputes", "矛盾纠纷", [
        ("neighbour_dispute", "邻里纠纷", "mediation", 40, "normal", False),
        ("property_dispute", "物业纠纷", "housing", 40, "normal", False),
        ("wage_arrears", "欠薪讨薪", "mediation", 24, "urgent", False),
    ]),
    ("event", "environment", "环境卫生", [
        ("garbage", "垃圾堆放", "sanitation", 8, "normal", False),
        ("sewage", "污水外溢", "sanitation", 8, "urgent", False),
        ("dead_animal", "动物尸体", "sanitation", 4, "normal", False),
    ]),
    ("event", "enforcement", "综合执法", [
        ("illegal_building", "违章搭建", "enforcement", 80, "normal", False),
        ("street_vending", "占道经营", "enforcement", 8, "normal", False),
        ("illegal_parking", "乱停乱放", "enforcement", 8, "normal", False),
    ]),
    ("event", "safety", "安全隐患", [
        ("fire_escape", "消防通道堵塞", "emergency", 8, "urgent", False),
        ("ebike_charging", "电动车违规充电", "emergency", 8, "urgent", False),
        ("gas_leak", "燃气泄漏", "emergency", 1, "emergency", True),
        ("dangerous_building", "危房险情", "housing", 4, "emergency", True),
    ]),
    ("event", "care", "民生服务", [
        ("elder_care", "老人照护需求", "civil_affairs", 16, "normal", False),
        ("hardship", "困难救助", "civil_affairs", 40, "normal", False),
        ("rehabilitation", "矫正帮教", "mediation", 40, "normal", False),
    ]),
    ("component", "utilities", "公用设施", [
        ("manhole", "井盖破损缺失", "municipal", 4, "urgent", True),
        ("water_pipe", "给水管破裂", "municipal", 8, "urgent", False),
        ("hydrant", "消防栓损坏", "emergency", 16, "normal", False),
    ]),
    ("component", "roads", "道路交通", [
        ("street_light", "路灯不亮", "municipal", 24, "normal", False),
        ("road_damage", "路面破损", "municipal", 40, "normal", False),
        ("traffic_sign", "交通标志损坏", "municipal", 24, "normal", False),
    ]),
    ("component", "greening", "园林绿化", [
        ("fallen_tree", "树木倒伏", "municipal", 4, "urgent", True),
        ("green_damage", "绿地损毁", "municipal", 40, "normal", False),
    ]),
]


def defaults_load(department_model, category_model) -> None:
    """Create the default departments and categories that are missing (models passed in
    so the data migration can use its historical models)."""
    departments = {}
    for code, name in DEPARTMENTS:
        departments[code], _ = department_model.objects.get_or_create(code=code, defaults={"name": name})
    for main_order, (kind, main_code, main_name, subcategories) in enumerate(CATEGORIES):
        main, _ = category_model.objects.get_or_create(code=main_code, defaults=dict(
            kind=kind, name=main_name, sort_order=main_order * 10))
        for order, (code, name, department, hours, urgency, round_the_clock) in enumerate(subcategories):
            category_model.objects.get_or_create(code=code, defaults=dict(
                kind=kind, name=name, parent=main, department=departments[department], time_limit_hours=hours,
                urgency=urgency, round_the_clock=round_the_clock, sort_order=order * 10))
