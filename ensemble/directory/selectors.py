"""Reads of the directory, always scoped to one office."""

from django.db.models import Q, QuerySet

from ensemble.accounts.models import User
from ensemble.core.audit import acting_user
from ensemble.core.models import AuditEntry, Office

from .models import Category, Contact, Establishment, Organisation


def categories(office: Office) -> QuerySet[Category]:
    return Category.objects.filter(office=office)


def organisations(office: Office) -> QuerySet[Organisation]:
    return Organisation.objects.filter(office=office)


def organisation_detail(office: Office, pk: int) -> Organisation:
    """The organisation with its establishments and contacts; DoesNotExist outside `office`."""
    return (
        Organisation.objects.filter(office=office)
        .prefetch_related("establishments__category", "contacts")
        .get(pk=pk)
    )


def timeline(organisation: Organisation) -> QuerySet[AuditEntry]:
    """The organisation's history, newest first: the audit entries about it (its membership,
    invoices, listings, requests, team…) and the staff's notes."""
    return (
        AuditEntry.objects.filter(office_id=organisation.office_id, organisation_id=organisation.pk)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def find_known_organisation(office: Office, *, siret: str, email: str) -> Organisation | None:
    """An organisation of this office already known by its SIREN (from the SIRET) or by the
    e-mail of one of its contacts: joining again attaches to it instead of duplicating it."""
    query = Q()
    if siret:
        query |= Q(siret=siret) | Q(siren=siret[:9])
    if email:
        query |= Q(email__iexact=email) | Q(contacts__email__iexact=email)
    if not query:
        return None
    return Organisation.objects.filter(office=office).filter(query).order_by("id").first()


def organisations_of_user(user: User, office: Office) -> QuerySet[Organisation]:
    return Organisation.objects.filter(office=office, organisationmember__user=user)


def organisation_list(office: Office, *, search: str = "") -> QuerySet[Organisation]:
    """The staff list of organisations, with their number of establishments; one query."""
    from django.db.models import Count

    from .models import Establishment

    qs = Organisation.objects.filter(office=office)
    if search:
        by_establishment = Establishment.objects.filter(office=office, name__icontains=search)
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(city__icontains=search)
            | Q(siren__startswith=search.replace(" ", ""))
            | Q(pk__in=by_establishment.values("organisation_id"))
        )
    return qs.annotate(establishment_count=Count("establishments")).order_by("name", "id")


def organisation_by_pk(office: Office, pk: int) -> Organisation:
    """One organisation of `office`, without its relations; DoesNotExist outside `office`."""
    return Organisation.objects.get(office=office, pk=pk)


def establishment_of(organisation: Organisation, pk: int) -> Establishment:
    """An establishment of `organisation` (hence of its office); DoesNotExist otherwise."""
    return Establishment.objects.select_related("category").get(
        office_id=organisation.office_id, organisation=organisation, pk=pk
    )


def contact_of(organisation: Organisation, pk: int) -> Contact:
    """A contact of `organisation` (hence of its office); DoesNotExist otherwise."""
    return Contact.objects.get(office_id=organisation.office_id, organisation=organisation, pk=pk)


# --- The espace pro: a person and the organisations they act for --------------------------------


def portal_member(user: User, office: Office, organisation_id: int):
    """The person's own OrganisationMember row for that organisation of `office`, with the
    organisation; DoesNotExist if they do not act for it there."""
    from .models import OrganisationMember

    return OrganisationMember.objects.select_related("organisation").get(
        user=user, organisation__office=office, organisation_id=organisation_id
    )


def team(organisation: Organisation):
    """Who acts for `organisation` in the espace pro, owners first."""
    from .models import OrganisationMember

    return (
        OrganisationMember.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__email")
    )


def team_member(organisation: Organisation, pk: int):
    """One member of `organisation`'s team; DoesNotExist otherwise."""
    return team(organisation).get(pk=pk)


def is_owner(organisation: Organisation, user: User) -> bool:
    from .models import OrganisationMember

    if acting_user(user) is None:
        return False
    return OrganisationMember.objects.filter(
        organisation=organisation, user=user, role=OrganisationMember.Role.OWNER
    ).exists()
