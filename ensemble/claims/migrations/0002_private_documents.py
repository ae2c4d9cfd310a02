"""Claim banners and the image bank move to the private storage (issue 10): a banner is shown
only by the screens while it is on them, a bank image only to staff and the partners it was
delivered to."""

from django.db import migrations, models

import ensemble.core.private_files

PREFIXES = ["claims/", "media-bank/"]


def move_documents(apps, schema_editor):
    """Same names in the private storage; a second run moves nothing (private_files.move_to_private)."""
    ensemble.core.private_files.move_to_private(PREFIXES)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="claim",
            name="image",
            field=models.ImageField(
                blank=True,
                height_field="image_height",
                storage=ensemble.core.private_files.private_storage,
                upload_to="claims/banners/%Y/",
                verbose_name="image du bandeau",
                width_field="image_width",
            ),
        ),
        migrations.AlterField(
            model_name="mediabankimage",
            name="image",
            field=models.ImageField(
                height_field="height",
                storage=ensemble.core.private_files.private_storage,
                upload_to="media-bank/%Y/",
                verbose_name="image",
                width_field="width",
            ),
        ),
        # No way back: moving the documents back under MEDIA_URL would publish them again.
        migrations.RunPython(move_documents, migrations.RunPython.noop),
    ]
