"""The auth Group of each role holds exactly the permissions ROLE_PERMISSIONS grants it,
synced once after each migrate — and after each flush of the test database, so the sync
is a handful of queries, not one per permission."""
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gis_core.roles import ROLE_PERMISSIONS
from gis_core.services import role_groups_sync


def granted(role: str) -> set[tuple[str, str]]:
    return {(label.split(".")[0], f"{action}_{label.split('.')[1]}")
            for label, actions in ROLE_PERMISSIONS[role].items() for action in actions}


def test_each_role_group_holds_its_permissions_and_no_other(db):
    group = Group.objects.get(name="role:grid_leader")
    group.permissions.add(Permission.objects.get(codename="delete_user"))  # not a grid leader's
    role_groups_sync()
    for role in ROLE_PERMISSIONS:
        held = set(Group.objects.get(name=f"role:{role}").permissions.values_list("content_type__app_label",
                                                                                  "codename"))
        assert held == granted(role), role


def test_one_post_migrate_syncs_once_in_a_few_queries(db):
    with CaptureQueriesContext(connection) as ctx:
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    group_reads = [q for q in ctx.captured_queries if '"auth_group"."name" = ' in q["sql"]]
    assert len(group_reads) == len(ROLE_PERMISSIONS)  # each role's group, once
    assert len(ctx.captured_queries) < 200, len(ctx.captured_queries)
