import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_organisations(apps, schema_editor):
    Listing = apps.get_model("listings", "Listing")
    Establishment = apps.get_model("directory", "Establishment")
    owner = Establishment.objects.filter(pk=OuterRef("establishment_id")).values("organisation_id")[:1]
    Listing.objects.update(organisation_id=Subquery(owner))


class Migration(migrations.Migration):
    # Two steps, each in its own transaction: PostgreSQL refuses to ALTER a table that has
    # pending (deferred) foreign-key checks from the UPDATE (0007 makes the column required).
    dependencies = [
        ("directory", "0004_category_has_availability"),
        ("listings", "0005_name_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="listing",
            name="organisation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="listings",
                to="directory.organisation",
            ),
        ),
        migrations.RunPython(copy_organisations, migrations.RunPython.noop),
    ]
