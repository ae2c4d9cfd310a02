"""The online join form ("bulletin d'adhésion"): from a public submission to a membership request."""

import dataclasses
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.accounts.services import activation_token, get_or_create_login
from ensemble.core.models import Office
from ensemble.directory import selectors as directory_selectors
from ensemble.directory import services as directory_services
from ensemble.directory.models import (
    Category,
    Contact,
    Establishment,
    Organisation,
    OrganisationMember,
)
from ensemble.directory.postcodes import check_postcode
from ensemble.directory.validators import clean_phone, clean_siret

from .. import selectors
from ..errors import MembershipError
from ..models import Membership, MembershipLine, Offer, Season, TermsAcceptance, TermsDocument
from ..pricing import join_terms
from .lifecycle import _record, log_transition

MAX_PER_PERSON_QUANTITY = 50


@dataclasses.dataclass(kw_only=True)
class JoinApplication:
    """What the bulletin d'adhésion asks, as the join form collects it."""

    establishment_name: str
    first_name: str
    last_name: str
    address: str
    postcode: str
    city: str
    phone: str
    email: str
    siret: str
    category_id: int
    pack_id: int
    options: dict[int, int]  # offer id -> quantity
    payment_method: str
    accepted_charter_id: int | None
    accepted_cgv_id: int | None
    language: str = "fr"
    submission_key: str = ""
    # The language the charter and CGV were shown in (the page's: fr, en or nl); `language` when
    # empty. The acceptance records the text of that language, or the French one if it has none.
    terms_language: str = ""


@dataclasses.dataclass
class JoinResult:
    membership: Membership
    attached_to_existing: bool
    already_submitted: bool = False


@dataclasses.dataclass
class Evidence:
    ip_address: str | None
    user_agent: str


FIELD_LIMITS = {
    "establishment_name": 200,
    "first_name": 100,
    "last_name": 100,
    "address": 200,
    "postcode": 10,
    "city": 100,
}


def _clean_identity(app: JoinApplication) -> None:
    for field, limit in FIELD_LIMITS.items():
        value = " ".join(getattr(app, field).split())
        if not value:
            raise MembershipError(_("Ce champ est obligatoire."), field=field)
        if len(value) > limit:
            raise MembershipError(_("%(limit)s caractères au maximum.") % {"limit": limit}, field=field)
        setattr(app, field, value)
    app.email = app.email.strip().lower()
    try:
        validate_email(app.email)
    except ValidationError:
        raise MembershipError(_("Cette adresse e-mail n'est pas valide."), field="email") from None
    for field, check in (("siret", clean_siret), ("phone", clean_phone)):
        try:
            setattr(app, field, check(getattr(app, field)))
        except ValidationError as exc:
            raise MembershipError(exc.messages[0], field=field) from None
    # The address is the establishment's, in the office's territory: a French postcode that
    # exists and serves the town (directory.postcodes).
    problem = check_postcode("FR", app.postcode, app.city)
    if problem is not None:
        raise MembershipError(problem.message, field=problem.field)
    app.postcode = app.postcode.replace(" ", "")


def _open_season(office: Office) -> Season:
    season = selectors.open_season(office)
    if season is None:
        raise MembershipError(_("Les adhésions ne sont pas ouvertes pour le moment."))
    return season


def _chosen_offers(season: Season, app: JoinApplication) -> list[tuple[Offer, int]]:
    offers = {o.pk: o for o in Offer.objects.filter(season=season, is_active=True)}
    pack = offers.get(app.pack_id)
    if pack is None or pack.kind != Offer.Kind.PACK:
        raise MembershipError(_("Choisissez le pack partenaire de la saison."), field="pack")
    chosen = [(pack, 1)]
    for offer_id, quantity in app.options.items():
        offer = offers.get(offer_id)
        if offer is None or offer.kind != Offer.Kind.OPTION:
            raise MembershipError(
                _("Cette prestation ne fait pas partie du catalogue de la saison."), field="options"
            )
        if quantity is None or quantity < 1:
            raise MembershipError(
                _("« %(offer)s » : la quantité doit être d'au moins 1.") % {"offer": offer.name},
                field="options",
            )
        if offer.pricing_mode != Offer.PricingMode.PER_PERSON and quantity != 1:
            raise MembershipError(
                _("« %(offer)s » se commande à l'unité.") % {"offer": offer.name}, field="options"
            )
        if quantity > MAX_PER_PERSON_QUANTITY:
            raise MembershipError(
                _(
                    "« %(offer)s » : %(max)s personnes au maximum en ligne ; "
                    "contactez l'Office pour un groupe plus grand."
                )
                % {"offer": offer.name, "max": MAX_PER_PERSON_QUANTITY},
                field="options",
            )
        chosen.append((offer, quantity))
    return chosen


