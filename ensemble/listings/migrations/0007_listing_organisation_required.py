import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("listings", "0006_listing_organisation")]

    operations = [
        migrations.AlterField(
            model_name="listing",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="listings",
                to="directory.organisation",
            ),
        ),
    ]
