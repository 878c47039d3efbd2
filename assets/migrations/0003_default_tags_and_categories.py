from django.db import migrations


def load(apps, schema_editor):
    from assets.defaults import KEY_SITE_CATEGORIES, PERSON_TAGS

    PersonTag = apps.get_model("assets", "PersonTag")
    KeySiteCategory = apps.get_model("assets", "KeySiteCategory")
    for order, (code, name, group, sensitive, color) in enumerate(PERSON_TAGS):
        PersonTag.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, sensitive=sensitive, color=color, sort_order=order * 10))
    for code, name, kind, color in KEY_SITE_CATEGORIES:
        KeySiteCategory.objects.get_or_create(code=code, defaults=dict(name=name, kind=kind, color=color))


class Migration(migrations.Migration):
    dependencies = [("assets", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
