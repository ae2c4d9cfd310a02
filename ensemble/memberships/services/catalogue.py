"""Seasons, offers, entitlements and terms: setting up a season and preparing the next one."""

import datetime
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts.models import User
from ensemble.core import audit
from ensemble.core.languages import CONTENT_LANGUAGES, SOURCE_LANGUAGE
from ensemble.core.models import Office
from ensemble.core.text import one_line, plain_text
from ensemble.core.transactions import lock

from .. import seed_2022
from ..errors import MembershipError
from ..models import LateStart, Offer, OfferEntitlement, Season, TermsDocument

SEED_TEXTS = Path(__file__).resolve().parent.parent / "seed_texts"

audit.register_actions(
    {
        "season.created": gettext_lazy("Saison %(year)s créée"),
        "season.catalogue_installed": gettext_lazy(
            "Catalogue du guide partenaire installé pour la saison %(year)s"
        ),
        "season.prepared": gettext_lazy("Saison %(year)s préparée à partir de la saison %(from_year)s"),
        "season.opened": gettext_lazy("Adhésions %(year)s ouvertes"),
        "season.sales_set": gettext_lazy("Saison %(year)s : mise en vente et adhésions en cours de saison"),
        "terms.published": gettext_lazy("Nouvelle version publiée : %(target)s"),
        "offer.texts_set": gettext_lazy("Textes de l'offre « %(target)s » modifiés"),
    }
)


def _season(office: Office, year: int, open_for_joining: bool) -> tuple[Season, bool]:
    return Season.objects.get_or_create(
        office=office,
        year=year,
        defaults={
            "starts_on": datetime.date(year, 1, 1),
            "ends_on": datetime.date(year, 12, 31),
            "is_open_for_joining": open_for_joining,
        },
    )


@transaction.atomic
def create_season(
    office: Office, *, year: int, open_for_joining: bool = False, actor: User | None = None
) -> Season:
    """The office's season `year`; idempotent (an existing season is returned, and not logged)."""
    season, created = _season(office, year, open_for_joining)
    if created:
        audit.record(
            "season.created",
            actor=actor,
            office=office,
            target=season,
            data={"year": year, "open_for_joining": open_for_joining},
        )
    return season


def _add_offer(season: Season, spec: dict, position: int) -> tuple[Offer, bool]:
    offer, created = Offer.objects.get_or_create(
        season=season,
        code=spec["code"],
        defaults={
            "office_id": season.office_id,
            "kind": spec["kind"],
            "name": spec["name"],
            "name_en": spec.get("name_en", ""),
            "name_nl": spec.get("name_nl", ""),
            "description": spec.get("description", ""),
            "description_en": spec.get("description_en", ""),
            "description_nl": spec.get("description_nl", ""),
            "pricing_mode": spec["pricing_mode"],
            "price_ttc": spec.get("price_ttc"),
            "commission_rate": spec.get("commission_rate"),
            "position": position,
        },
    )
    if created:
        for kind, label, quantity, days, *rest in spec["entitlements"]:
            label_en, label_nl = seed_2022.LABELS.get(label, ("", ""))
            OfferEntitlement.objects.create(
                offer=offer,
                kind=kind,
                label=label,
                label_en=label_en,
                label_nl=label_nl,
                quantity=quantity,
                duration_days=days,
                per_unit=bool(rest and rest[0]),
            )
    return offer, created


TRANSLATED = ("en", "nl")
LANGUAGE_NAMES = {"en": gettext_lazy("anglais"), "nl": gettext_lazy("néerlandais")}


def _translations(translations: dict[str, tuple[str, str]] | None) -> dict[str, str]:
    """The English and Dutch texts as fields (title_en, body_en…): each given whole (title and
    text) or not at all (empty: that language shows the French text)."""
    fields = {}
    for language, (title, body) in (translations or {}).items():
        if language not in TRANSLATED:
            raise MembershipError(_("Langue inconnue : %(language)s.") % {"language": language})
        title, body = (title or "").strip(), (body or "").strip()
        if bool(title) != bool(body):
            missing, field = (_("le texte"), "body") if title else (_("le titre"), "title")
            raise MembershipError(
                _("Version en %(language)s : indiquez aussi %(missing)s, ou laissez les deux vides.")
                % {"language": LANGUAGE_NAMES[language], "missing": missing},
                field=f"{field}_{language}",
            )
        fields.update({f"title_{language}": title[:200], f"body_{language}": body})
    return fields


