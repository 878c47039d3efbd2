"""The portal's service guide (办事指南, /portal/): the catalogue in force by life event,
business area and department, searched by name; an item's page with its conditions,
materials, time limits, fee, where to go, channels and result. No login."""
from django.core.files.base import ContentFile
from django.test import Client

from services.models import ItemStatus, Material, ServiceItem


def get(url, **params):
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(url, params)


def codes(response) -> list[str]:
    return [item.code for item in response.context["items"]]


def test_home_lists_life_events_with_their_counts(service_desk, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = get("/portal/")
    assert response.status_code == 200
    events = {code: count for code, _label, count in response.context["events"]}
    assert events["elderly"] == ServiceItem.objects.filter(life_events__contains=["elderly"]).count() >= 5
    assert events["death"] == 1
    body = response.content.decode()
    assert '/portal/items/?event=elderly' in body and "Grid management platform" not in body  # no staff frame


def test_browse_by_life_event_area_and_department_in_force_only(service_desk):
    assert "elderly_allowance" in codes(get("/portal/items/", event="elderly"))
    assert "disability_card" not in codes(get("/portal/items/", event="elderly"))
    ServiceItem.objects.filter(code="senior_card").update(status=ItemStatus.WITHDRAWN)
    assert "senior_card" not in codes(get("/portal/items/", event="elderly"))
    assert "senior_card" not in codes(get("/portal/items/"))
    veterans = codes(get("/portal/items/", area="veterans"))
    assert set(veterans) == {"veteran_card", "veteran_information", "preferential_pension"}
    assert set(codes(get("/portal/items/", department="veterans"))) == set(veterans)
    assert len(codes(get("/portal/items/"))) == ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).count()


def test_search_by_part_of_the_name(service_desk):
    assert codes(get("/portal/items/", q="高龄")) == ["elderly_allowance"]
    assert set(codes(get("/portal/items/", q="居住证"))) == {"residence_permit", "residence_permit_renew"}
    assert set(codes(get("/portal/items/", q="低保", event="hardship"))) == {"subsistence_allowance",
                                                                            "subsistence_review"}
    assert codes(get("/portal/items/", q="不存在的事项")) == []


def test_bad_filters_are_a_400_naming_the_field(service_desk):
    response = get("/portal/items/", event="holiday")
    assert response.status_code == 400 and "event" in response.context["errors"]
    assert get("/portal/items/", department="nope").status_code == 400
    assert get("/portal/items/", q="x" * 51).status_code == 400


def test_item_page_shows_what_a_resident_needs(service_desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = ServiceItem.objects.get(code="elderly_allowance")
    bank = Material.objects.get(item=item, name="本人银行卡或存折")
    bank.blank_form.save("form.pdf", ContentFile(b"%PDF-1.4\n%%EOF"))
    response = get("/portal/items/elderly_allowance/")
    assert response.status_code == 200
    body = response.content.decode()
    assert item.name in body and item.conditions in body
    assert "20 working days" in body and "10 working days" in body  # legal, promised
    assert "Free of charge" in body
    assert "residents' committee" in str(response.context["where"])  # accepted in the community
    assert "service station" in body
    assert "at the desk" in body and "delegated (代办)" in body  # channels
    assert "payment" in body  # result
    materials = response.context["required"] + response.context["conditional"]
    assert [m.name for m in response.context["required"]] == ["申请人居民身份证", "户口簿", "本人银行卡或存折"]
    assert [m.name for m in response.context["conditional"]] == ["代办人身份证及委托书"]
    assert len(materials) == item.materials.count()
    assert "copy" in body and "original" in body and "if applicable" in body and "委托他人代办时" in body
    assert bank.blank_form.url in body  # the blank form to download
    assert "/portal/book/" not in body  # no centre takes bookings for it yet


def test_the_item_page_names_the_centres_that_handle_it_and_offers_booking(service_desk):
    from services.appointment_services import centre_create

    item = service_desk.item("elderly_allowance")
    centre_create(area=service_desk.world.areas["C1"], name="社区一便民服务站", address="幸福路1号",
                  phone="0871-6000000", desks=[[item]])
    body = Client().get("/portal/items/elderly_allowance/").content.decode()
    assert "社区一便民服务站" in body and "幸福路1号" in body and "0871-6000000" in body
    assert "/portal/book/?item=elderly_allowance" in body


def test_a_withdrawn_or_unknown_item_is_a_404(service_desk):
    ServiceItem.objects.filter(code="senior_card").update(status=ItemStatus.WITHDRAWN)
    assert get("/portal/items/senior_card/").status_code == 404
    assert get("/portal/items/nothing/").status_code == 404


def test_the_guide_is_chinese_by_default(service_desk):
    body = Client().get("/portal/items/elderly_allowance/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "办事指南" in body and "承诺时限" in body and "所需材料" in body
