"""Acceptance evidence (the charter and CGV as accepted) is kept, never cascaded away.

`TermsAcceptance.membership` becomes PROTECT (it was CASCADE: deleting a membership erased the
proof of what its partner signed). A trigger on PostgreSQL and SQLite then refuses, even to raw
SQL, to DELETE (or TRUNCATE) an acceptance, and freezes what was accepted. The only updates left:

  - `ip_address` may become NULL and `user_agent` empty: the retention job clears the evidence
    addresses after their period (RGPD minimisation); they can be cleared, never rewritten;
  - `user_id` may become NULL: `on_delete=SET_NULL` when the login is deleted;
  - `updated_at` (auto_now).

Everything else (office, document, membership, kind, version, title, text, hash, accepted_at,
created_at) is frozen. The AlterField comes first: on SQLite a table rebuild drops its triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

ERROR = "integrity_constraint_violation"  # SQLSTATE 23000: Django raises IntegrityError

POSTGRESQL_CREATE = [
    f"""
    CREATE OR REPLACE FUNCTION guard_memberships_termsacceptance() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        free text[] := ARRAY['ip_address', 'user_agent', 'user_id', 'updated_at'];
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            RAISE EXCEPTION 'memberships_termsacceptance : TRUNCATE interdit (preuves d''acceptation)'
                USING ERRCODE = '{ERROR}';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'memberships_termsacceptance % : une preuve d''acceptation ne se supprime pas', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        IF (to_jsonb(NEW) - free) IS DISTINCT FROM (to_jsonb(OLD) - free)
           OR (NEW.ip_address IS DISTINCT FROM OLD.ip_address AND NEW.ip_address IS NOT NULL)
           OR (NEW.user_agent IS DISTINCT FROM OLD.user_agent AND NEW.user_agent <> '')
           OR (NEW.user_id IS DISTINCT FROM OLD.user_id AND NEW.user_id IS NOT NULL) THEN
            RAISE EXCEPTION 'memberships_termsacceptance % : une preuve d''acceptation ne se réécrit pas', OLD.id
                USING ERRCODE = '{ERROR}';
        END IF;
        RETURN NEW;
    END $$
    """,
    """CREATE TRIGGER guard_memberships_termsacceptance BEFORE UPDATE OR DELETE
       ON memberships_termsacceptance FOR EACH ROW EXECUTE FUNCTION guard_memberships_termsacceptance()""",
    """CREATE TRIGGER guard_memberships_termsacceptance_truncate BEFORE TRUNCATE
       ON memberships_termsacceptance FOR EACH STATEMENT EXECUTE FUNCTION guard_memberships_termsacceptance()""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance ON memberships_termsacceptance",
    "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance_truncate ON memberships_termsacceptance",
    "DROP FUNCTION IF EXISTS guard_memberships_termsacceptance()",
]

# SQLite has no row-to-JSON: the frozen columns are listed (every column but the free ones).
ACCEPTANCE_FROZEN = [
    "id", "office_id", "created_at", "document_id", "membership_id", "kind", "version", "title", "text",
    "content_hash", "accepted_at",
]  # fmt: skip
_CHANGED = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in ACCEPTANCE_FROZEN)

SQLITE_CREATE = [
    f"""CREATE TRIGGER guard_memberships_termsacceptance_update BEFORE UPDATE ON memberships_termsacceptance
        FOR EACH ROW WHEN {_CHANGED}
            OR (NEW.ip_address IS NOT OLD.ip_address AND NEW.ip_address IS NOT NULL)
            OR (NEW.user_agent IS NOT OLD.user_agent AND NEW.user_agent <> '')
            OR (NEW.user_id IS NOT OLD.user_id AND NEW.user_id IS NOT NULL)
        BEGIN SELECT RAISE(ABORT, 'memberships_termsacceptance : une preuve d''acceptation ne se réécrit pas'); END""",
    """CREATE TRIGGER guard_memberships_termsacceptance_delete BEFORE DELETE ON memberships_termsacceptance
        FOR EACH ROW
        BEGIN SELECT RAISE(ABORT, 'memberships_termsacceptance : une preuve d''acceptation ne se supprime pas'); END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance_update",
    "DROP TRIGGER IF EXISTS guard_memberships_termsacceptance_delete",
]


def _run(schema_editor, statements):
    for sql in statements[schema_editor.connection.vendor]:
        # No parameters: the SQL carries literal % signs (PL/pgSQL RAISE placeholders).
        schema_editor.execute(sql, params=None)


def create_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"No acceptance-evidence trigger written for the {vendor} database.")
    _run(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_guard(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        _run(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


class Migration(migrations.Migration):
    dependencies = [
        ("memberships", "0003_offer_highlighted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="termsacceptance",
            name="membership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="acceptances",
                to="memberships.membership",
            ),
        ),
        migrations.RunPython(create_guard, drop_guard, elidable=False),
    ]
