"""The templates the rules use, in Chinese and English (loaded by migration 0002; the
administrators edit them in the admin)."""

TEMPLATES = {
    "sos_raised": {
        "zh-hans": ("紧急呼叫", "{elder}于{time}在{address}按下了紧急呼叫，平台正在处置，请拨打{phone}"),
        "en": ("Emergency call", ("{elder} pressed SOS at {address}, {time}; the platform is handling it, "
                                  "call {phone}")),
    },
    "fall_raised": {
        "zh-hans": ("跌倒报警", "{elder}于{time}在{address}可能跌倒，平台正在处置，请拨打{phone}"),
        "en": ("Fall alarm", ("{elder} may have fallen at {address}, {time}; the platform is handling it, "
                              "call {phone}")),
    },
    "alert_update": {
        "zh-hans": ("报警进展", "{elder}的紧急呼叫：{step}（{time}）。咨询请拨打{phone}"),
        "en": ("Alert update", "{elder}'s emergency call: {step} ({time}). Questions: call {phone}"),
    },
    "case_dispatched": {
        "zh-hans": ("新派遣案件", "案件{tracking}（{category}）已派遣至{department}，请及时处置。"),
        "en": ("Case dispatched", "Case {tracking} ({category}) was dispatched to {department}; please handle it."),
    },
    "case_filed": {
        "zh-hans": ("问题已立案", "您反映的问题已受理立案，编号{tracking}（{category}），可凭编号查询办理进度。"),
        "en": ("Report filed", "The problem you reported was filed as case {tracking} ({category}); "
                               "follow it with this number."),
    },
    "case_due_soon": {
        "zh-hans": ("案件即将超期", "案件{tracking}（{category}）将于{due}到期，请抓紧办理。"),
        "en": ("Case due soon", "Case {tracking} ({category}) is due at {due}; please finish it in time."),
    },
    "case_late": {
        "zh-hans": ("案件已超期", "案件{tracking}（{category}）已超过办理期限（{due}），请尽快办结。"),
        "en": ("Case late", "Case {tracking} ({category}) is past its time limit ({due}); please finish it now."),
    },
    "case_supervised": {
        "zh-hans": ("案件督办", "案件{tracking}（{category}）被督办（第{times}次）：{note}"),
        "en": ("Case supervised", "Case {tracking} ({category}) is under supervision (督办, time {times}): {note}"),
    },
    "alert_responder": {
        "zh-hans": ("附近紧急呼叫", "{elder}于{time}在{address}发出{event}，您是距离最近（约{distance}米）的在岗人员，"
                                 "请尽快前往并联系调度{phone}"),
        "en": ("Emergency nearby", ("{elder} raised {event} at {address}, {time}; you are the nearest responder on "
                                    "duty (about {distance} m): please go there and call the dispatcher on {phone}")),
    },
    "alert_escalated": {
        "zh-hans": ("紧急呼叫待处置", "{elder}的{event}（{time}，{address}）已{minutes}分钟未接警，"
                                  "请立即联系{elder}或拨打{phone}"),
        "en": ("Emergency still open", ("{elder}'s {event} ({time}, {address}) has had no answer for {minutes} "
                                        "minutes: call {elder} now, or {phone}")),
    },
    "alert_supervisor": {
        "zh-hans": ("紧急呼叫无人接警", "{elder}的{event}（{time}，{address}）已{minutes}分钟无人接警，请督促值班调度员立即处置。"),
        "en": ("Emergency not taken", ("{elder}'s {event} ({time}, {address}) has not been taken for {minutes} "
                                       "minutes: see that the dispatchers on duty act now.")),
    },
    "case_closed": {
        "zh-hans": ("案件已办结", "您反映的问题（编号{tracking}）已办结。"),
        "en": ("Case closed", "The problem you reported (number {tracking}) has been resolved."),
    },
    "case_closed_rate": {
        "zh-hans": ("案件已办结", "您反映的问题（编号{tracking}）已办结。请回复1-5评价（5为非常满意）。"),
        "en": ("Case closed", ("The problem you reported (number {tracking}) has been resolved. "
                               "Reply 1-5 to rate it (5 = very satisfied).")),
    },
    "application_collected_rate": {
        "zh-hans": ("办件已办结", ("您申请的{item}（编号{number}）已办结。请回复数字评价：5非常满意，4满意，3基本满意，"
                                "2不满意，1非常不满意。")),
        "en": ("Application completed", ("Your application for {item} (number {number}) is completed. Reply with a "
                                         "digit to rate it: 5 very satisfied, 4 satisfied, 3 fairly satisfied, "
                                         "2 dissatisfied, 1 very dissatisfied.")),
    },
    "application_followup": {
        "zh-hans": ("差评待整改", "办件{number}（{item}，{community}）收到评价“{level}”，请跟进整改并回访。"),
        "en": ("Poor rating to follow up", ("Application {number} ({item}, {community}) was rated “{level}”; "
                                            "please follow it up.")),
    },
    "resident_code": {
        "zh-hans": ("验证码", "您的验证码是{code}，{minutes}分钟内有效，仅用于{purpose}。请勿告诉他人。"),
        "en": ("Verification code", "Your code is {code}, valid for {minutes} minutes, only for {purpose}. "
                                    "Do not tell anyone."),
    },
}

SAMPLE_VALUES = {
    "elder": "张桂英", "time": "08:30", "address": "盘龙区拓东路12号", "phone": "0871-12345",
    "step": "已派人前往", "tracking": "530103-20260101-0001", "category": "道路破损", "department": "市政所",
    "item": "高龄津贴申领", "number": "BJ530103001001-20260101-0001", "community": "社区一", "level": "不满意",
    "code": "382915", "minutes": "10", "purpose": "反映问题", "event": "紧急呼叫", "distance": "350",
    "due": "12-08 17:30", "times": "1", "note": "请于今日内完成",
}


def templates_defaults_load(model) -> None:
    """Create the templates above that are missing (``model``: MessageTemplate, or its
    historical version in a migration)."""
    from notify.texts import placeholders

    for code, languages in TEMPLATES.items():
        for language, (subject, body) in languages.items():
            samples = {name: SAMPLE_VALUES[name] for name in placeholders(subject + body)}
            model.objects.get_or_create(code=code, language=language, defaults={
                "subject": subject, "body": body, "sample_values": samples})
