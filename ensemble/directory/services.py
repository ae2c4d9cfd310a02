"""Changes to the directory. Every one runs in a transaction and writes one audit entry, which
the organisation's timeline shows (the timeline is the audit log of the organisation)."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.accounts.services import activation_token, get_or_create_login
from ensemble.core import audit, publication
from ensemble.core.errors import EnsembleError
from ensemble.core.mail import queue_email
from ensemble.core.models import AuditEntry, Office, OutboundEmail
from ensemble.core.page_cache import invalidate_office

from .models import (
    Category,
    Contact,
    Establishment,
    NoteKind,
    Organisation,
    OrganisationMember,
)
from .postcodes import COUNTRIES, check_postcode, normalise_postcode
from .validators import clean_phone

DEFAULT_CATEGORIES = [
    ("hebergement", "Hébergement", "Accommodation", "Accommodatie"),
    ("restauration", "Restauration", "Restaurants", "Restaurants"),
    ("bars", "Bars", "Bars", "Cafés"),
    ("loisirs", "Activités de loisirs", "Leisure activities", "Vrijetijdsactiviteiten"),
    ("terroir", "Producteurs du terroir", "Local producers", "Streekproducenten"),
]


class DirectoryError(EnsembleError):
    pass


audit.register_actions(
    {
        "category.created": gettext_lazy("Catégorie « %(target)s » créée"),
        "organisation.note_added": gettext_lazy("%(summary)s"),
        "organisation.created": gettext_lazy("Organisation %(target)s créée par l'équipe"),
        "organisation.updated": gettext_lazy("Coordonnées de l'organisation mises à jour : %(fields)s"),
        "establishment.created": gettext_lazy("Établissement « %(target)s » ajouté"),
        "establishment.updated": gettext_lazy("Établissement « %(target)s » mis à jour : %(fields)s"),
        "contact.created": gettext_lazy("Contact « %(target)s » ajouté"),
        "contact.updated": gettext_lazy("Contact « %(target)s » mis à jour : %(fields)s"),
        "portal_member.invited": gettext_lazy("%(email)s invité(e) à l'espace pro"),
        "portal_member.removed": gettext_lazy("%(email)s retiré(e) de l'espace pro"),
        # The organisation's history written before the audit log (kept as it was worded).
        "history.imported": gettext_lazy("%(summary)s"),
    }
)


def ensure_default_categories(office: Office) -> list[Category]:
    """The five rubrics of the partner guide (CGV art. 4.1); idempotent."""
    categories = []
    for position, (slug, name, name_en, name_nl) in enumerate(DEFAULT_CATEGORIES):
        category, _ = Category.objects.get_or_create(
            office=office,
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "name_nl": name_nl,
                "position": position,
                "has_availability": slug == "hebergement",
            },
        )
        categories.append(category)
    invalidate_office(office.pk)  # the directory's rubrics
    return categories


@transaction.atomic
def create_category(
    office: Office, *, name: str, name_en: str = "", name_nl: str = "", actor: User | None = None
) -> Category:
    name = name.strip()
    if not name:
        raise DirectoryError(_("Le nom de la catégorie est obligatoire."), field="name")
    slug = slugify(name)[:60]
    if Category.objects.filter(office=office, slug=slug).exists():
        raise DirectoryError(_("Cette catégorie existe déjà."), field="name")
    position = Category.objects.filter(office=office).count()
    category = Category.objects.create(
        office=office, slug=slug, name=name, name_en=name_en, name_nl=name_nl, position=position
    )
    audit.record("category.created", actor=actor, office=office, target=category, data={"slug": slug})
    invalidate_office(office.pk)  # the directory's rubrics
    return category


@transaction.atomic
def add_timeline_note(
    organisation: Organisation, *, kind: str, summary: str, body: str = "", actor: User
) -> AuditEntry:
    """A note staff write after a call, a visit or anything worth remembering: an entry of the
    organisation's log like every other, its text being the staff member's own."""
    if kind not in NoteKind.values:
        raise DirectoryError(_("Type de note inconnu."), field="kind")
    if not summary.strip():
        raise DirectoryError(_("Le résumé de la note est obligatoire."), field="summary")
    return audit.record(
        "organisation.note_added",
        actor=actor,
        office=organisation.office,
        target=organisation,
        organisation_id=organisation.pk,
        data={"kind": kind, "summary": summary.strip()[:250], "body": body.strip()},
    )


def email_organisation(
    organisation: Organisation,
    *,
    template: str,
    context: dict,
    to: str | None = None,
    language: str | None = None,
    actor: User | None = None,
    attachment: tuple[str, int] | None = None,
) -> OutboundEmail | None:
    """Queue an e-mail to `to` (else the organisation's primary contact), in the language of
    the contact with that address. Call inside the acting service's transaction, whose audit
    entry says what happened (and may carry the e-mail's id)."""
    contact = (
        Contact.objects.filter(organisation=organisation, email__iexact=to).first() if to else None
    ) or primary_contact(organisation)
    address = to or (contact.email if contact and contact.email else organisation.email)
    if not address:
        return None
    lang = language or (contact.language if contact else "fr")
    email = queue_email(
        organisation.office,
        to=address,
        template=template,
        context={"organisation": organisation, "contact": contact, **context},
        language=lang,
        attachment=attachment,  # a document sent with it (core.attachments: an invoice's PDF)
    )
    return email  # None when the address opted out of this kind of e-mail (core.unsubscribe)


def primary_contact(organisation: Organisation) -> Contact | None:
    return Contact.objects.filter(organisation=organisation).order_by("-is_primary", "id").first()


def grant_portal_access(
    organisation: Organisation, *, user: User, role: str = OrganisationMember.Role.OWNER
) -> OrganisationMember:
    member, _ = OrganisationMember.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    return member


def _full_clean(instance, *, exclude: list[str] | None = None) -> None:
    """Model validation as a DirectoryError carrying the first message and its field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=True)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DirectoryError(messages[0], field=None if field == NON_FIELD_ERRORS else field) from None


ADDRESS_FIELDS = frozenset({"postcode", "city", "country"})


def _check_address(
    instance: Organisation | Establishment, fields, *, creating: bool, keep_mismatch: bool = False
) -> str:
    """The postcode must be the country's, and a French one must exist and serve the town
    (directory.postcodes). Checked when the address is written, not on other edits: a record
    imported with an old address can still have its phone changed. With `keep_mismatch` (the
    DATAtourisme importer only), a postcode the check refuses is kept as written and the
    problem returned, for the audit entry; otherwise "" (no problem)."""
    if not creating and not ADDRESS_FIELDS & set(fields):
        return ""
    country = getattr(instance, "country", "") or "FR"  # an establishment is in France
    if country not in dict(COUNTRIES):
        raise DirectoryError(_("Choisissez un pays de la liste."), field="country")
    problem = check_postcode(country, instance.postcode, instance.city)
    if problem is not None and not (keep_mismatch and (instance.postcode or "").strip()):
        raise DirectoryError(problem.message, field=problem.field)
    instance.postcode = normalise_postcode(country, instance.postcode)
    return problem.message if problem is not None else ""


def _save_and_record(
    instance, *, organisation: Organisation, action: str, fields, actor, mismatch: str = ""
) -> None:
    instance.save()
    data = {"fields": sorted(fields)}
    if mismatch:  # kept as written by the importer: the log says what the check refused
        data["address_unchecked"] = mismatch
    audit.record(
        action,
        actor=actor,
        office=organisation.office,
        target=instance,
        organisation_id=organisation.pk,
        data=data,
    )


@transaction.atomic
def create_organisation(
    office: Office, *, actor: User, allow_postcode_mismatch: bool = False, **fields
) -> Organisation:
    """Staff add a business met at the desk or on the phone (the join form does the rest).
    `allow_postcode_mismatch`: for the DATAtourisme importer only (see save_establishment)."""
    organisation = Organisation(office=office, **fields)
    mismatch = _check_address(organisation, fields, creating=True, keep_mismatch=allow_postcode_mismatch)
    _full_clean(organisation)
    _save_and_record(
        organisation,
        organisation=organisation,
        action="organisation.created",
        fields=fields,
        actor=actor,
        mismatch=mismatch,
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, actor: User, **fields) -> Organisation:
    for name, value in fields.items():
        setattr(organisation, name, value)
    _check_address(organisation, fields, creating=False)
    _full_clean(organisation)
    _save_and_record(
        organisation, organisation=organisation, action="organisation.updated", fields=fields, actor=actor
    )
    return organisation


@transaction.atomic
def save_establishment(
    organisation: Organisation,
    *,
    actor: User,
    establishment: Establishment | None = None,
    allow_postcode_mismatch: bool = False,
    **fields,
) -> Establishment:
    """Create (no `establishment`) or update an establishment of `organisation`.

    `allow_postcode_mismatch` is for the DATAtourisme importer only: a place the national data
    gives with a postcode that does not serve its town is kept as written (rather than lost),
    the audit entry records what the check refused, and the importer flags the place for staff
    (its ImportedObject, « partiel »). Forms and every other caller keep the check."""
    creating = establishment is None
    if creating:
        establishment = Establishment(office_id=organisation.office_id, organisation=organisation)
    category = fields.get("category")
    if category is not None and category.office_id != organisation.office_id:
        raise DirectoryError(_("Choisissez une catégorie de la liste."), field="category")
    for name, value in fields.items():
        setattr(establishment, name, value)
    _full_clean(establishment, exclude=["office", "organisation"])
    mismatch = _check_address(establishment, fields, creating=creating, keep_mismatch=allow_postcode_mismatch)
    action = "establishment.created" if creating else "establishment.updated"
    _save_and_record(
        establishment, organisation=organisation, action=action, fields=fields, actor=actor, mismatch=mismatch
    )
    publication.content_changed(office_id=organisation.office_id, organisation_ids=[organisation.pk])
    return establishment


@transaction.atomic
def save_contact(
    organisation: Organisation, *, actor: User, contact: Contact | None = None, **fields
) -> Contact:
    """Create (no `contact`) or update a contact of `organisation`."""
    creating = contact is None
    if creating:
        contact = Contact(office_id=organisation.office_id, organisation=organisation)
    for name, value in fields.items():
        setattr(contact, name, value)
    if contact.phone:
        try:
            contact.phone = clean_phone(contact.phone)
        except ValidationError as exc:
            raise DirectoryError(exc.messages[0], field="phone") from None
    _full_clean(contact, exclude=["office", "organisation", "user"])
    if contact.is_primary:  # one main contact per organisation
        organisation.contacts.exclude(pk=contact.pk).update(is_primary=False)
    action = "contact.created" if creating else "contact.updated"
    _save_and_record(contact, organisation=organisation, action=action, fields=fields, actor=actor)
    return contact


# --- The espace pro team: owners invite colleagues and remove them -------------------------------


def _require_owner(organisation: Organisation, actor: User | None) -> None:
    from .selectors import is_owner

    if not is_owner(organisation, actor):
        raise DirectoryError(_("Seul un titulaire du compte peut gérer l'équipe de l'organisation."))


@transaction.atomic
def invite_member(organisation: Organisation, *, email: str, actor: User) -> OrganisationMember:
    """An owner gives a colleague access to the organisation in the espace pro: the login is
    created without a password if needed, and the invitation e-mail carries the link to choose
    one (or to log in, for a person who already has a login)."""
    _require_owner(organisation, actor)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DirectoryError(_("Cette adresse e-mail n'est pas valide."), field="email") from None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_active:
        raise DirectoryError(_("Ce compte est désactivé : contactez l'Office."), field="email")
    already = OrganisationMember.objects.filter(organisation=organisation, user=existing)
    if existing is not None and already.exists():
        raise DirectoryError(_("Cette personne fait déjà partie de l'équipe."), field="email")
    user = existing or get_or_create_login(email, language=actor.language)
    member = OrganisationMember.objects.create(
        organisation=organisation, user=user, role=OrganisationMember.Role.MEMBER
    )
    uid, token = (None, None) if user.has_usable_password() else activation_token(user)
    sent = email_organisation(
        organisation,
        to=user.email,
        language=user.language,
        template="team_invitation",
        context={"inviter": actor, "invitee": user, "activation_uid": uid, "activation_token": token},
        actor=actor,
    )
    audit.record(
        "portal_member.invited",
        actor=actor,
        office=organisation.office,
        target=member,
        organisation_id=organisation.pk,
        data={"email": user.email, "email_id": sent.pk if sent else None},
    )
    return member


@transaction.atomic
def remove_member(organisation: Organisation, *, user: User, actor: User) -> None:
    """An owner takes a person's access to the organisation away. The last owner stays: an
    organisation always has someone who can manage its team."""
    _require_owner(organisation, actor)
    # Lock the team's rows (in id order) so two owners removing each other cannot both succeed.
    rows = list(
        OrganisationMember.objects.select_for_update().filter(organisation=organisation).order_by("pk")
    )
    member = next((row for row in rows if row.user_id == user.pk), None)
    if member is None:
        raise DirectoryError(_("Cette personne ne fait pas partie de l'équipe."))
    owners = [row for row in rows if row.role == OrganisationMember.Role.OWNER]
    if member.role == OrganisationMember.Role.OWNER and len(owners) == 1:
        raise DirectoryError(
            _(
                "Le dernier titulaire du compte ne peut pas être retiré : l'organisation doit "
                "garder un titulaire. Contactez l'Office pour le remplacer."
            )
        )
    audit.record(
        "portal_member.removed",
        actor=actor,
        office=organisation.office,
        target=member,
        organisation_id=organisation.pk,
        data={"email": user.email, "self": user.pk == actor.pk},
    )
    member.delete()