def _publish(
    season: Season, *, kind: str, title: str, body: str, translations: dict | None = None
) -> TermsDocument:
    title, body = (title or "").strip(), (body or "").strip()
    if kind not in TermsDocument.Kind.values:
        raise MembershipError(_("Document inconnu."), field="kind")
    if not title:
        raise MembershipError(_("Le titre du document est obligatoire."), field="title")
    if not body:
        raise MembershipError(_("Le texte du document est obligatoire."), field="body")
    if len(title) > 200:
        raise MembershipError(_("%(limit)s caractères au maximum.") % {"limit": 200}, field="title")
    languages = _translations(translations)
    previous = TermsDocument.objects.select_for_update().filter(season=season, kind=kind).order_by("-version")
    latest = previous.first()
    previous.update(is_current=False)
    return TermsDocument.objects.create(
        office_id=season.office_id,
        season=season,
        kind=kind,
        version=(latest.version + 1) if latest else 1,
        title=title,
        body=body,
        content_hash=TermsDocument.hash_text(title, body),
        **languages,
    )


@transaction.atomic
def publish_terms(
    season: Season,
    *,
    kind: str,
    title: str,
    body: str,
    translations: dict[str, tuple[str, str]] | None = None,
    actor: User | None = None,
) -> TermsDocument:
    """A new version of the CGV or the charter becomes current, with its French text and, in
    `translations` ({"en": (title, text), "nl": …}), its English and Dutch ones; earlier
    acceptances keep the version and the language they accepted."""
    document = _publish(season, kind=kind, title=title, body=body, translations=translations)
    audit.record(
        "terms.published",
        actor=actor,
        office=season.office,
        target=document,
        data={
            "year": season.year,
            "kind": kind,
            "version": document.version,
            "hash": document.content_hash,
            "languages": document.languages(),
        },
    )
    return document


# The guide's charter and CGV (seed_texts/<kind>-2022.txt), with their translations where
# seed_texts has them (<kind>-2022.en.txt, <kind>-2022.nl.txt).
SEED_TITLES = {
    TermsDocument.Kind.CHARTER: {
        "fr": "Charte du « Club Partenaire »",
        "en": "“Club Partenaire” charter",
        "nl": "Charter van de “Club Partenaire”",
    },
    TermsDocument.Kind.CGV: {
        "fr": "Conditions générales de vente",
        "en": "General terms and conditions of sale",
        "nl": "Algemene verkoopvoorwaarden",
    },
}


def _seed_texts(kind: str, titles: dict[str, str], year: int) -> dict[str, tuple[str, str]]:
    texts = {}
    for language, title in titles.items():
        suffix = "" if language == "fr" else f".{language}"
        path = SEED_TEXTS / f"{kind}-2022{suffix}.txt"
        if path.exists():
            texts[language] = (title, path.read_text(encoding="utf-8").replace("2022", str(year)))
    return texts


@transaction.atomic
def install_seed_catalogue(
    office: Office, *, year: int = 2022, open_for_joining: bool = True, actor: User | None = None
):
    """The 2022 offers, entitlements, charter and CGV of the partner guide; idempotent (a call
    that adds nothing writes no audit entry)."""
    season, created = _season(office, year, open_for_joining)
    offers = [
        spec["code"]
        for position, spec in enumerate(seed_2022.OFFERS)
        if _add_offer(season, spec, position)[1]
    ]
    published = []
    for kind, titles in SEED_TITLES.items():
        if not TermsDocument.objects.filter(season=season, kind=kind).exists():
            texts = _seed_texts(kind, titles, year)
            title, body = texts.pop("fr")
            _publish(season, kind=kind, title=title, body=body, translations=texts)
            published.append(kind)
    if created or offers or published:
        audit.record(
            "season.catalogue_installed",
            actor=actor,
            office=office,
            target=season,
            data={"year": year, "season_created": created, "offers": offers, "terms": published},
        )
    return season


