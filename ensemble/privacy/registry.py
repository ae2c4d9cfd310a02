"""Every personal field Ensemble holds, in one place: which rows concern a person, what the export
shows of them, and what erasure does (anonymise, delete, scrub, or keep with a legal reason);
then what the daily retention job empties, and after which of the office's durations.

Models are named by label ("billing.Invoice"), so this module imports no app: a new model that
holds personal data is one `Entry` (and, if it keeps addresses or bodies, one `Purge`).
`tests/test_privacy_export_erase.py` fails for a model with personal-looking fields that is
neither here nor in `NOT_PERSONAL`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ensemble.core.unsubscribe import digest

from .subject import ERASED_NAME, Subject, placeholder_email


class Erase(enum.StrEnum):
    NOTHING = "nothing"  # only links to the person (anonymised elsewhere): exported, left as is
    SCRUB = "scrub"  # the person's names, e-mail and phones replaced in every text field
    ANONYMISE = "anonymise"  # `set_values` applied, then every other text field scrubbed
    DELETE = "delete"
    KEEP = "keep"  # kept whole, for the legal reason given


INVOICE_REASON = _(
    "Pièce comptable : conservée 10 ans à compter de la clôture de l'exercice (Code de commerce, "
    "art. L123-22 ; livre des procédures fiscales, art. L102 B), avec l'identité de l'acheteur "
    "qui y figure."
)
UNPAID_REASON = _("Facture non soldée : la créance reste due et son recouvrement en a besoin.")
ACCOUNTING_REASON = _(
    "Règlement enregistré en comptabilité : pièce justificative conservée 10 ans (Code de commerce, "
    "art. L123-22)."
)
EVIDENCE_REASON = _(
    "Preuve de l'acceptation du contrat (texte accepté, date, adresse IP, navigateur) : conservée "
    "pendant le contrat puis pendant le délai de prescription de 5 ans (Code civil, art. 2224)."
)
SHARED_LOGIN_REASON = _(
    "Identifiant de connexion utilisé auprès d'un autre office : il reste actif ; la personne doit "
    "aussi adresser sa demande à cet office."
)
OPT_OUT_REASON = _(
    "Opposition aux envois (RGPD, art. 21) : seule une empreinte de l'adresse est gardée, pour que "
    "le refus reste respecté."
)


def _users(s: Subject) -> Q:
    return Q(user_id__in=s.user_ids)


def _shared(s: Subject) -> Q:
    return Q(user_id__in=s.shared_user_ids)


def _orgs(s: Subject, path: str = "organisation") -> Q:
    return Q(**{f"{path}_id__in": s.organisation_ids})


def _unless_email(field: str) -> Callable[[Subject, Any], Any]:
    """Empty the field when it holds the person's address (an organisation's contact details are
    often its manager's own)."""
    return lambda s, row: "" if getattr(row, field).strip().lower() == s.email else getattr(row, field)


def _unless_phone(field: str) -> Callable[[Subject, Any], Any]:
    return lambda s, row: "" if getattr(row, field) in s.phones else getattr(row, field)


def _sessions_of(user_ids: frozenset[int]) -> Q:
    """Sessions are signed blobs: the open ones are decoded to find the person's."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    if not user_ids:
        return Q(pk__in=[])
    wanted = {str(pk) for pk in user_ids}
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") in wanted
    ]
    return Q(session_key__in=keys)


def _forget_sessions(keys: list[str]) -> None:
    """Sessions are also kept in the shared cache (cached_db): the engine's own delete drops
    both copies, or the erased person's session would live on there until it expires."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    for key in keys:
        store.delete(key)


def _invoice_reason(row: Any) -> str:
    from ensemble.billing.selectors import status_of
    from ensemble.billing.status import InvoiceStatus

    unpaid = {InvoiceStatus.UNPAID, InvoiceStatus.PARTLY_PAID, InvoiceStatus.OVERDUE}
    if row.kind == row.Kind.INVOICE and status_of(row) in unpaid:
        return f"{INVOICE_REASON} {UNPAID_REASON}"
    return str(INVOICE_REASON)


