from django.db import migrations

# Search results list the listings whose name matches first (listings.search.split_by_name).
# PostgreSQL only: a GIN index on the name's vector, with the very expression Django writes
# for SearchVector("sort_name", config="french_unaccent"), so the planner uses it.
CREATE = """
CREATE INDEX IF NOT EXISTS listing_name_vector ON listings_listing
USING gin (to_tsvector('french_unaccent'::regconfig, COALESCE(sort_name, '')));
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS listing_name_vector;")


class Migration(migrations.Migration):
    dependencies = [("listings", "0004_published_order_index")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
