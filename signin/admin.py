"""The sign-in audit in the admin, for the roles that read the personal-data access log
(signin/roles.py): sign-ins (address, browser, when, until when), failed sign-ins, and
the running counts behind lockouts — read-only; deleting a count lifts its lockout."""
from django.contrib import admin

from gis_core.admin_base import ReadOnlyAdminMixin
from signin.models import SignInFailure, SignInLockout, SignInRecord

CLIENT = ("username", "ip_address", "user_agent", "path_info", "http_accept")


class SignInAuditAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    search_fields = ("username", "ip_address", "user_agent")
    date_hierarchy = "attempt_time"
    list_filter = ("attempt_time", "path_info")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


@admin.register(SignInRecord)
class SignInRecordAdmin(SignInAuditAdmin):
    list_display = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "logout_time")
    fields = ("attempt_time", "logout_time", *CLIENT)


@admin.register(SignInFailure)
class SignInFailureAdmin(SignInAuditAdmin):
    list_display = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "locked_out")
    list_filter = ("attempt_time", "locked_out", "path_info")
    fields = ("attempt_time", "locked_out", *CLIENT)


@admin.register(SignInLockout)
class SignInLockoutAdmin(SignInAuditAdmin):
    list_display = ("attempt_time", "username", "ip_address", "user_agent", "failures_since_start")
    fields = ("attempt_time", "failures_since_start", *CLIENT)

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)