@transaction.atomic
def prepare_next_season(season: Season, *, actor: User | None = None) -> Season:
    """Copy this season's offers, entitlements and texts into next year, closed for review.

    Years written in names and texts are moved forward; staff review prices and texts, then
    open the season.
    """
    year = season.year + 1
    if Season.objects.filter(office_id=season.office_id, year=year).exists():
        raise MembershipError(_("La saison %(year)s existe déjà.") % {"year": year})
    new, _created = _season(season.office, year, False)
    # The same sales calendar a year later, and the same rule for late memberships.
    sales_from, new.late_start_rule = Season.objects.values_list("sales_from", "late_start_rule").get(
        pk=season.pk
    )
    new.sales_from = _a_year_later(sales_from)
    new.save(update_fields=["sales_from", "late_start_rule", "updated_at"])
    old, new_year = str(season.year), str(year)
    offers = []
    for offer in season.offers.prefetch_related("entitlements"):
        copy = Offer.objects.create(
            office_id=season.office_id,
            season=new,
            code=offer.code,
            kind=offer.kind,
            name=offer.name.replace(old, new_year),
            name_en=offer.name_en.replace(old, new_year),
            name_nl=offer.name_nl.replace(old, new_year),
            description=offer.description.replace(old, new_year),
            description_en=offer.description_en.replace(old, new_year),
            description_nl=offer.description_nl.replace(old, new_year),
            pricing_mode=offer.pricing_mode,
            price_ttc=offer.price_ttc,
            vat_rate=offer.vat_rate,
            commission_rate=offer.commission_rate,
            position=offer.position,
            is_active=offer.is_active,
        )
        offers.append(offer.code)
        OfferEntitlement.objects.bulk_create(
            OfferEntitlement(
                offer=copy,
                kind=e.kind,
                label=e.label.replace(old, new_year),
                label_en=e.label_en.replace(old, new_year),
                label_nl=e.label_nl.replace(old, new_year),
                quantity=e.quantity,
                duration_days=e.duration_days,
                per_unit=e.per_unit,
            )
            for e in offer.entitlements.all()
        )
    terms = []
    for doc in season.terms.filter(is_current=True):
        translations = {
            language: (title, body.replace(old, new_year))
            for language, (title, body) in doc.translations().items()
        }
        _publish(
            new,
            kind=doc.kind,
            title=doc.title,
            body=doc.body.replace(old, new_year),
            translations=translations,
        )
        terms.append(doc.kind)
    audit.record(
        "season.prepared",
        actor=actor,
        office=season.office,
        target=new,
        data={"year": year, "from_year": season.year, "offers": offers, "terms": terms},
    )
    return new


def _a_year_later(day: datetime.date | None) -> datetime.date | None:
    if day is None:
        return None
    return (
        day.replace(year=day.year + 1, day=28)
        if (day.month, day.day) == (2, 29)
        else day.replace(year=day.year + 1)
    )


@transaction.atomic
def set_season_sales(
    season: Season, *, sales_from: datetime.date | None, late_start_rule: str, actor: User | None
) -> Season:
    """When the join form starts offering the season, and what a membership that starts late
    pays (memberships.pricing; issue 12, A10). Memberships already requested keep their terms."""
    season = lock(season, related=("office",))
    if late_start_rule not in LateStart.values:
        raise MembershipError(_("Choisissez une règle de la liste."), field="late_start_rule")
    if sales_from is not None and sales_from > season.ends_on:
        raise MembershipError(
            _("La mise en vente doit commencer avant la fin de la saison (%(end)s).")
            % {"end": season.ends_on.strftime("%d/%m/%Y")},
            field="sales_from",
        )
    before = {"sales_from": season.sales_from, "late_start_rule": season.late_start_rule}
    season.sales_from, season.late_start_rule = sales_from, late_start_rule
    season.save(update_fields=["sales_from", "late_start_rule", "updated_at"])
    audit.record(
        "season.sales_set",
        actor=actor,
        office=season.office,
        target=season,
        data={
            "year": season.year,
            "sales_from": [before["sales_from"], sales_from],
            "late_start_rule": [before["late_start_rule"], late_start_rule],
        },
    )
    return season