@dataclasses.dataclass(frozen=True)
class Entry:
    model: str  # "app_label.ModelName"
    kind: str  # the export's file name (kind.json)
    label: Any  # French, lazy
    rows: Callable[[Subject], Q]  # the rows about the person (office-scoped where the model is)
    export: tuple[str, ...]  # the values exported (lookups allowed); never a secret
    erase: Erase
    set_values: Mapping[str, Callable[[Subject, Any], Any]] = dataclasses.field(default_factory=dict)
    keep: Callable[[Subject], Q] | None = None  # rows kept whole, with `reason`
    reason: Any = ""  # a string, or a callable(row) -> str
    describe: Callable[[Any], str] = str
    forget: Callable[[list], None] | None = None  # given the deleted rows' keys: copies kept elsewhere


USER_FIELDS = ("email", "full_name", "language", "is_active", "date_joined", "last_login")

ENTRIES: list[Entry] = [
    Entry(
        "accounts.User",
        "compte",
        _("Identifiant de connexion"),
        lambda s: Q(pk__in=s.user_ids),
        USER_FIELDS,
        Erase.ANONYMISE,
        set_values={
            "email": lambda s, row: placeholder_email(),
            "full_name": lambda s, row: ERASED_NAME,
            "password": lambda s, row: make_password(None),
            "is_active": lambda s, row: False,
        },
        keep=lambda s: Q(pk__in=s.shared_user_ids),
        reason=SHARED_LOGIN_REASON,
    ),
    Entry(
        "account.EmailAddress",
        "adresses_verifiees",
        _("Adresse e-mail vérifiée"),
        _users,
        ("email", "verified", "primary"),
        Erase.DELETE,
        keep=_shared,
        reason=SHARED_LOGIN_REASON,
    ),
    Entry(
        # The TOTP secret and recovery codes are never exported: only that a factor exists.
        "mfa.Authenticator",
        "double_authentification",
        _("Double authentification"),
        _users,
        ("type", "created_at", "last_used_at"),
        Erase.DELETE,
        keep=_shared,
        reason=SHARED_LOGIN_REASON,
    ),
    Entry(
        "sessions.Session",
        "sessions",
        _("Session ouverte"),
        lambda s: _sessions_of(s.user_ids),
        ("expire_date",),
        Erase.DELETE,
        keep=lambda s: _sessions_of(s.shared_user_ids),
        reason=SHARED_LOGIN_REASON,
        describe=lambda row: str(_("Session jusqu'au %(date)s")) % {"date": f"{row.expire_date:%d/%m/%Y}"},
        forget=_forget_sessions,
    ),
    Entry(
        "accounts.StaffMembership",
        "equipe",
        _("Appartenance à l'équipe de l'office"),
        lambda s: Q(office=s.office) & _users(s),
        ("role", "pole", "is_active", "created_at"),
        Erase.DELETE,
    ),
    Entry(
        "directory.Contact",
        "contacts",
        _("Contact dans l'annuaire"),
        lambda s: Q(pk__in=s.contact_ids),
        (
            "organisation__name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "role",
            "language",
            "is_primary",
            "created_at",
        ),
        Erase.ANONYMISE,
        set_values={
            "first_name": lambda s, row: "Personne",
            "last_name": lambda s, row: "effacée",
            "email": lambda s, row: s.placeholder,
            "phone": lambda s, row: "",
            "user": lambda s, row: None,
        },
    ),
    Entry(
        "directory.OrganisationMember",
        "acces_espace_pro",
        _("Accès à l'espace pro d'une organisation"),
        lambda s: Q(organisation__office=s.office) & _users(s),
        ("organisation__name", "role", "created_at"),
        Erase.DELETE,
    ),
    Entry(
        "directory.Organisation",
        "organisations",
        _("Organisation"),
        lambda s: Q(office=s.office, pk__in=s.organisation_ids),
        ("name", "siren", "siret", "vat_number", "address", "postcode", "city", "country", "email", "phone"),
        Erase.ANONYMISE,
        set_values={"email": _unless_email("email"), "phone": _unless_phone("phone")},
    ),
    Entry(
        "directory.Establishment",
        "etablissements",
        _("Établissement"),
        lambda s: Q(office=s.office) & _orgs(s),
        ("name", "address", "postcode", "city", "phone", "email", "website"),
        Erase.ANONYMISE,
        set_values={"email": _unless_email("email"), "phone": _unless_phone("phone")},
    ),
    Entry(
        "core.AuditEntry",
        "journal",
        _("Entrée du journal d'audit"),
        lambda s: (
            Q(office=s.office)
            & (
                Q(actor_id__in=s.user_ids)
                | Q(organisation_id__in=s.organisation_ids)
                | Q(target_type="accounts.user", target_id__in=[str(pk) for pk in s.user_ids])
                | Q(target_type="directory.contact", target_id__in=[str(pk) for pk in s.contact_ids])
            )
            # Logins are logged without an office: the office that erases the login scrubs them.
            | Q(office__isnull=True)
            & (
                Q(actor_id__in=s.erasable_user_ids)
                | Q(target_type="accounts.user", target_id__in=[str(pk) for pk in s.erasable_user_ids])
            )
        ),
        ("action", "target_type", "target_id", "target_label", "data", "ip_address", "created_at"),
        Erase.ANONYMISE,
        set_values={"ip_address": lambda s, row: None if row.actor_id in s.user_ids else row.ip_address},
    ),
    Entry(
        "core.OutboundEmail",
        "emails",
        _("E-mail envoyé"),
        lambda s: Q(office=s.office, to__iexact=s.email),
        ("to", "subject", "template", "status", "sent_at", "created_at", "body_text"),
        Erase.ANONYMISE,
        set_values={
            "to": lambda s, row: s.placeholder,
            "body_text": lambda s, row: "",
            "body_html": lambda s, row: "",
            "error": lambda s, row: "",
            # A queued e-mail must not leave for the placeholder address.
            "status": lambda s, row: "failed" if row.status == "queued" else row.status,
        },
    ),
    Entry(
        "core.EmailOptOut",
        "desinscriptions",
        _("Désinscription des envois"),
        lambda s: Q(office=s.office, address_digest=digest(s.email)),
        ("kind", "created_at"),
        Erase.KEEP,
        keep=lambda s: Q(),
        reason=OPT_OUT_REASON,
    ),
    Entry(
        "memberships.Membership",
        "adhesions",
        _("Adhésion ou demande d'adhésion"),
        lambda s: Q(office=s.office) & (_orgs(s) | Q(applicant_id__in=s.user_ids)),
        (
            "organisation__name",
            "season__year",
            "status",
            "payment_method",
            "amount_due",
            "bulletin_signed_on",
            "accepted_on",
            "paid_on",
            "activated_on",
            "ends_on",
            "created_at",
        ),
        Erase.NOTHING,
    ),
    Entry(
        "memberships.MembershipTransition",
        "historique_adhesions",
        _("Changement de statut d'adhésion"),
        lambda s: (
            Q(membership__office=s.office)
            & (_orgs(s, "membership__organisation") | Q(actor_id__in=s.user_ids))
        ),
        ("membership__season__year", "action", "from_status", "to_status", "reason", "created_at"),
        Erase.SCRUB,
    ),
    Entry(
        "memberships.TermsAcceptance",
        "acceptations",
        _("Acceptation de la charte ou des CGV"),
        lambda s: Q(office=s.office) & (_users(s) | _orgs(s, "membership__organisation")),
        (
            "membership__season__year",
            "kind",
            "version",
            "title",
            "text",
            "content_hash",
            "accepted_at",
            "ip_address",
            "user_agent",
        ),
        Erase.KEEP,
        keep=lambda s: Q(),
        reason=EVIDENCE_REASON,
        describe=lambda row: f"{row.title} v{row.version} ({row.accepted_at:%d/%m/%Y})",
    ),
    Entry(
        "memberships.EntitlementConsumption",
        "droits_utilises",
        _("Utilisation d'un droit du pack"),
        lambda s: (
            Q(entitlement__office=s.office)
            & (_orgs(s, "entitlement__membership__organisation") | Q(actor_id__in=s.user_ids))
        ),
        ("entitlement__label", "quantity", "note", "created_at"),
        Erase.SCRUB,
    ),
    Entry(
        "billing.Invoice",
        "factures",
        _("Facture ou avoir"),
        lambda s: Q(office=s.office) & _orgs(s),
        (
            "kind",
            "state",
            "number",
            "issue_date",
            "due_date",
            "buyer_name",
            "buyer_address",
            "buyer_postcode",
            "buyer_city",
            "buyer_country",
            "buyer_siren",
            "buyer_vat_number",
            "total_ht",
            "total_vat",
            "total_ttc",
            "note",
        ),
        Erase.SCRUB,
        keep=lambda s: Q(state="issued"),
        reason=_invoice_reason,
    ),
    Entry(
        "billing.Payment",
        "reglements",
        _("Règlement"),
        lambda s: Q(office=s.office) & _orgs(s),
        (
            "invoice__number",
            "method",
            "amount",
            "received_on",
            "cheque_number",
            "bank",
            "transfer_reference",
            "cancelled_at",
            "cancel_reason",
        ),
        Erase.KEEP,
        keep=lambda s: Q(),
        reason=ACCOUNTING_REASON,
    ),
    Entry(
        "billing.Quote",
        "devis",
        _("Devis"),
        lambda s: Q(office=s.office) & (_orgs(s) | Q(decided_by_id__in=s.user_ids)),
        (
            "number",
            "state",
            "sent_on",
            "valid_until",
            "total_ttc",
            "decided_at",
            "decided_ip",
            "decided_user_agent",
            "decline_reason",
        ),
        Erase.ANONYMISE,
        set_values={"decided_ip": lambda s, row: None, "decided_user_agent": lambda s, row: ""},
        # An accepted quote is the contract: its acceptance is evidence, like the CGV's.
        keep=lambda s: Q(state__in=["accepted", "invoiced"]),
        reason=EVIDENCE_REASON,
    ),
    Entry(
        "listings.Listing",
        "fiches",
        _("Fiche"),
        lambda s: Q(office=s.office) & _orgs(s),
        ("establishment__name", "short_description", "long_description", "booking_url", "unpublished_reason"),
        Erase.SCRUB,
    ),
    Entry(
        "listings.ListingVersion",
        "versions_fiches",
        _("Version publiée d'une fiche"),
        lambda s: (
            Q(listing__office=s.office)
            & (_orgs(s, "listing__organisation") | Q(created_by_id__in=s.user_ids))
        ),
        ("listing__establishment__name", "number", "data", "origin", "created_at"),
        Erase.SCRUB,
    ),
    Entry(
        "listings.ChangeProposal",
        "propositions_fiches",
        _("Proposition de modification d'une fiche"),
        lambda s: (
            Q(office=s.office) & (_orgs(s, "listing__organisation") | Q(submitted_by_id__in=s.user_ids))
        ),
        ("listing__establishment__name", "status", "changes", "submitted_at", "reason"),
        Erase.SCRUB,
    ),
    Entry(
        "listings.Photo",
        "photos",
        _("Photo d'une fiche"),
        lambda s: (
            Q(listing__office=s.office)
            & (_orgs(s, "listing__organisation") | Q(uploaded_by_id__in=s.user_ids))
        ),
        ("listing__establishment__name", "credit", "alt_text", "uploaded_at"),
        Erase.SCRUB,
    ),
    Entry(
        "claims.Claim",
        "demandes",
        _("Demande de prestation"),
        lambda s: (
            Q(office=s.office) & (_orgs(s, "membership__organisation") | Q(requested_by_id__in=s.user_ids))
        ),
        ("kind", "status", "message", "answer", "refusal_reason", "text", "created_at"),
        Erase.SCRUB,
    ),
    Entry(
        "events.Event",
        "evenements",
        _("Événement de l'agenda"),
        lambda s: Q(office=s.office) & (_orgs(s) | Q(submitted_by_id__in=s.user_ids)),
        ("title", "summary", "description", "place_name", "address", "city", "starts_at", "status", "reason"),
        Erase.SCRUB,
    ),
    Entry(
        # The Django admin's history of the person's own records (object_repr is their name).
        "admin.LogEntry",
        "",
        _("Historique de l'administration technique"),
        lambda s: (
            Q(
                content_type__app_label="accounts",
                content_type__model="user",
                object_id__in=[str(pk) for pk in s.user_ids],
            )
            | Q(
                content_type__app_label="directory",
                content_type__model="contact",
                object_id__in=[str(pk) for pk in s.contact_ids],
            )
        ),
        (),
        Erase.SCRUB,
    ),
]

