"""The catalogue a district starts with: about thirty common community items (社区事项)
with their materials (a data migration loads them; administrators edit them afterwards).
Time limits are in working days. Departments the cases' defaults lack are added."""

# code, name — departments deciding service items, besides the cases' (incidents/defaults.py)
DEPARTMENTS = [
    ("public_security", "公安分局户政科"),
    ("human_resources", "人力资源和社会保障局"),
    ("disabled_federation", "残疾人联合会"),
    ("health", "卫生健康局"),
    ("veterans", "退役军人事务局"),
    ("medical_insurance", "医疗保障局"),
    ("party_building", "街道党工委"),
]

ID = ("申请人居民身份证", "original", 1, True, "")
HOUSEHOLD = ("户口簿", "original", 1, True, "")
PHOTO = ("近期免冠一寸照片", "original", 2, True, "")
FORM = ("申请表", "original", 1, True, "")
AGENT = ("代办人身份证及委托书", "original", 1, False, "委托他人代办时")
INCOME = ("家庭收入及财产状况声明", "original", 1, True, "")
MEDICAL = ("二级以上医院诊断证明", "original", 1, True, "")
DESK, ONLINE, DELEGATED = "desk", "online", "delegated"

# code, name, area, department, accepting level, deciding level, legal days, promised days, fee,
# channels, result, conditions, legal basis, materials [(name, form, copies, required, condition)]
ITEMS = [
    ("residence_permit", "居住证申领", "public_security", "public_security", "community", "district", 15, 10, "",
     [DESK, ONLINE], "certificate", "离开常住户口所在地，在本地居住半年以上，有合法稳定就业、住所或连续就读之一",
     "《居住证暂行条例》第九条", [ID, PHOTO, ("居住证明（租房合同或房产证）", "copy", 1, True, ""),
                                   ("就业或就读证明", "copy", 1, False, "以就业或就读为由申领时"), AGENT]),
    ("residence_permit_renew", "居住证签注", "public_security", "public_security", "community", "district", 15, 5,
     "", [DESK, ONLINE], "certificate", "居住证有效期满前三十日内", "《居住证暂行条例》第十四条",
     [("居住证", "original", 1, True, ""), ("居住证明", "copy", 1, True, "")]),
    ("subsistence_allowance", "城乡最低生活保障申请（低保）", "civil_affairs", "civil_affairs", "community",
     "district", 30, 20, "", [DESK, DELEGATED], "payment", "共同生活的家庭成员人均收入低于当地低保标准，且财产符合规定",
     "《社会救助暂行办法》第九条至第十一条", [FORM, ID, HOUSEHOLD, INCOME, ("家庭经济状况核对授权书", "original", 1, True, ""),
                                    ("残疾证或疾病诊断证明", "copy", 1, False, "家庭成员有残疾或重病时"), AGENT]),
    ("subsistence_review", "低保年度复核", "civil_affairs", "civil_affairs", "community", "street", 30, 15, "",
     [DESK], "approval", "已享受低保的家庭", "《社会救助暂行办法》第十三条", [ID, INCOME]),
    ("extreme_poverty", "特困人员救助供养申请", "civil_affairs", "civil_affairs", "community", "district", 30, 20,
     "", [DESK, DELEGATED], "payment", "无劳动能力、无生活来源、无法定赡养抚养扶养义务人或其无履行能力",
     "《社会救助暂行办法》第十四条", [FORM, ID, HOUSEHOLD, INCOME, MEDICAL]),
    ("temporary_relief", "临时救助申请", "civil_affairs", "civil_affairs", "community", "street", 15, 10, "",
     [DESK, DELEGATED], "payment", "因火灾、交通事故等意外或重病导致基本生活暂时出现严重困难",
     "《社会救助暂行办法》第四十七条", [FORM, ID, HOUSEHOLD, ("困难情况证明材料", "copy", 1, True, ""),
                                 ("医疗费用票据", "copy", 1, False, "因病申请时")]),
    ("elderly_allowance", "高龄津贴申领", "civil_affairs", "civil_affairs", "community", "street", 20, 10, "",
     [DESK, DELEGATED], "payment", "具有本区户籍、年满80周岁的老年人", "《云南省老年人权益保障条例》",
     [ID, HOUSEHOLD, ("本人银行卡或存折", "copy", 1, True, ""), AGENT]),
    ("senior_card", "老年人优待证办理", "civil_affairs", "civil_affairs", "community", "street", 10, 5, "",
     [DESK, ONLINE, DELEGATED], "certificate", "年满60周岁的老年人", "《中华人民共和国老年人权益保障法》第五十七条",
     [ID, PHOTO]),
    ("elderly_care_subsidy", "居家养老服务补贴申请", "civil_affairs", "civil_affairs", "community", "district", 30,
     20, "", [DESK, DELEGATED], "service", "经济困难的高龄、失能、空巢老年人", "《养老服务体系建设规划》",
     [FORM, ID, HOUSEHOLD, ("失能等级评估报告", "original", 1, False, "按失能申请时")]),
    ("funeral_subsidy", "惠民殡葬补贴申领", "civil_affairs", "civil_affairs", "community", "street", 20, 10, "",
     [DESK], "payment", "本区户籍居民去世后火化", "《殡葬管理条例》", [("死亡证明", "original", 1, True, ""),
                                                                  ("火化证明", "original", 1, True, ""), ID]),
    ("medical_relief", "困难群众医疗救助申请", "civil_affairs", "civil_affairs", "community", "district", 30,
     20, "", [DESK], "payment", "低保、特困等困难群众的自付医疗费用", "《社会救助暂行办法》第二十八条",
     [FORM, ID, ("医疗费用票据及清单", "original", 1, True, ""), ("出院小结", "copy", 1, True, "")]),
    ("disability_card", "残疾人证申领", "disabled", "disabled_federation", "community", "district", 30, 20, "",
     [DESK, DELEGATED], "certificate", "视力、听力、言语、肢体、智力、精神等残疾", "《中华人民共和国残疾人证管理办法》",
     [FORM, ID, HOUSEHOLD, PHOTO, ("残疾评定表", "original", 1, True, ""), AGENT]),
    ("disability_subsidy", "困难残疾人生活补贴和重度残疾人护理补贴", "disabled", "disabled_federation", "community",
     "district", 30, 20, "", [DESK, DELEGATED], "payment", "持第二代残疾人证的困难或重度残疾人",
     "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》",
     [FORM, ("残疾人证", "original", 1, True, ""), ID, ("本人银行卡或存折", "copy", 1, True, "")]),
    ("disability_aids", "残疾人辅助器具适配申请", "disabled", "disabled_federation", "community", "district", 30,
     20, "", [DESK], "service", "持残疾人证且有辅助器具需求", "《残疾人保障法》", [FORM, ("残疾人证", "original", 1, True, "")]),
    ("only_child_certificate", "独生子女证明", "health", "health", "community", "street", 10, 5, "",
     [DESK], "certificate", "夫妻终生只生育一个子女", "《云南省人口与计划生育条例》",
     [("夫妻双方身份证", "original", 1, True, ""), ("结婚证", "original", 1, True, ""), HOUSEHOLD,
      ("子女出生医学证明", "copy", 1, True, "")]),
    ("only_child_reward", "独生子女父母奖励扶助申请", "health", "health", "community", "district", 30, 20, "",
     [DESK], "payment", "年满60周岁的独生子女父母", "《全国农村部分计划生育家庭奖励扶助制度》",
     [FORM, ID, HOUSEHOLD, ("独生子女父母光荣证", "original", 1, True, "")]),
    ("birth_registration", "生育登记服务", "health", "health", "community", "street", 5, 1, "",
     [DESK, ONLINE], "certificate", "", "《中华人民共和国人口与计划生育法》",
     [("夫妻双方身份证", "original", 1, True, ""), ("结婚证", "original", 1, True, "")]),
    ("family_planning_special", "计划生育特别扶助申请", "health", "health", "community", "district", 30, 20, "",
     [DESK], "payment", "独生子女伤残或死亡且未再生育或收养的夫妻", "《全国独生子女伤残死亡家庭扶助制度》",
     [FORM, ID, HOUSEHOLD, ("子女伤残或死亡证明", "copy", 1, True, "")]),
    ("employment_registration", "就业失业登记", "human_resources", "human_resources", "community", "street", 5, 1,
     "", [DESK, ONLINE], "certificate", "法定劳动年龄内有劳动能力和就业要求", "《就业服务与就业管理规定》",
     [ID, PHOTO]),
    ("unemployment_benefit", "失业保险金申领", "human_resources", "human_resources", "community", "district", 20,
     10, "", [DESK, ONLINE], "payment", "非因本人意愿中断就业且缴纳失业保险满一年", "《失业保险条例》第十四条",
     [ID, ("解除或终止劳动合同证明", "original", 1, True, ""), ("本人银行卡", "copy", 1, True, "")]),
    ("pension_certification", "养老保险待遇资格认证", "human_resources", "human_resources", "community", "district",
     10, 3, "", [DESK, ONLINE, DELEGATED], "approval", "领取养老保险待遇人员", "《社会保险法》", [ID]),
    ("resident_pension", "城乡居民养老保险参保登记", "human_resources", "human_resources", "community", "district",
     15, 5, "", [DESK, ONLINE], "approval", "年满16周岁、不在校、未参加职工养老保险的居民", "《社会保险法》第二十条",
     [ID, HOUSEHOLD]),
    ("flexible_employment", "灵活就业人员社保补贴申请", "human_resources", "human_resources", "community",
     "district", 30, 20, "", [DESK], "payment", "就业困难人员灵活就业并缴纳社保", "《就业促进法》",
     [FORM, ID, ("社保缴费凭证", "copy", 1, True, "")]),
    ("resident_medical", "城乡居民医疗保险参保登记", "medical_insurance", "medical_insurance", "community",
     "district", 15, 3, "按年度缴费标准", [DESK, ONLINE], "approval", "未参加职工医保的城乡居民", "《社会保险法》第二十五条",
     [ID, HOUSEHOLD]),
    ("chronic_disease", "门诊慢特病待遇认定", "medical_insurance", "medical_insurance", "community", "district",
     20, 10, "", [DESK, DELEGATED], "approval", "参保人确诊规定的慢性病、特殊疾病", "《医疗保障基金使用监督管理条例》",
     [FORM, ID, MEDICAL, ("近期检查报告", "copy", 1, True, "")]),
    ("veteran_card", "退役军人优待证申领", "veterans", "veterans", "community", "district", 30, 15, "",
     [DESK, ONLINE], "certificate", "退役军人和其他优抚对象", "《退役军人保障法》", [ID, PHOTO,
                                                                  ("退役证件", "copy", 1, True, "")]),
    ("veteran_information", "退役军人信息采集", "veterans", "veterans", "community", "street", 10, 5, "",
     [DESK], "service", "", "《退役军人保障法》", [ID, ("退役证件", "copy", 1, True, "")]),
    ("preferential_pension", "优抚对象抚恤补助申领", "veterans", "veterans", "community", "district", 30, 20, "",
     [DESK], "payment", "伤残军人、烈属、在乡复员军人等优抚对象", "《军人抚恤优待条例》",
     [FORM, ID, ("优抚对象证件", "original", 1, True, "")]),
    ("party_transfer", "党员组织关系转接", "party", "party_building", "community", "street", 10, 3, "",
     [DESK, ONLINE], "approval", "中共党员", "《中国共产党党员组织关系管理办法》",
     [("党员组织关系介绍信", "original", 1, True, ""), ID]),
    ("housing_subsidy", "公共租赁住房申请", "housing", "housing", "community", "district", 60, 30, "",
     [DESK], "approval", "城镇中等偏下收入住房困难家庭", "《公共租赁住房管理办法》第七条",
     [FORM, ID, HOUSEHOLD, INCOME, ("住房情况声明", "original", 1, True, "")]),
    ("residence_certificate", "居住情况证明", "civil_affairs", "civil_affairs", "community", "community", 3, 1, "",
     [DESK], "certificate", "在本社区实际居住", "社区居民委员会出具证明事项清单", [ID]),
]

