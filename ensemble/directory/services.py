"""Changes to the directory. Every one runs in a transaction and lands on the timeline."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.text import slugify

from ensemble.accounts.models import User
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
            defaults={"name": name, "name_en": name_en, "name_nl": name_nl, "position": position},
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
        actor=actor if actor is not None and actor.is_authenticated else None,
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
