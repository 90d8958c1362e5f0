from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce


def failed_at_for_old_failures(apps, schema_editor):
    # Rows that failed before failed_at existed: the last claim is when they were last tried.
    Notification = apps.get_model("notifications", "Notification")
    Notification.objects.filter(status="failed", failed_at__isnull=True).update(
        failed_at=Coalesce("claimed_at", "send_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_notification_claim_token"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="failed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(condition=models.Q(("status", "failed")), fields=["-failed_at"], name="notification_failed_idx"),
        ),
        migrations.RunPython(failed_at_for_old_failures, migrations.RunPython.noop),
    ]
