"""The person a request is about, found by e-mail in one office, and how their identifiers are
taken out of free text."""

from __future__ import annotations

import dataclasses
import functools
import re
import secrets
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext as _

from ensemble.accounts.models import StaffMembership, User
from ensemble.core.models import Office
from ensemble.directory.models import Contact, OrganisationMember
from ensemble.directory.validators import display_phone

from .errors import PrivacyError

ERASED_NAME = "Personne effacée"
ERASED_PHONE = "[effacé]"
PLACEHOLDER_DOMAIN = "efface.invalid"  # RFC 2606: .invalid never routes


def placeholder_email() -> str:
    """A unique address that can never receive mail and says nothing of the person."""
    return f"efface-{secrets.token_hex(8)}@{PLACEHOLDER_DOMAIN}"


@dataclasses.dataclass(frozen=True)
class Subject:
    office: Office
    email: str
    user_ids: frozenset[int]
    # Logins this office may erase: the person has no tie (staff, organisation, contact) to
    # another office. The others keep their login; only this office's data about them goes.
    erasable_user_ids: frozenset[int]
    contact_ids: frozenset[int]
    organisation_ids: frozenset[int]
    # Organisations the person stands for (owner or primary contact): their invoices are about
    # the person, so the export carries the PDFs.
    represented_organisation_ids: frozenset[int]
    names: tuple[str, ...]
    phones: tuple[str, ...]
    placeholder: str

    @property
    def shared_user_ids(self) -> frozenset[int]:
        return self.user_ids - self.erasable_user_ids

    @property
    def is_empty(self) -> bool:
        return not (self.user_ids or self.contact_ids)

    @functools.cached_property
    def patterns(self) -> list[tuple[re.Pattern, str]]:
        return _patterns(self)

    def scrub(self, value: Any) -> Any:
        """`value` with every name, e-mail and phone of the person replaced (JSON walked)."""
        if isinstance(value, str):
            return _scrub_text(value, self)
        if isinstance(value, list):
            return [self.scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub(item) for key, item in value.items()}
        return value


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise PrivacyError(
            _("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."), field="email"
        ) from None
    return email


def find_subject(office: Office, email: str) -> Subject:
    email = normalise_email(email)
    users = list(User.objects.filter(email__iexact=email))
    user_ids = frozenset(u.pk for u in users)
    contacts = list(
        Contact.objects.filter(office=office).filter(Q(email__iexact=email) | Q(user_id__in=user_ids))
    )
    memberships = list(
        OrganisationMember.objects.filter(organisation__office=office, user_id__in=user_ids).values_list(
            "organisation_id", "role"
        )
    )
    organisation_ids = frozenset([c.organisation_id for c in contacts] + [m[0] for m in memberships])
    represented = frozenset(
        [c.organisation_id for c in contacts if c.is_primary]
        + [org for org, role in memberships if role == OrganisationMember.Role.OWNER]
    )
    if not (
        contacts or memberships or StaffMembership.objects.filter(office=office, user__in=users).exists()
    ):
        # A login alone (the person is a partner or staff of another office) is none of this
        # office's business: it neither sees nor erases it.
        users, user_ids = [], frozenset()
    names = {u.full_name for u in users} | {c.full_name for c in contacts} | {c.last_name for c in contacts}
    phones = {c.phone for c in contacts if c.phone}
    return Subject(
        office=office,
        email=email,
        user_ids=user_ids,
        erasable_user_ids=frozenset(u.pk for u in users if not _known_elsewhere(u, office)),
        contact_ids=frozenset(c.pk for c in contacts),
        organisation_ids=organisation_ids,
        represented_organisation_ids=represented,
        names=tuple(sorted(n.strip() for n in names if n and len(n.strip()) >= 3)),
        phones=tuple(sorted(phones)),
        placeholder=placeholder_email(),
    )


def _known_elsewhere(user: User, office: Office) -> bool:
    return (
        StaffMembership.objects.filter(user=user).exclude(office=office).exists()
        or OrganisationMember.objects.filter(user=user).exclude(organisation__office=office).exists()
        or Contact.objects.filter(user=user).exclude(office=office).exists()
    )


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _patterns(subject: Subject) -> list[tuple[re.Pattern, str]]:
    patterns = [(re.compile(re.escape(subject.email), re.IGNORECASE), subject.placeholder)]
    for phone in subject.phones:
        national = display_phone(phone)
        for form in {phone, national, national.replace(" ", ""), national.replace(" ", ".")}:
            patterns.append((re.compile(re.escape(form)), ERASED_PHONE))
    names = sorted({v for n in subject.names for v in (n, _fold(n))}, key=len, reverse=True)
    for name in names:
        patterns.append((re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE), ERASED_NAME))
    return patterns


def _scrub_text(text: str, subject: Subject) -> str:
    for pattern, replacement in subject.patterns:
        text = pattern.sub(replacement, text)
    return text
