# Appointments (预约): service centres, desks, opening hours, bookings (issue 17).

import django.contrib.gis.db.models.fields
import django.contrib.postgres.constraints
from django.contrib.postgres.operations import BtreeGistExtension
import django.core.validators
import django.db.models.deletion
import services.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assets', '0008_road'),
        ('gis_core', '0003_area_prefix_user_area_prefixes'),
        ('services', '0002_default_catalogue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # the exclusion constraint compares desk ids (=) in a GiST index beside the time ranges (&&)
        BtreeGistExtension(),
        migrations.CreateModel(
            name='ServiceCentre',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('address', models.CharField(blank=True, max_length=200, verbose_name='address')),
                ('phone', models.CharField(blank=True, max_length=20, verbose_name='phone')),
                ('location', django.contrib.gis.db.models.fields.PointField(blank=True, null=True, srid=4326, verbose_name='location')),
                ('slot_minutes', models.PositiveSmallIntegerField(default=15, validators=[django.core.validators.MinValueValidator(5), django.core.validators.MaxValueValidator(240)], verbose_name='slot length (minutes)')),
                ('active', models.BooleanField(default=True, verbose_name='taking bookings')),
                ('area', models.ForeignKey(help_text='The community or street the centre serves.', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='gis_core.area', verbose_name='area served')),
            ],
            options={
                'verbose_name': 'service centre',
                'verbose_name_plural': 'service centres',
                'ordering': ['name', 'id'],
            },
        ),
        migrations.CreateModel(
            name='OpeningHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='weekday')),
                ('opens', models.TimeField(verbose_name='opens')),
                ('closes', models.TimeField(verbose_name='closes')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='hours', to='services.servicecentre', verbose_name='service centre')),
            ],
            options={
                'verbose_name': 'opening hours',
                'verbose_name_plural': 'opening hours',
                'ordering': ['centre', 'weekday', 'opens'],
            },
        ),
        migrations.CreateModel(
            name='Desk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='number')),
                ('name', models.CharField(blank=True, max_length=50, verbose_name='name')),
                ('active', models.BooleanField(default=True, verbose_name='open for bookings')),
                ('items', models.ManyToManyField(blank=True, related_name='desks', to='services.serviceitem', verbose_name='service items')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='desks', to='services.servicecentre', verbose_name='service centre')),
            ],
            options={
                'verbose_name': 'desk',
                'verbose_name_plural': 'desks',
                'ordering': ['centre', 'number'],
            },
        ),
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(editable=False, max_length=32, unique=True, verbose_name='booking number')),
                ('starts_at', models.DateTimeField(verbose_name='starts')),
                ('ends_at', models.DateTimeField(verbose_name='ends')),
                ('name', models.CharField(max_length=50, verbose_name='name')),
                ('phone', models.CharField(max_length=20, verbose_name='phone')),
                ('channel', models.CharField(choices=[('portal', 'online'), ('phone', 'by phone'), ('desk', 'at the desk')], default='portal', max_length=10, verbose_name='channel')),
                ('state', models.CharField(choices=[('booked', 'booked'), ('cancelled', 'cancelled'), ('attended', 'attended'), ('no_show', 'no-show')], default='booked', max_length=10, verbose_name='state')),
                ('note', models.CharField(blank=True, max_length=500, verbose_name='note')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='booked at')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='marked or cancelled at')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='booked by')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='marked or cancelled by')),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='services.serviceitem', verbose_name='service item')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='assets.person', verbose_name='resident (roll)')),
                ('desk', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='services.desk', verbose_name='desk')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='services.servicecentre', verbose_name='service centre')),
            ],
            options={
                'verbose_name': 'appointment',
                'verbose_name_plural': 'appointments',
                'ordering': ['starts_at', 'desk', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='servicecentre',
            constraint=models.CheckConstraint(condition=models.Q(('slot_minutes__gte', 5), ('slot_minutes__lte', 240)), name='centre_slot_minutes_range'),
        ),
        migrations.AddConstraint(
            model_name='openinghours',
            constraint=models.CheckConstraint(condition=models.Q(('opens__lt', models.F('closes'))), name='hours_open_before_close'),
        ),
        migrations.AddConstraint(
            model_name='openinghours',
            constraint=models.CheckConstraint(condition=models.Q(('weekday__lte', 6)), name='hours_weekday_range'),
        ),
        migrations.AddConstraint(
            model_name='desk',
            constraint=models.UniqueConstraint(fields=('centre', 'number'), name='desk_number_unique'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['centre', 'starts_at'], name='appointment_centre_day_idx'),
        ),
        migrations.AddIndex(
            model_name='appointment',
            index=models.Index(fields=['phone', 'starts_at'], name='appointment_phone_idx'),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='appointment_ends_after_start'),
        ),
        migrations.AddConstraint(
            model_name='appointment',
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(condition=models.Q(('state', 'cancelled'), _negated=True), expressions=[('desk', '='), (services.models.TsTzRange('starts_at', 'ends_at'), '&&')], name='appointment_desk_slot_once'),
        ),
    ]
