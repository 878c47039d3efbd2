import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from incidents.models import DONE_STATUSES, OPEN_STATUSES, Case, CaseKind, CaseSource, CaseStatus, TimeState


class CaseFilter(django_filters.FilterSet):
    """The queue's filters: ``status`` (repeatable) or ``open``, lateness, kind, category
    (a main category includes its subcategories), department, source, cell, and ``mine``
    (cases I reported)."""

    status = django_filters.MultipleChoiceFilter(choices=CaseStatus.choices)
    open = django_filters.BooleanFilter(method="filter_open", label=_("open"))
    time_state = django_filters.MultipleChoiceFilter(choices=TimeState.choices)
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    category = django_filters.CharFilter(method="filter_category", label=_("category code"))
    department = django_filters.CharFilter(field_name="department__code", label=_("department code"))
    source = django_filters.ChoiceFilter(choices=CaseSource.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("reported by me"))
    reported_after = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="lt")

    class Meta:
        model = Case
        fields = ["status", "time_state", "kind", "source", "cell", "community", "street", "urgency"]

    def filter_open(self, qs, name, value):
        if value is None:
            return qs
        return qs.filter(status__in=OPEN_STATUSES if value else DONE_STATUSES)

    def filter_category(self, qs, name, value):
        return qs.filter(Q(category__code=value) | Q(category__parent__code=value))

    def filter_mine(self, qs, name, value):
        return qs.filter(reporter=self.request.user) if value else qs
