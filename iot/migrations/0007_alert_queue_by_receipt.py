"""The alert queue is ordered and aged by receipt time (the server's clock): a device
whose clock is years off no longer sorts or ages its alerts. The queue index follows."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("iot", "0006_quarantine_reason_code"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="alert",
            options={"ordering": ["-received_at", "-id"], "verbose_name": "alert", "verbose_name_plural": "alerts"},
        ),
        migrations.RemoveIndex(model_name="alert", name="alert_queue_idx"),
        migrations.AddIndex(
            model_name="alert", index=models.Index(fields=["state", "-received_at"], name="alert_queue_idx"),
        ),
    ]
