"""The tenant (Office), the base of tenant-owned records, and the outbox of e-mails."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from schwifty import BIC, IBAN
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret as fr_siret

from .origins import parse_origins, validate_origins


class Office(models.Model):
    """A tourism office: the tenant every other record belongs to."""

    slug = models.SlugField(_("identifiant d'URL"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    domain = models.CharField(
        _("nom d'hôte dédié"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("Facultatif : le site public et l'espace pro répondent aussi sur cet hôte."),
    )
    legal_name = models.CharField(_("raison sociale"), max_length=200, blank=True, default="")
    legal_form = models.CharField(_("forme juridique"), max_length=100, blank=True, default="")
    share_capital = models.CharField(_("capital"), max_length=60, blank=True, default="")
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, default="")
    vat_number = models.CharField(_("n° de TVA"), max_length=20, blank=True, default="")
    rcs = models.CharField(_("RCS"), max_length=100, blank=True, default="")
    address = models.CharField(_("adresse"), max_length=200, blank=True, default="")
    postcode = models.CharField(_("code postal"), max_length=10, blank=True, default="")
    city = models.CharField(_("ville"), max_length=100, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, default="")
    # The e-mails the office sends (core.tasks): "<name> <email_from_address>", answered to
    # `email_reply_to`. Empty: DEFAULT_FROM_EMAIL's address under the office's name, and replies
    # to `email`. The sending domain publishes SPF, DKIM and DMARC (docs/deployment.md).
    email_from_address = models.EmailField(_("adresse d'expédition des e-mails"), blank=True, default="")
    email_reply_to = models.EmailField(_("adresse de réponse aux e-mails"), blank=True, default="")
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, default="")
    bic = models.CharField(_("BIC"), max_length=11, blank=True, default="")
    cheque_payee = models.CharField(_("ordre des chèques"), max_length=200, blank=True, default="")
    privacy_notice = models.TextField(_("notice de protection des données"), blank=True, default="")
    # The sites allowed to call the open-data API from a browser (CORS), one origin per line.
    api_allowed_origins = models.TextField(
        _("origines autorisées pour l'API"), blank=True, default="", validators=[validate_origins]
    )
    # Every staff member meets a second factor (TOTP), not only the roles that touch money,
    # exports, settings or staff (accounts.roles.SENSITIVE_PERMISSIONS).
    require_staff_mfa = models.BooleanField(
        _("double authentification obligatoire pour toute l'équipe"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("office")
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~models.Q(domain=""), name="office_domain_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def api_origins(self) -> frozenset[str]:
        """The origins of `api_allowed_origins`, normalised (as browsers send them)."""
        return frozenset(parse_origins(self.api_allowed_origins))

    def clean(self) -> None:
        """Check and normalise the identifiers printed on invoices (SIRET, VAT number, IBAN, BIC);
        every invalid one is reported on its field, in French."""
        errors = {}
        for name, check in (
            ("siret", _check_siret),
            ("vat_number", _check_vat_number),
            ("iban", _check_iban),
            ("bic", _check_bic),
        ):
            value = getattr(self, name)
            if not value:
                continue
            try:
                setattr(self, name, check(value))
            except ValidationError as exc:
                errors[name] = exc
        if "siret" not in errors and "vat_number" not in errors:
            _check_vat_matches_siret(self, errors)
        if errors:
            raise ValidationError(errors)


def _check_siret(value: str) -> str:
    try:
        return fr_siret.validate(value)
    except StdnumError:
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (14 chiffres, clé de contrôle incorrecte).",
            code="invalid_siret",
        ) from None


def _check_vat_number(value: str) -> str:
    try:
        return eu_vat.validate(value)
    except StdnumError:
        raise ValidationError(
            "Ce numéro de TVA intracommunautaire n'est pas valide.", code="invalid_vat"
        ) from None


def _check_iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except ValueError:
        raise ValidationError("Cet IBAN n'est pas valide.", code="invalid_iban") from None


def _check_bic(value: str) -> str:
    try:
        return str(BIC(value))
    except ValueError:
        raise ValidationError("Ce BIC n'est pas valide.", code="invalid_bic") from None


def _check_vat_matches_siret(office: Office, errors: dict) -> None:
    """A French VAT number is FR, a two-character key, then the SIREN (the SIRET's first 9 digits)."""
    number = office.vat_number
    if office.siret and number.startswith("FR") and number[4:].isdigit():
        if number[4:] != office.siret[:9]:
            errors["vat_number"] = ValidationError(
                "Ce numéro de TVA ne correspond pas au SIRET : il se termine par le SIREN "
                "(les 9 premiers chiffres du SIRET).",
                code="vat_siret_mismatch",
            )


class TenantModel(models.Model):
    """A record owned by one office. Selectors always filter on `office`."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OutboundEmail(TenantModel):
    """An e-mail rendered in its recipient's language, sent by a background task.

    The row is written in the transaction that decides to send it, so a rolled-back action sends
    nothing; the task sends it at most once (it locks the row and checks `sent_at`).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("en attente")  # not sent yet, or an attempt failed and another will come
        SENT = "sent", _("envoyé")  # the mail server accepted it
        FAILED = "failed", _("échec")  # every attempt failed (TASK_MAX_ATTEMPTS); staff may retry
        BOUNCED = "bounced", _("rejeté")  # the provider reported it undeliverable after sending

    # What counts as "the mail has left": a reminder or an invitation counts as sent only then.
    LEFT_STATUSES = (Status.SENT, Status.BOUNCED)

    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=250)
    body_text = models.TextField(_("texte"))
    body_html = models.TextField(_("HTML"), blank=True, default="")
    language = models.CharField(_("langue"), max_length=5, default="fr")
    template = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")  # the last attempt's, kept after a success
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Our Message-ID, set when sending: a provider's bounce report names it (`bounced_at`, `error`).
    message_id = models.CharField(max_length=250, blank=True, default="", db_index=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    # A document attached when sending (core.attachments): its kind ("invoice_pdf") and the id of
    # its object. The bytes are not stored here: the registered provider reads (or renders) them
    # at sending time, so an e-mail queued before its PDF exists still leaves with it.
    attachment_kind = models.CharField(max_length=40, blank=True, default="")
    attachment_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"


class TaskState(models.Model):
    """Ensemble's bookkeeping beside one django-tasks result (core.worker): how many times it was
    attempted, the lease of the worker running it (renewed by a heartbeat; an expired lease means
    the worker died and the task is handed to another), and the office it concerns, if one, so the
    back office's « travaux en échec » page shows each office its own."""

    result = models.OneToOneField(
        "django_tasks_database.DBTaskResult", on_delete=models.CASCADE, primary_key=True, related_name="state"
    )
    office = models.ForeignKey(Office, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    worker_id = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.result_id} ({self.attempts})"


class DailyJobRun(models.Model):
    """One row per daily job and day: the scheduler enqueues a job only if it can insert it."""

    job = models.CharField(max_length=200)
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="daily_job_once")]

    def __str__(self) -> str:
        return f"{self.job} {self.day}"


