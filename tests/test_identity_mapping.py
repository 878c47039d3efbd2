"""The one mapping from directory groups or token claims to a role and areas
(gis_core.identity), and the service that applies it at each single sign-on."""
import pytest

from gis_core.identity import Identity, IdentityRefused, identity_from_groups
from gis_core.models import Role
from gis_core.services import user_identity_sync

PREFIXES = {"role_prefix": "grid-role-", "area_prefix": "grid-area-"}


def test_a_role_group_and_area_groups_give_the_role_and_areas():
    groups = ["staff", "grid-role-grid_leader", "grid-area-530103001001001", "grid-area-530103001001002"]
    assert identity_from_groups(groups, **PREFIXES) == Identity(
        role=Role.GRID_LEADER, area_codes=("530103001001001", "530103001001002"))


def test_prefixes_are_configurable_even_when_one_begins_with_the_other():
    groups = ["grid-street_official", "grid-area-530103001000"]
    assert identity_from_groups(groups, role_prefix="grid-", area_prefix="grid-area-") == Identity(
        role=Role.STREET_OFFICIAL, area_codes=("530103001000",))


@pytest.mark.parametrize(("groups", "reason"), [
    (["staff", "grid-area-530103001001001"], "no role group"),
    (["grid-role-emperor", "grid-area-530103001001001"], "no role group"),
    (["grid-role-grid_leader", "grid-role-district_admin", "grid-area-530103000000"], "more than one role"),
    (["grid-role-grid_leader"], "no area group"),
    ([], "no role group"),
])
def test_anything_else_is_refused(groups, reason):
    with pytest.raises(IdentityRefused, match=reason):
        identity_from_groups(groups, **PREFIXES)


def test_the_settings_give_the_prefixes(settings):
    settings.SSO_ROLE_GROUP_PREFIX, settings.SSO_AREA_GROUP_PREFIX = "role:", "area:"
    assert identity_from_groups(["role:dispatcher", "area:530103000000"]) == Identity(
        role=Role.DISPATCHER, area_codes=("530103000000",))


def test_sync_sets_role_areas_and_admin_access(world):
    from gis_core.services import user_create

    user = user_create(username="new", password=None, role=Role.GRID_LEADER, areas=[world.areas["B"]])
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    synced = user_identity_sync(user=user, groups=["grid-role-community_worker", "grid-area-530103001001",
                                                   "grid-area-999999999999"])  # unknown codes are left out
    assert synced.role == Role.COMMUNITY_WORKER and synced.is_staff
    assert list(synced.areas.values_list("code", flat=True)) == ["530103001001"]
    assert synced.area_prefixes == ["530103001001"]
    assert list(synced.groups.values_list("name", flat=True)) == ["role:community_worker"]


def test_a_refused_sign_in_takes_the_role_areas_and_tokens_away(world):
    from rest_framework.authtoken.models import Token

    user = world.users["leader_a"]
    Token.objects.create(user=user)
    assert user_identity_sync(user=user, groups=["grid-role-grid_leader", "grid-area-999999999999001"]) is None
    user.refresh_from_db()
    assert (user.role, list(user.areas.all()), user.area_prefixes, list(user.groups.all())) == ("", [], [], [])
    assert not Token.objects.filter(user=user).exists()


def test_a_superuser_is_never_signed_in_by_a_directory(world):
    root = world.users["root"]
    assert user_identity_sync(user=root, groups=["grid-role-district_admin", "grid-area-530103000000"]) is None
    root.refresh_from_db()
    assert root.is_superuser and root.role == "" and not root.areas.exists()
