"""The timeline table goes: its history now lives in the audit log (0006)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_timeline_into_audit_log")]

    operations = [migrations.DeleteModel(name="TimelineEntry")]
