"""The organisation's timeline becomes a view of the audit log: its entries are copied into it.

Staff notes (note, call, visit) become `organisation.note_added` entries (their text is the staff
member's own); the entries the services wrote as French sentences become `history.imported`
entries that keep their sentence, since the facts behind them were not recorded apart. Times,
authors and the e-mail sent are kept. Reversible: the copy is removed.
"""

from django.db import migrations

NOTES = {"note", "call", "visit"}
BATCH = 500


def copy_timeline(apps, schema_editor):
    TimelineEntry = apps.get_model("directory", "TimelineEntry")
    AuditEntry = apps.get_model("core", "AuditEntry")
    entries = TimelineEntry.objects.select_related("organisation").order_by("pk")
    for start in range(0, entries.count(), BATCH):
        rows = list(entries[start : start + BATCH])
        created = AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    office_id=row.office_id,
                    action="organisation.note_added" if row.kind in NOTES else "history.imported",
                    actor_id=row.actor_id,
                    target_type="directory.organisation",
                    target_id=str(row.organisation_id),
                    target_label=row.organisation.name[:200],
                    organisation_id=row.organisation_id,
                    data={
                        "kind": row.kind,
                        "summary": row.summary,
                        "body": row.body,
                        "email_id": row.email_id,
                        "imported_from": row.pk,
                    },
                )
                for row in rows
            ]
        )
        # auto_now_add stamped them now: give each its original time.
        for entry, row in zip(created, rows, strict=True):
            AuditEntry.objects.filter(pk=entry.pk).update(created_at=row.created_at)


def remove_copy(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditEntry.objects.filter(data__has_key="imported_from").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0005_establishment_town_index"),
        ("core", "0005_audit_entry"),
    ]

    operations = [migrations.RunPython(copy_timeline, remove_copy)]
