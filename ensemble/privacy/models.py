"""How long each office keeps what it must not keep for ever (RGPD art. 5.1.e)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import Office


class RetentionPolicy(models.Model):
    """One office's retention durations. An office without a row uses the defaults below: the
    daily purge (privacy.tasks) and the processing register read the same values."""

    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="retention_policy")
    email_body_days = models.PositiveSmallIntegerField(
        _("contenu des e-mails envoyés (jours)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "Le texte des e-mails (liens de connexion compris) est effacé après ce délai ; "
            "le destinataire, l'objet et l'état restent."
        ),
    )
    connection_ip_days = models.PositiveSmallIntegerField(
        _("adresses IP de connexion et du journal (jours)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(400)],
    )
    evidence_years = models.PositiveSmallIntegerField(
        _("preuves d'acceptation après la fin du contrat (années)"),
        default=5,
        validators=[MinValueValidator(5), MaxValueValidator(10)],
        help_text=_("Délai de prescription de droit commun : 5 ans (Code civil, art. 2224)."),
    )
    task_result_days = models.PositiveSmallIntegerField(
        _("résultats des tâches de fond (jours)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("durées de conservation")

    def __str__(self) -> str:
        return f"{self.office}"