# The life events (models.LifeEvent) under which the portal lists each default item.
LIFE_EVENTS = {
    "birth": ["birth_registration", "only_child_certificate", "only_child_reward", "family_planning_special"],
    "work": ["employment_registration", "unemployment_benefit", "flexible_employment", "resident_pension"],
    "residence": ["residence_permit", "residence_permit_renew", "residence_certificate"],
    "housing": ["housing_subsidy"],
    "hardship": ["subsistence_allowance", "subsistence_review", "extreme_poverty", "temporary_relief",
                 "medical_relief", "housing_subsidy"],
    "elderly": ["elderly_allowance", "senior_card", "elderly_care_subsidy", "pension_certification",
                "resident_pension"],
    "disability": ["disability_card", "disability_subsidy", "disability_aids"],
    "medical": ["resident_medical", "chronic_disease", "medical_relief"],
    "military": ["veteran_card", "veteran_information", "preferential_pension"],
    "death": ["funeral_subsidy"],
    "party": ["party_transfer"],
}


def life_events_load(item_model) -> None:
    """Give the default items without life events theirs (LIFE_EVENTS), one UPDATE per
    item; administrators edit them afterwards."""
    by_item: dict[str, list[str]] = {}
    for event, codes in LIFE_EVENTS.items():
        for code in codes:
            by_item.setdefault(code, []).append(event)
    for code, events in by_item.items():
        item_model.objects.filter(code=code, life_events=[]).update(life_events=events)


def defaults_load(department_model, item_model, material_model) -> None:
    """Create the default departments and items that are missing, with their materials
    (models passed in so the data migration can use its historical models)."""
    departments = {d.code: d for d in department_model.objects.all()}
    for code, name in DEPARTMENTS:
        if code not in departments:
            departments[code] = department_model.objects.create(code=code, name=name)
    for order, (code, name, area, department, accepting, deciding, legal, promised, fee, channels, result,
                conditions, basis, materials) in enumerate(ITEMS):
        item, created = item_model.objects.get_or_create(code=code, defaults=dict(
            name=name, business_area=area, department=departments[department], accepting_level=accepting,
            deciding_level=deciding, legal_days=legal, promised_days=promised, fee=fee, channels=channels,
            result_kind=result, conditions=conditions, legal_basis=basis, sort_order=order * 10))
        if created:
            material_model.objects.bulk_create([
                material_model(item=item, name=m_name, form=form, copies=copies, required=required,
                               condition=condition, sort_order=i * 10)
                for i, (m_name, form, copies, required, condition) in enumerate(materials)])
    # (migration 0002's historical model predates the field: 0005_life_events fills it)
    if any(f.name == "life_events" for f in item_model._meta.get_fields()):
        life_events_load(item_model)