# (not accepted, a newer version was published), translated when raised.
CHARTER_MESSAGES = (
    gettext_lazy("Vous devez accepter la charte pour adhérer."),
    gettext_lazy("Une nouvelle version de la charte a été publiée : relisez-la et acceptez-la."),
)
CGV_MESSAGES = (
    gettext_lazy("Vous devez accepter les CGV pour adhérer."),
    gettext_lazy("Une nouvelle version des CGV a été publiée : relisez-la et acceptez-la."),
)


def _accepted_terms(season: Season, app: JoinApplication) -> list[TermsDocument]:
    current = {d.kind: d for d in TermsDocument.objects.filter(season=season, is_current=True)}
    documents = []
    for kind, doc_id, field, label in (
        (TermsDocument.Kind.CHARTER, app.accepted_charter_id, "accept_charter", CHARTER_MESSAGES),
        (TermsDocument.Kind.CGV, app.accepted_cgv_id, "accept_cgv", CGV_MESSAGES),
    ):
        doc = current.get(kind)
        if not doc_id:
            raise MembershipError(str(label[0]), field=field)
        if doc is None or doc.pk != doc_id:
            raise MembershipError(str(label[1]), field=field)
        documents.append(doc)
    return documents


def submit_join_request(
    office: Office, app: JoinApplication, *, evidence: Evidence, actor: User | None = None
) -> JoinResult:
    """Validate the bulletin and create organisation, establishment, contact, login and request.

    A known organisation (same SIREN, or the e-mail of one of its contacts) is reused and the
    result says so. The same form submitted twice (same `submission_key`) returns the first
    request.
    """
    if app.submission_key:
        existing = Membership.objects.filter(office=office, submission_key=app.submission_key)
        if existing.exists():
            return JoinResult(existing.get(), attached_to_existing=False, already_submitted=True)
    _clean_identity(app)
    if app.payment_method not in Membership.PaymentMethod.values:
        raise MembershipError(_("Choisissez un mode de règlement."), field="payment_method")
    season = _open_season(office)
    category = Category.objects.filter(office=office, pk=app.category_id).first()
    if category is None:
        raise MembershipError(_("Choisissez une catégorie de la liste."), field="category")
    chosen = _chosen_offers(season, app)
    documents = _accepted_terms(season, app)
    try:
        return _create_request(office, season, category, chosen, documents, app, evidence, actor)
    except IntegrityError:
        # Two submissions of the same form raced each other: the first one won.
        if app.submission_key:
            existing = Membership.objects.filter(office=office, submission_key=app.submission_key).first()
            if existing is not None:
                return JoinResult(existing, attached_to_existing=False, already_submitted=True)
        raise MembershipError(
            _("Une demande d'adhésion est déjà en cours pour cette organisation et cette saison.")
        ) from None


