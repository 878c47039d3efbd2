"""The benchmarks' users in grid_bench, created once."""
from __future__ import annotations


def bench_user(username: str, role: str, area):
    """The user ``username`` with ``role`` over ``area``: created when missing, set back
    when someone changed it."""
    from gis_core import services
    from gis_core.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        return services.user_create(username=username, password=None, role=role, areas=[area])
    if user.role != role or list(user.areas.all()) != [area]:
        return services.user_role_set(user=user, role=role, areas=[area])
    return user
