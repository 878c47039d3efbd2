import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter

from gis_core.models import Area, PersonalDataAccess
from gis_core.personal_data import lookup_is_personal, may_see_personal_data


class PersonalDataFilterBackend(DjangoFilterBackend):
    """Every FilterSet, checked: for roles that see personal fields masked, a filter on one
    of the model's ``personal_fields`` — or on a value the FilterSet calls sensitive, its
    optional ``sensitive_filters()`` (e.g. a sensitive tag) — is refused with a 400 naming
    the parameter: filtering would reveal what the answer masks (``?born_before=``
    bisects a masked birth date)."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and not may_see_personal_data(request.user):
            model = filterset._meta.model
            given = [name for name in filterset.filters if filterset.data.get(name) not in (None, "")]
            refused = [name for name in given if lookup_is_personal(model, filterset.filters[name].field_name)]
            refused += getattr(filterset, "sensitive_filters", list)()
            if refused:
                raise exceptions.ValidationError({name: [
                    _("Your role sees this personal data masked: it may not filter on it.")] for name in refused})
        return filterset


class PersonalDataOrderingFilter(OrderingFilter):
    """``?ordering=``, refused (400, ``ordering``) on a personal field for roles that see it
    masked: the order would rank the hidden values. The primary key ends every ordering:
    rows that tie (cases due at the same hour) would otherwise move between pages."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not may_see_personal_data(request.user):
            refused = [term for term in ordering if lookup_is_personal(queryset.model, term)]
            if refused:
                raise exceptions.ValidationError({self.ordering_param: [
                    _("Your role sees %(fields)s masked: it may not order by it.") % {"fields": ", ".join(refused)}]})
        return ordering_with_tiebreaker(ordering, queryset.model)


def ordering_with_tiebreaker(ordering, model) -> list[str] | None:
    """``ordering`` ending with the primary key, unless it already names it."""
    if not ordering:
        return ordering
    unique = {"pk", model._meta.pk.name}
    if unique.intersection(term.lstrip("-") for term in ordering):
        return list(ordering)
    return [*ordering, "pk"]


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