@transaction.atomic
def _create_request(office, season, category, chosen, documents, app, evidence, actor) -> JoinResult:
    organisation = directory_selectors.find_known_organisation(office, siret=app.siret, email=app.email)
    attached = organisation is not None
    if (
        attached
        and Membership.objects.filter(organisation=organisation, season=season)
        .exclude(status__in=[Membership.Status.REFUSED, Membership.Status.TERMINATED])
        .exists()
    ):
        raise MembershipError(
            _(
                "%(organisation)s a déjà une demande ou une adhésion pour %(year)s. "
                "Connectez-vous à votre espace pro ou contactez l'Office."
            )
            % {"organisation": organisation.name, "year": season.year}
        )
    if organisation is None:
        organisation = Organisation.objects.create(
            office=office,
            name=app.establishment_name,
            siren=app.siret[:9],
            siret=app.siret,
            address=app.address,
            postcode=app.postcode,
            city=app.city,
            email=app.email,
            phone=app.phone,
        )
    establishment = _establishment_for(organisation, category, app)
    contact = _contact_for(organisation, app)
    user = get_or_create_login(
        app.email, full_name=f"{app.first_name} {app.last_name}", language=app.language
    )
    if contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
    if not attached:
        directory_services.grant_portal_access(organisation, user=user, role=OrganisationMember.Role.OWNER)
    today = timezone.localdate()
    terms = join_terms(season, today=today)
    membership = Membership.objects.create(
        office=office,
        season=season,
        organisation=organisation,
        establishment=establishment,
        payment_method=app.payment_method,
        bulletin_signed_on=today,
        starts_on=terms.starts_on,
        applicant=user,
        submission_key=app.submission_key or None,
        amount_due=Decimal("0.00"),
    )
    lines = [
        MembershipLine(
            membership=membership,
            offer=offer,
            quantity=quantity,
            unit_price_ttc=terms.unit_price(offer),
            prorata_days=terms.prorata_of(offer),
        )
        for offer, quantity in chosen
    ]
    MembershipLine.objects.bulk_create(lines)
    membership.amount_due = sum(
        (line.total_ttc for line in lines if line.total_ttc is not None), Decimal("0.00")
    )
    membership.save(update_fields=["amount_due"])
    _record_acceptances(membership, documents, user, evidence, app.terms_language or app.language)
    log_transition(membership, action="submit", from_status="", reason="", actor=user)
    email = _email_confirmation(membership, user, contact, attached)
    # The visitor is not logged in (actor None): the applicant's new login is in the data.
    _record(
        membership,
        "membership.requested",
        actor=actor,
        ip_address=evidence.ip_address,
        establishment=establishment.name,
        applicant=user.pk,
        attached_to_existing=attached,
        lines=[[offer.code, qty] for offer, qty in chosen],
        amount_due=membership.amount_due,
        payment_method=membership.payment_method,
        starts_on=membership.starts_on,
        prorata_days=terms.prorata_days,
        terms=[doc.pk for doc in documents],
        email=email.pk if email else None,
    )
    return JoinResult(membership, attached_to_existing=attached)


def _establishment_for(organisation, category, app) -> Establishment:
    existing = organisation.establishments.filter(name__iexact=app.establishment_name).first()
    if existing is not None:
        return existing
    return Establishment.objects.create(
        office_id=organisation.office_id,
        organisation=organisation,
        name=app.establishment_name,
        category=category,
        address=app.address,
        postcode=app.postcode,
        city=app.city,
        phone=app.phone,
        email=app.email,
    )


def _contact_for(organisation, app) -> Contact:
    existing = organisation.contacts.filter(email__iexact=app.email).first()
    if existing is not None:
        return existing
    return Contact.objects.create(
        office_id=organisation.office_id,
        organisation=organisation,
        first_name=app.first_name,
        last_name=app.last_name,
        email=app.email,
        phone=app.phone,
        language=app.language,
        is_primary=not organisation.contacts.exists(),
    )


def _record_acceptances(membership, documents, user, evidence, language: str = "fr") -> None:
    """Each document as the person read it: its text in `language` (the page's), or the French
    one when it has none, with the language recorded."""
    now = timezone.now()
    texts = [doc.text_in(language) for doc in documents]
    TermsAcceptance.objects.bulk_create(
        TermsAcceptance(
            office_id=membership.office_id,
            document=text.document,
            membership=membership,
            user=user,
            kind=text.document.kind,
            version=text.document.version,
            language=text.language,
            title=text.title,
            text=text.body,
            content_hash=text.content_hash,
            accepted_at=now,
            ip_address=evidence.ip_address,
            user_agent=evidence.user_agent[:500],
        )
        for text in texts
    )


def _email_confirmation(membership, user, contact, attached):
    uid, token = (None, None) if user.has_usable_password() else activation_token(user)
    return directory_services.email_organisation(
        membership.organisation,
        to=user.email,
        language=contact.language,
        template="join_confirmation",
        context={
            "membership": membership,
            "lines": list(membership.lines.select_related("offer")),
            "attached": attached,
            "activation_uid": uid,
            "activation_token": token,
        },
        actor=user,
    )
