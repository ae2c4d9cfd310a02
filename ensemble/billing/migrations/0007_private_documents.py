"""Invoice and credit-note PDFs move to the private storage (issue 10): before this, every PDF
answered to anyone at /media/invoices/<office>/<number>.pdf, with sequential numbers."""

from django.db import migrations, models

import ensemble.core.private_files

PREFIXES = ["invoices/"]


def move_documents(apps, schema_editor):
    """Same names in the private storage; a second run moves nothing (private_files.move_to_private)."""
    ensemble.core.private_files.move_to_private(PREFIXES)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_money_guards"),
    ]

    operations = [
        migrations.AlterField(
            model_name="invoicedocument",
            name="file",
            field=models.FileField(
                max_length=255,
                storage=ensemble.core.private_files.private_storage,
                upload_to="invoices/",
                verbose_name="PDF",
            ),
        ),
        # No way back: moving the documents back under MEDIA_URL would publish them again.
        migrations.RunPython(move_documents, migrations.RunPython.noop),
    ]
