from rest_framework.permissions import DjangoModelPermissions

from gis_core.roles import role_allows


class RolePermissions(DjangoModelPermissions):
    """Model permissions from the user's role (gis_core.roles); reads need view.

    Answered from the role table itself (``role_allows``), the same table the role groups
    are synced from, so a request spends no queries loading the user's permissions."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(view, "_ignore_model_permissions", False):
            return True
        model = self._queryset(view).model
        return all(role_allows(user, perm) for perm in self.get_required_permissions(request.method, model))
