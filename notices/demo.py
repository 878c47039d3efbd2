"""Notices for the demo district: a policy notice and a weather warning of the first street
(drafted by its official, approved by the district administrator) and a community notice
of the first community (drafted by its worker, approved by the street official), all
published and valid now, so the portal's 通知公告, the noticeboard screens, the notices
layer and the staff inboxes show something after `make run`. They go to the staff of
their areas only: the demo sends no SMS to its synthetic residents."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from gis_core.models import User
from notices.models import Notice, NoticeKind
from notices.services import NoticeInput, notice_approve, notice_create, notice_submit

DEMO_NOTICES = [
    # drafter (the target is their area), approver, kind, title, text, days valid, CAP fields (warnings)
    ("street", "admin", NoticeKind.POLICY, "关于做好2027年度城乡居民医疗保险参保缴费工作的通知",
     "2027年度城乡居民医疗保险集中缴费期为即日起至12月31日。请辖区居民通过“云南税务”小程序、银行网点或社区便民服务站"
     "办理缴费。低保对象、特困人员等个人缴费部分由政府资助，无需本人缴纳。咨询电话：0871-12345。", 30, {}),
    ("community", "street", NoticeKind.COMMUNITY, "社区便民服务站元旦假期服务时间调整",
     "元旦假期（1月1日至1月3日）社区便民服务站上午9:00至12:00值班受理，高龄津贴申领、居住证办理等事项可提前网上预约。"
     "1月4日起恢复正常服务时间。", 20, {}),
    ("street", "admin", NoticeKind.WARNING, "暴雨蓝色预警",
     "预计未来24小时辖区内将出现暴雨，局地大暴雨，并伴有短时强降水和雷电。低洼地段、地下车库可能积水。", 2,
     {"cap_category": "Met", "event": "暴雨", "urgency": "Expected", "severity": "Moderate", "certainty": "Likely",
      "instruction": "请减少外出，远离低洼地带和危旧建筑，地下车库车辆及时转移；独居老人家属请及时联系确认安全。"}),
]


def demo_notices_load(*, seed: int, log: Callable[[str], None] = print) -> int:
    """Draft, submit and approve the demo notices (each once: a title already there is
    kept); returns how many were published."""
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "street", "community"])}
    if len(users) < 3:
        log("Demo notices skipped: the demo users admin, street and community are missing.")
        return 0
    now = timezone.now()
    made = 0
    for drafter, approver, kind, title, body, days, cap in DEMO_NOTICES:
        if Notice.objects.filter(title=title).exists():
            continue
        author = users[drafter]
        data = NoticeInput(kind=kind, title=title, body=body, valid_from=now - dt.timedelta(hours=1),
                           valid_until=now + dt.timedelta(days=days), target_areas=list(author.areas.all()[:1]),
                           to_residents=False, to_staff=True, **cap)
        notice = notice_create(actor=author, data=data)
        notice = notice_submit(actor=author, notice=notice)
        notice_approve(actor=users[approver], notice=notice, note="演示")
        made += 1
    log(f"Demo notices: {made} published.")
    return made