# Models read and found to hold nothing about a person beyond links to rows above (a user as
# `actor`, `created_by`…, anonymised with the user), or only the office's own data.
NOT_PERSONAL = {
    "auth.Permission": "",
    "auth.Group": "",
    "contenttypes.ContentType": "",
    "account.EmailConfirmation": "deleted with its EmailAddress (cascade)",
    "django_tasks_database.DBTaskResult": "tasks take ids; finished results purged (Purge below)",
    "core.Office": "the office's own identity",
    "core.DailyJobRun": "",
    "privacy.RetentionPolicy": "",
}


def entries() -> list[Entry]:
    return list(ENTRIES)


# ---- retention --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Purge:
    """Rows of `model` whose `reference` date is older than the office's `period` lose `clear`."""

    model: str
    label: Any
    period: str  # a RetentionPolicy field
    unit: str  # "days" or "years"
    reference: str  # lookup of the date (DateField or DateTimeField)
    clear: Mapping[str, Any]
    holding: Q  # rows still holding what is cleared (the purge runs twice, changes once)
    when: Q = dataclasses.field(default_factory=Q)
    office: str = "office"


DECIDED = ["accepted", "invoiced"]

PURGES: list[Purge] = [
    Purge(
        "core.OutboundEmail",
        _("Contenu des e-mails envoyés (liens à usage unique compris)"),
        "email_body_days",
        "days",
        "sent_at",
        {"body_text": "", "body_html": "", "error": ""},
        holding=~Q(body_text="") | ~Q(body_html="") | ~Q(error=""),
        when=Q(status="sent"),
    ),
    Purge(
        "core.OutboundEmail",
        _("Contenu des e-mails en échec"),
        "email_body_days",
        "days",
        "created_at",
        {"body_text": "", "body_html": ""},
        holding=~Q(body_text="") | ~Q(body_html=""),
        when=Q(status="failed"),
    ),
    Purge(
        "core.AuditEntry",
        _("Adresses IP du journal (connexions comprises)"),
        "connection_ip_days",
        "days",
        "created_at",
        {"ip_address": None},
        holding=Q(ip_address__isnull=False),
    ),
    Purge(
        "billing.Quote",
        _("Adresse IP et navigateur d'un devis refusé"),
        "connection_ip_days",
        "days",
        "decided_at",
        {"decided_ip": None, "decided_user_agent": ""},
        holding=Q(decided_ip__isnull=False) | ~Q(decided_user_agent=""),
        when=~Q(state__in=DECIDED),
    ),
    Purge(
        "billing.Quote",
        _("Adresse IP et navigateur d'un devis accepté (preuve)"),
        "evidence_years",
        "years",
        "decided_at",
        {"decided_ip": None, "decided_user_agent": ""},
        holding=Q(decided_ip__isnull=False) | ~Q(decided_user_agent=""),
        when=Q(state__in=DECIDED),
    ),
    Purge(
        # The evidence's IP is part of the evidence: kept as long as the evidence is needed, the
        # season of the contract plus the limitation period; the accepted text stays.
        "memberships.TermsAcceptance",
        _("Adresse IP et navigateur des acceptations (preuve)"),
        "evidence_years",
        "years",
        "membership__season__ends_on",
        {"ip_address": None, "user_agent": ""},
        holding=Q(ip_address__isnull=False) | ~Q(user_agent=""),
    ),
]