@transaction.atomic
def open_season(season: Season, *, actor: User | None = None) -> Season:
    kinds = set(season.terms.filter(is_current=True).values_list("kind", flat=True))
    if kinds != {TermsDocument.Kind.CHARTER, TermsDocument.Kind.CGV}:
        raise MembershipError(_("La charte et les CGV de la saison doivent être publiées d'abord."))
    if not season.offers.filter(kind=Offer.Kind.PACK, is_active=True).exists():
        raise MembershipError(_("La saison doit proposer au moins un pack partenaire."))
    was_open = season.is_open_for_joining
    season.is_open_for_joining = True
    season.save(update_fields=["is_open_for_joining", "updated_at"])
    audit.record(
        "season.opened",
        actor=actor,
        office=season.office,
        target=season,
        data={"year": season.year, "is_open_for_joining": [was_open, True]},
    )
    return season


# The offer's texts in French (required: the source), English and Dutch (empty: readers show the
# next language of `core.languages.order`), and the same for its rights' names.
OFFER_TEXT_LIMITS = {"name": 200, "description": 5000}
LABEL_LIMIT = 200


def _checked_texts(values: dict[str, str], limits: dict[str, int], *, required: str, prefix: str = ""):
    """The texts given ({field_lang: text}, stripped) checked: known fields, lengths, and the
    French `required` field not emptied. Fields not given are left as they are."""
    known = {f"{base}_{language}": base for base in limits for language in CONTENT_LANGUAGES}
    cleaned = {}
    for key, value in values.items():
        if key not in known:
            raise MembershipError(_("Champ inconnu : %(field)s.") % {"field": key})
        # Pasted HTML read as text, by the one rule of core/text.py (names on one line).
        text = (plain_text(value) if known[key] == "description" else one_line(value)).strip()
        if len(text) > limits[known[key]]:
            raise MembershipError(
                _("%(limit)s caractères au maximum.") % {"limit": limits[known[key]]}, field=f"{prefix}{key}"
            )
        cleaned[key] = text
    if cleaned.get(f"{required}_{SOURCE_LANGUAGE}", "-") == "":
        raise MembershipError(
            _("Le texte français est obligatoire : il est montré quand une traduction manque."),
            field=f"{prefix}{required}_{SOURCE_LANGUAGE}",
        )
    return cleaned


def _model_fields(cleaned: dict[str, str]) -> dict[str, str]:
    """name_fr → name (the model's French field is the bare one), name_en, name_nl as they are."""
    return {key.removesuffix(f"_{SOURCE_LANGUAGE}"): value for key, value in cleaned.items()}


@transaction.atomic
def set_offer_texts(
    offer: Offer,
    *,
    texts: dict[str, str],
    labels: dict[int, dict[str, str]] | None = None,
    actor: User | None,
) -> Offer:
    """The offer's name and description in French, English and Dutch (`texts`: name_fr, name_en,
    name_nl, description_fr…), and its rights' names (`labels`: {rule id: {label_fr, label_en,
    label_nl}}); the fields given are set, the others kept. The French name and labels cannot be
    emptied; an empty translation shows the fallback language (nl → en → fr). Rights already
    granted keep their French name, and show these translations while it is unchanged
    (`Entitlement.label_in`)."""
    offer = lock(offer, related=("office", "season"))
    offer_fields = _model_fields(_checked_texts(texts, OFFER_TEXT_LIMITS, required="name"))
    rules = {rule.pk: rule for rule in offer.entitlements.select_for_update().order_by("pk")}
    rule_fields = {}
    for pk, values in (labels or {}).items():
        if pk not in rules:
            raise MembershipError(_("Ce droit ne fait pas partie de l'offre."), field="labels")
        limits = {"label": LABEL_LIMIT}
        cleaned = _checked_texts(values, limits, required="label", prefix=f"rule_{pk}_")
        rule_fields[pk] = _model_fields(cleaned)
    changed = {
        name: [getattr(offer, name), value]
        for name, value in offer_fields.items()
        if getattr(offer, name) != value
    }
    for name, value in offer_fields.items():
        setattr(offer, name, value)
    offer.save(update_fields=[*offer_fields, "updated_at"])
    for pk, fields in rule_fields.items():
        rule = rules[pk]
        before = {name: getattr(rule, name) for name in fields}
        if before != fields:
            changed[f"rule_{pk}"] = [before, fields]
            for name, value in fields.items():
                setattr(rule, name, value)
            rule.save(update_fields=list(fields))
    audit.record(
        "offer.texts_set",
        actor=actor,
        office=offer.office,
        target=offer,
        data={"season": offer.season.year, "code": offer.code, "changed": changed},
    )
    return offer
