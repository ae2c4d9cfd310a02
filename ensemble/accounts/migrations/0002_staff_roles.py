"""Staff roles: each membership gets a role drawn from its pôle; the former managers direct."""

from django.db import migrations, models

# pôle -> role for the staff who were not managers (the managers become « direction »).
ROLE_OF_POLE = {
    "accueil": "accueil",
    "commercialisation": "partenaires",
    "promotion": "promotion",
    "partenaires": "partenaires",
    "administration": "comptabilite",
}


def roles_from_poles(apps, schema_editor):
    StaffMembership = apps.get_model("accounts", "StaffMembership")
    for staff in StaffMembership.objects.all():
        staff.role = "direction" if staff.is_manager else ROLE_OF_POLE.get(staff.pole, "lecture")
        staff.save(update_fields=["role"])


def managers_from_roles(apps, schema_editor):
    StaffMembership = apps.get_model("accounts", "StaffMembership")
    StaffMembership.objects.filter(role="direction").update(is_manager=True)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="staffmembership",
            name="role",
            field=models.CharField(
                choices=[
                    ("direction", "Direction"),
                    ("partenaires", "Relations partenaires"),
                    ("accueil", "Accueil"),
                    ("comptabilite", "Comptabilité"),
                    ("promotion", "Promotion / communication"),
                    ("lecture", "Lecture seule"),
                ],
                default="lecture",
                max_length=20,
                verbose_name="rôle",
            ),
        ),
        migrations.AddField(
            model_name="staffmembership",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="actif"),
        ),
        migrations.AddField(
            model_name="staffmembership",
            name="deactivated_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="désactivé le"),
        ),
        migrations.RunPython(roles_from_poles, managers_from_roles),
        migrations.RemoveField(model_name="staffmembership", name="is_manager"),
    ]
