"""Every sign-in and failed sign-in is recorded — username, address, browser, time — and
district administrators (not only superusers) search them in the admin, read-only, in
Chinese; other roles cannot open them."""
from django.test import Client

BROWSER = "Mozilla/5.0 (Linux; Android 14) AuditTest/1.0"


def sign_in(username, password, address):
    client = Client(REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)
    return client.post("/admin/login/", {"username": username, "password": password})


def admin_client(world, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.users["admin"])
    return client


def test_sign_ins_and_failures_are_searchable_by_district_admins(world):
    assert sign_in("street", "wrong", "10.1.0.1").status_code == 200
    assert sign_in("street", "pw-street", "10.1.0.2").status_code == 302
    client = admin_client(world)
    failures = client.get("/admin/signin/signinfailure/", {"q": "10.1.0.1"}).content.decode()
    assert "street" in failures and "10.1.0.1" in failures and "AuditTest/1.0" in failures
    records = client.get("/admin/signin/signinrecord/", {"q": "street"}).content.decode()
    assert "10.1.0.2" in records and "AuditTest/1.0" in records and "10.1.0.1" not in records
    assert "10.1.0.2" not in client.get("/admin/signin/signinrecord/", {"q": "nobody"}).content.decode()
    counts = client.get("/admin/signin/signinlockout/").content.decode()
    assert "10.1.0.1" in counts


def test_the_audit_is_read_only(world):
    sign_in("street", "wrong", "10.1.0.1")
    client = admin_client(world)
    from signin.models import SignInFailure

    failure = SignInFailure.objects.get()
    assert client.get("/admin/signin/signinfailure/add/").status_code == 403
    change_url = f"/admin/signin/signinfailure/{failure.pk}/change/"
    assert client.get(change_url).status_code == 200  # view only
    assert client.post(change_url, {"username": "x"}).status_code == 403
    assert client.post(f"/admin/signin/signinfailure/{failure.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SignInFailure.objects.filter(username="street").exists()


def test_district_admins_lift_a_lock_by_deleting_its_count(world):
    from signin.models import SignInLockout

    sign_in("street", "wrong", "10.1.0.1")
    count = SignInLockout.objects.get()
    response = admin_client(world).post(f"/admin/signin/signinlockout/{count.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not SignInLockout.objects.exists()


def test_labels_are_chinese(world):
    page = admin_client(world, "zh-hans").get("/admin/signin/signinrecord/").content.decode()
    for label in ("登录记录", "用户名", "IP 地址", "浏览器", "登录时间", "退出时间"):
        assert label in page, label
    index = admin_client(world, "zh-hans").get("/admin/").content.decode()
    assert "登录与会话" in index and "登录失败" in index


def test_other_roles_cannot_open_the_audit(world):
    for key in ("street", "leader_a", "dispatcher"):
        client = Client()
        client.force_login(world.users[key])
        assert client.get("/admin/signin/signinrecord/").status_code == 403, key
