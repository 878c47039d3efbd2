"""ChoiceLabelField gives what get_<field>_display gives, in the request's language, and a
value outside the choices as it is."""
from django.utils import translation
from rest_framework import serializers

from gis_core.api_base import ChoiceLabelField
from gis_core.models import Area


class AreaLevels(serializers.ModelSerializer):
    level_display = ChoiceLabelField(source="level")

    class Meta:
        model = Area
        fields = ["level", "level_display"]


def test_the_label_of_every_choice_in_both_languages():
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, _label in Area._meta.get_field("level").choices:
                area = Area(level=value)
                assert AreaLevels(area).data["level_display"] == area.get_level_display()


def test_labels_follow_the_language_of_each_request():
    area = Area(level=Area._meta.get_field("level").choices[0][0])
    serializer = AreaLevels()  # bound once, used in two languages
    with translation.override("zh-hans"):
        chinese = serializer.to_representation(area)["level_display"]
    with translation.override("en"):
        english = serializer.to_representation(area)["level_display"]
    assert chinese != english


def test_a_value_outside_the_choices_is_given_as_it_is():
    area = Area(level=99)
    assert AreaLevels(area).data["level_display"] == "99" == str(area.get_level_display())