class AuditEntry(models.Model):
    """One change of state, written by the service that made it (core.audit.record).

    No sentence is stored: `action` is a dotted code (`invoice.issued`) and `data` what changed
    (secrets masked); the entry is rendered in the reader's language from both. The organisation
    it concerns, when there is one, is kept as an id so the organisation's timeline is a filter on
    this table (core imports no app, so it is not a foreign key).
    """

    office = models.ForeignKey(Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(_("action"), max_length=80)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_type = models.CharField(_("type d'objet"), max_length=80, blank=True, default="")
    target_id = models.CharField(_("objet"), max_length=40, blank=True, default="")
    target_label = models.CharField(_("libellé de l'objet"), max_length=200, blank=True, default="")
    organisation_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["office", "-created_at"], name="audit_office_time"),
            models.Index(fields=["office", "organisation_id", "-created_at"], name="audit_organisation"),
            models.Index(fields=["office", "action", "-created_at"], name="audit_office_action"),
            models.Index(fields=["office", "actor", "-created_at"], name="audit_office_actor"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"


class EmailOptOut(TenantModel):
    """An address that asked, through the List-Unsubscribe link, to receive no more e-mails of one
    non-transactional kind from the office (core.unsubscribe). Only a SHA-256 of the lower-cased
    address is kept: enough to honour the objection, nothing to read back."""

    kind = models.CharField(_("type d'envoi"), max_length=30)
    address_digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("désinscription")
        constraints = [
            models.UniqueConstraint(fields=["office", "kind", "address_digest"], name="email_opt_out_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.address_digest[:8]}…"
