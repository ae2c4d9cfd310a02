"""Changes to the directory. Every one runs in a transaction and lands on the timeline."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify

from ensemble.accounts.models import User
from ensemble.accounts.services import activation_token, get_or_create_login
from ensemble.core.audit import acting_user
from ensemble.core.errors import EnsembleError
from ensemble.core.mail import queue_email
from ensemble.core.models import Office, OutboundEmail

from .models import (
    Category,
    Contact,
    Establishment,
    Organisation,
    OrganisationMember,
    TimelineEntry,
)
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
    return categories


@transaction.atomic
def create_category(
    office: Office, *, name: str, name_en: str = "", name_nl: str = "", actor: User | None = None
) -> Category:
    name = name.strip()
    if not name:
        raise DirectoryError("Le nom de la catégorie est obligatoire.", field="name")
    slug = slugify(name)[:60]
    if Category.objects.filter(office=office, slug=slug).exists():
        raise DirectoryError("Cette catégorie existe déjà.", field="name")
    position = Category.objects.filter(office=office).count()
    return Category.objects.create(
        office=office, slug=slug, name=name, name_en=name_en, name_nl=name_nl, position=position
    )


def record_timeline(
    organisation: Organisation,
    *,
    kind: str,
    summary: str,
    body: str = "",
    actor: User | None = None,
    email: OutboundEmail | None = None,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        office_id=organisation.office_id,
        organisation=organisation,
        kind=kind,
        summary=summary[:250],
        body=body,
        actor=acting_user(actor),
        email=email,
    )


@transaction.atomic
def add_timeline_note(
    organisation: Organisation, *, kind: str, summary: str, body: str = "", actor: User
) -> TimelineEntry:
    """A note staff write after a call, a visit or anything worth remembering."""
    allowed = {TimelineEntry.Kind.NOTE, TimelineEntry.Kind.CALL, TimelineEntry.Kind.VISIT}
    if kind not in allowed:
        raise DirectoryError("Type de note inconnu.", field="kind")
    if not summary.strip():
        raise DirectoryError("Le résumé de la note est obligatoire.", field="summary")
    return record_timeline(organisation, kind=kind, summary=summary.strip(), body=body.strip(), actor=actor)


def email_organisation(
    organisation: Organisation,
    *,
    template: str,
    context: dict,
    to: str | None = None,
    language: str | None = None,
    actor: User | None = None,
) -> OutboundEmail | None:
    """Queue an e-mail to `to` (else the organisation's primary contact), in the language of
    the contact with that address, and put it on the timeline. Call inside the acting
    service's transaction."""
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
    )
    if email is None:  # the address opted out of this kind of e-mail (core.unsubscribe)
        return None
    record_timeline(
        organisation,
        kind=TimelineEntry.Kind.EMAIL,
        summary=f"E-mail « {email.subject} » à {address}",
        actor=actor,
        email=email,
    )
    return email


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


def _save_with_timeline(instance, *, organisation: Organisation, summary: str, actor) -> None:
    instance.save()
    record_timeline(organisation, kind=TimelineEntry.Kind.UPDATE, summary=summary, actor=actor)


@transaction.atomic
def create_organisation(office: Office, *, actor: User, **fields) -> Organisation:
    """Staff add a business met at the desk or on the phone (the join form does the rest)."""
    organisation = Organisation(office=office, **fields)
    _full_clean(organisation)
    _save_with_timeline(
        organisation, organisation=organisation, summary="Fiche créée par l'équipe", actor=actor
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, actor: User, **fields) -> Organisation:
    for name, value in fields.items():
        setattr(organisation, name, value)
    _full_clean(organisation)
    _save_with_timeline(
        organisation,
        organisation=organisation,
        summary="Coordonnées de l'organisation mises à jour : " + ", ".join(sorted(fields)),
        actor=actor,
    )
    return organisation


@transaction.atomic
def save_establishment(
    organisation: Organisation,
    *,
    actor: User,
    establishment: Establishment | None = None,
    **fields,
) -> Establishment:
    """Create (no `establishment`) or update an establishment of `organisation`."""
    creating = establishment is None
    if creating:
        establishment = Establishment(office_id=organisation.office_id, organisation=organisation)
    category = fields.get("category")
    if category is not None and category.office_id != organisation.office_id:
        raise DirectoryError("Choisissez une catégorie de la liste.", field="category")
    for name, value in fields.items():
        setattr(establishment, name, value)
    _full_clean(establishment, exclude=["office", "organisation"])
    verb = "ajouté" if creating else "mis à jour"
    _save_with_timeline(
        establishment,
        organisation=organisation,
        summary=f"Établissement « {establishment.name} » {verb}",
        actor=actor,
    )
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
    verb = "ajouté" if creating else "mis à jour"
    _save_with_timeline(
        contact,
        organisation=organisation,
        summary=f"Contact « {contact.full_name} » {verb}",
        actor=actor,
    )
    return contact


# --- The espace pro team: owners invite colleagues and remove them -------------------------------


def _require_owner(organisation: Organisation, actor: User | None) -> None:
    from .selectors import is_owner

    if not is_owner(organisation, actor):
        raise DirectoryError("Seul un titulaire du compte peut gérer l'équipe de l'organisation.")


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
        raise DirectoryError("Cette adresse e-mail n'est pas valide.", field="email") from None
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_active:
        raise DirectoryError("Ce compte est désactivé : contactez l'Office.", field="email")
    already = OrganisationMember.objects.filter(organisation=organisation, user=existing)
    if existing is not None and already.exists():
        raise DirectoryError("Cette personne fait déjà partie de l'équipe.", field="email")
    user = existing or get_or_create_login(email, language=actor.language)
    member = OrganisationMember.objects.create(
        organisation=organisation, user=user, role=OrganisationMember.Role.MEMBER
    )
    uid, token = (None, None) if user.has_usable_password() else activation_token(user)
    email_organisation(
        organisation,
        to=user.email,
        language=user.language,
        template="team_invitation",
        context={"inviter": actor, "invitee": user, "activation_uid": uid, "activation_token": token},
        actor=actor,
    )
    record_timeline(
        organisation,
        kind=TimelineEntry.Kind.ACCESS,
        summary=f"{user.email} invité à l'espace pro par {actor.email}",
        actor=actor,
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
        raise DirectoryError("Cette personne ne fait pas partie de l'équipe.")
    owners = [row for row in rows if row.role == OrganisationMember.Role.OWNER]
    if member.role == OrganisationMember.Role.OWNER and len(owners) == 1:
        raise DirectoryError(
            "Le dernier titulaire du compte ne peut pas être retiré : l'organisation doit "
            "garder un titulaire. Contactez l'Office pour le remplacer."
        )
    member.delete()
    who = "s'est retiré" if user.pk == actor.pk else f"retiré par {actor.email}"
    record_timeline(
        organisation,
        kind=TimelineEntry.Kind.ACCESS,
        summary=f"{user.email} {who} de l'espace pro",
        actor=actor,
    )
