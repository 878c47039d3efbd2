import django_filters

from notify.models import Channel, Notification, State


class NotificationFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=State.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    template = django_filters.CharFilter()
    subject_type = django_filters.CharFilter()
    subject_id = django_filters.NumberFilter()
    urgent = django_filters.BooleanFilter()

    class Meta:
        model = Notification
        fields = ["state", "channel", "template", "subject_type", "subject_id", "urgent"]
