import django_filters

from services.models import (
    Application,
    Appointment,
    AppointmentState,
    AppState,
    BusinessArea,
    FollowUp,
    FollowUpState,
    ItemStatus,
    ServiceItem,
)

TIME_STATES = [("late", "late"), ("due_soon", "due soon"), ("paused", "paused"), ("on_time", "on time"),
               ("closed", "closed")]


class ApplicationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=AppState.choices)
    time_state = django_filters.MultipleChoiceFilter(choices=TIME_STATES)
    item = django_filters.CharFilter(field_name="item__code")
    open = django_filters.BooleanFilter(method="filter_open")

    class Meta:
        model = Application
        fields = ["state", "time_state", "item", "area", "department"]

    def filter_open(self, qs, name, value):
        from services.models import OPEN_STATES

        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)


class ServiceItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices)
    business_area = django_filters.ChoiceFilter(choices=BusinessArea.choices)

    class Meta:
        model = ServiceItem
        fields = ["status", "business_area", "department"]


class AppointmentFilter(django_filters.FilterSet):
    """A day's list (``date``, local) of a ``centre`` or ``desk``; ``state`` repeatable."""

    date = django_filters.DateFilter(method="filter_date")
    state = django_filters.MultipleChoiceFilter(choices=AppointmentState.choices)
    item = django_filters.CharFilter(field_name="item__code")

    class Meta:
        model = Appointment
        fields = ["date", "centre", "desk", "state", "item", "channel"]

    def filter_date(self, qs, name, value):
        from services.appointment_selectors import appointments_of_day

        return appointments_of_day(qs, day=value)

class FollowUpFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=FollowUpState.choices)

    class Meta:
        model = FollowUp
        fields = ["state", "area"]
