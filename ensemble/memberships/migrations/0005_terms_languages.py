"""The charter and the CGV in English and Dutch; an acceptance records the language read.

`TermsDocument` gets `title_en`/`body_en` and `title_nl`/`body_nl` (empty: no such version, the
French one is shown and accepted). `TermsAcceptance.language` is the language of the text the
person accepted; the acceptances written before it were all of the French text ("fr").

Adding a NOT NULL column rebuilds the table on SQLite, which drops the acceptance-evidence
triggers of migration 0004: they are written again here, with `language` among the frozen
columns. On PostgreSQL the trigger stays and freezes the new column by itself (it compares the
whole row but the free columns).
"""

from django.db import migrations, models

SQLITE_FROZEN = [
    "id", "office_id", "created_at", "document_id", "membership_id", "kind", "version", "language", "title",
    "text", "content_hash", "accepted_at",
]  # fmt: skip


def _sqlite_guard(frozen: list[str]) -> list[str]:
    changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in frozen)
    return [
        "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance_update",
        "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance_delete",
        f"""CREATE TRIGGER guard_memberships_termsacceptance_update BEFORE UPDATE ON memberships_termsacceptance
            FOR EACH ROW WHEN {changed}
                OR (NEW.ip_address IS NOT OLD.ip_address AND NEW.ip_address IS NOT NULL)
                OR (NEW.user_agent IS NOT OLD.user_agent AND NEW.user_agent <> '')
                OR (NEW.user_id IS NOT OLD.user_id AND NEW.user_id IS NOT NULL)
            BEGIN SELECT RAISE(ABORT, 'memberships_termsacceptance : une preuve d''acceptation ne se réécrit pas'); END""",
        """CREATE TRIGGER guard_memberships_termsacceptance_delete BEFORE DELETE ON memberships_termsacceptance
            FOR EACH ROW
            BEGIN SELECT RAISE(ABORT, 'memberships_termsacceptance : une preuve d''acceptation ne se supprime pas'); END""",
    ]


def rewrite_sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in _sqlite_guard(SQLITE_FROZEN):
            schema_editor.execute(sql, params=None)


def restore_sqlite_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":  # the table is rebuilt again without `language`
        for sql in _sqlite_guard([column for column in SQLITE_FROZEN if column != "language"]):
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("memberships", "0004_acceptance_evidence_guard"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_guard, elidable=False),
        migrations.AddField(
            model_name="termsacceptance",
            name="language",
            field=models.CharField(
                choices=[("fr", "Français"), ("en", "English"), ("nl", "Nederlands")], default="fr", max_length=2
            ),
        ),
        migrations.AddField(
            model_name="termsdocument",
            name="body_en",
            field=models.TextField(blank=True, default="", verbose_name="texte (anglais)"),
        ),
        migrations.AddField(
            model_name="termsdocument",
            name="body_nl",
            field=models.TextField(blank=True, default="", verbose_name="texte (néerlandais)"),
        ),
        migrations.AddField(
            model_name="termsdocument",
            name="title_en",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="titre (anglais)"),
        ),
        migrations.AddField(
            model_name="termsdocument",
            name="title_nl",
            field=models.CharField(
                blank=True, default="", max_length=200, verbose_name="titre (néerlandais)"
            ),
        ),
        migrations.RunPython(rewrite_sqlite_guard, migrations.RunPython.noop, elidable=False),
    ]
