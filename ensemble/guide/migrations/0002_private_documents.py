"""The print guide's PDFs move to the private storage (issue 10)."""

from django.db import migrations, models

import ensemble.core.private_files

PREFIXES = ["guides/"]


def move_documents(apps, schema_editor):
    """Same names in the private storage; a second run moves nothing (private_files.move_to_private)."""
    ensemble.core.private_files.move_to_private(PREFIXES)


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="guideedition",
            name="pdf",
            field=models.FileField(
                blank=True,
                default="",
                storage=ensemble.core.private_files.private_storage,
                upload_to="guides/",
                verbose_name="PDF",
            ),
        ),
        # No way back: moving the documents back under MEDIA_URL would publish them again.
        migrations.RunPython(move_documents, migrations.RunPython.noop),
    ]
