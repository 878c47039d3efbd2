import django_filters

from gis_core.models import Area, PersonalDataAccess


class AreaFilter(django_filters.FilterSet):
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith")

    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class PersonalDataAccessFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")
    record_type = django_filters.CharFilter(field_name="content_type__model")

    class Meta:
        model = PersonalDataAccess
        fields = ["user", "object_id", "area"]
