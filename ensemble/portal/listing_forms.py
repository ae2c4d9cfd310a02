"""Espace pro forms for a listing: the shared bases (`DescribedForm`, date and time widgets,
`field_label`) and one form per section of the edit page. The photo forms are in
listing_photo_forms.py, the availability calendar's in listing_availability_forms.py.

They check the shape of the input only (a date is a date, a number a number); the listings
services apply the rules and give the messages (limits, periods, prices, credits, past days).
Every section form starts from the published content with the partner's pending proposal
applied (`services.pending_values`) and marks the fields waiting for the office.
"""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ensemble.core.errors import EnsembleError
from ensemble.core.forms import LinesField, PlainTextField, ServiceErrorFormMixin
from ensemble.core.languages import fallback_help
from ensemble.directory.validators import display_phone
from ensemble.listings import selectors
from ensemble.listings.fields import (
    FIELDS,
    LANGS,
    MAX_EXTRA_CONTACTS,
    NOTE_LIMIT,
    PARTNER_TEXT_LIMITS,
    ListingError,
)
from ensemble.listings.models import Amenity

# What a partner may type (the field registry's limits; the database has none since the
# office's own places keep long texts).
TEXT_LIMITS = {
    "short_description": PARTNER_TEXT_LIMITS["short_description"],
    "long_description": PARTNER_TEXT_LIMITS["long_description"],
}
WEEKDAY_CHOICES = [
    (1, _("lundi")),
    (2, _("mardi")),
    (3, _("mercredi")),
    (4, _("jeudi")),
    (5, _("vendredi")),
    (6, _("samedi")),
    (7, _("dimanche")),
]


LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}
DESCRIPTION_LABELS = {
    "short_description": _("Description courte (%(lang)s)"),
    "long_description": _("Description longue (%(lang)s)"),
}


def field_label(key: str) -> str:
    """A listing field's label in the interface language (the registry's labels of the
    descriptions are French only)."""
    base, _sep, lang = key.rpartition("_")
    if base in DESCRIPTION_LABELS:
        return str(DESCRIPTION_LABELS[base]) % {"lang": LANGUAGE_LABELS[lang]}
    return str(FIELDS[key].label)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


class DescribedForm(ServiceErrorFormMixin, forms.Form):
    """Ties help texts, counters and errors to their field (aria-describedby), and takes a
    service's error on its field — or above the form when the field is not one of its own."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.counters: set[str] = set()  # fields with a character counter

    def describe(self) -> None:
        errors = self._errors or {}
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            described = [f"{auto_id}_error"] if name in errors else []
            if getattr(field, "refusal", ""):
                described.append(f"{auto_id}_refusal")
            if name in self.counters:
                described.append(f"{auto_id}_counter")
            if field.help_text:
                described.append(f"{auto_id}_helptext")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)

    def full_clean(self):
        super().full_clean()
        self.describe()

    def add_error(self, field, error):
        super().add_error(field, error)
        self.describe()


# ---- the sections of a listing -------------------------------------------------------------


class SectionForm(DescribedForm):
    """One section of the listing: its fields are keys of the listing field registry."""

    keys: tuple[str, ...] = ()

    def __init__(
        self,
        data=None,
        *,
        office,
        values: dict,
        published: dict,
        pending: set[str],
        returned: dict[str, str] | None = None,
    ):
        super().__init__(data, initial={key: values[key] for key in self.keys if key in values})
        self.office = office
        self.pending_keys = pending & set(self.keys)
        # Rejected by the office, still hers to correct: key → the office's reason.
        self.returned_reasons = {k: r for k, r in (returned or {}).items() if k in self.keys}
        shown = self.pending_keys | set(self.returned_reasons)
        self.published_texts = {key: FIELDS[key].show(published[key]) for key in shown}
        self.build(values)
        for key in self.keys:
            if key in self.fields:
                self.fields[key].label = field_label(key)
        for key in self.pending_keys:
            self.mark_pending(key, self.published_texts[key])
        for key, reason in self.returned_reasons.items():
            self.mark_returned(key, reason, self.published_texts[key])
        self.describe()

    def build(self, values: dict) -> None:
        """Add the fields that depend on the office or the content."""

    def mark_pending(self, key: str, published_text: str) -> None:
        if key not in self.fields:
            return
        field = self.fields[key]
        note = str(_("En attente de validation par l'office. Version publiée : %(value)s.")) % {
            "value": f"« {published_text} »" if published_text else str(_("(vide)"))
        }
        field.help_text = f"{field.help_text} {note}".strip()

    def mark_returned(self, key: str, reason: str, published_text: str) -> None:
        """The office's reason beside the field (`field.refusal`, tied to the input by
        describe()), and the published version in its help."""
        if key not in self.fields:
            return
        field = self.fields[key]
        field.refusal = reason
        note = str(
            _("Modifiez ce champ puis enregistrez pour le proposer à nouveau. Version publiée : %(value)s.")
        ) % {"value": f"« {published_text} »" if published_text else str(_("(vide)"))}
        field.help_text = f"{field.help_text} {note}".strip()

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def changes(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in self.keys}


def _text_field(widget=None) -> forms.CharField:
    # No max_length: the services count the plain text (tags stripped) and give the message.
    # Free text by the one rule (core/text.py), here as in the field registry.
    return PlainTextField(required=False, strip=False, widget=widget or forms.TextInput())


def _raw_field(widget) -> forms.CharField:
    """An address, a phone, a URL: checked by the services, never read as HTML (an `&copy=`
    in a link must stay as it is)."""
    return forms.CharField(required=False, widget=widget)


def _counted(key: str) -> forms.CharField:
    base = key.rsplit("_", 1)[0]
    rows = 3 if base == "short_description" else 8
    lang = key.rsplit("_", 1)[1]
    # The limit is said by the counter under the field (see listing_field.html).
    return _text_field(forms.Textarea(attrs={"rows": rows, "lang": lang}))


def _translated_name(lang: str) -> forms.CharField:
    field = _text_field(forms.TextInput(attrs={"lang": lang}))
    field.help_text = fallback_help(lang)  # what visitors read when it is empty
    return field


class TextsForm(SectionForm):
    """The name and the descriptions in French, English and Dutch (an English or Dutch one
    left empty: visitors read the next language of the fallback order, said under it)."""

    keys = (
        "name",
        "name_en",
        "name_nl",
        *(f"short_description_{lang}" for lang in LANGS),
        *(f"long_description_{lang}" for lang in LANGS),
    )
    name = _text_field(forms.TextInput(attrs={"lang": "fr"}))
    name_en = _translated_name("en")
    name_nl = _translated_name("nl")

    def build(self, values: dict) -> None:
        for key in self.keys[3:]:
            self.fields[key] = _counted(key)
            self.counters.add(key)
            lang = key.rsplit("_", 1)[1]
            if lang != "fr":
                self.fields[key].help_text = fallback_help(lang)

    @property
    def name_fields(self) -> list:
        return [self["name"], self["name_en"], self["name_nl"]]

    def columns(self, base: str) -> list:
        return [self[f"{base}_{lang}"] for lang in LANGS]

    short_limit = TEXT_LIMITS["short_description"]
    long_limit = TEXT_LIMITS["long_description"]

    @property
    def short_fields(self) -> list:
        return self.columns("short_description")

    @property
    def long_fields(self) -> list:
        return self.columns("long_description")


def lines_help() -> str:
    """The help of a field of further phones, e-mails or websites."""
    return gettext("Un par ligne, %(count)s au plus. Ils s'ajoutent aux coordonnées principales.") % {
        "count": MAX_EXTRA_CONTACTS
    }


class ContactForm(SectionForm):
    keys = (
        "address",
        "postcode",
        "city",
        "phone",
        "email",
        "website",
        "booking_url",
        "extra_phones",
        "extra_emails",
        "extra_websites",
    )
    address = _text_field()
    postcode = _text_field(forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    city = _text_field()
    phone = _raw_field(forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = _raw_field(forms.EmailInput(attrs={"autocomplete": "email"}))
    website = _raw_field(forms.URLInput(attrs={"placeholder": "https://"}))
    booking_url = _raw_field(forms.URLInput(attrs={"placeholder": "https://"}))
    # One per line; checked one by one by the service (never read as HTML).
    extra_phones = LinesField(separators=",;")
    extra_emails = LinesField(separators=",;")
    extra_websites = LinesField(separators=" \t")

    def build(self, values: dict) -> None:
        for key in ("extra_phones", "extra_emails", "extra_websites"):
            self.fields[key].help_text = lines_help()
        # Phones as people read them (« 03 21 98 76 54 »); the service stores them as +33….
        phones = self.initial.get("extra_phones") or []
        self.initial["extra_phones"] = [display_phone(phone) for phone in phones]


def _count_field() -> forms.CharField:
    return forms.CharField(required=False, widget=forms.NumberInput(attrs={"min": 0, "step": 1}))


class CapacityForm(SectionForm):
    keys = ("rooms", "beds", "covers", "group_size")
    rooms = _count_field()
    beds = _count_field()
    covers = _count_field()
    group_size = _count_field()


class AmenitiesForm(SectionForm):
    """The office's active amenities and labels, one group of checkboxes per list."""

    keys = ("amenities",)
    service_field_map = {"amenities": ""}

    def build(self, values: dict) -> None:
        chosen = set(values.get("amenities") or [])
        available = list(selectors.amenities(self.office))
        self.groups = []
        for group, label in Amenity.Group.choices:
            items = [a for a in available if a.group == group]
            if not items:
                continue
            name = f"amenities_{group}"
            self.fields[name] = forms.TypedMultipleChoiceField(
                label=label,
                required=False,
                coerce=int,
                choices=[(a.pk, a.name) for a in items],
                widget=forms.CheckboxSelectMultiple,
                initial=[a.pk for a in items if a.pk in chosen],
            )
            self.groups.append(name)

    @property
    def group_fields(self) -> list:
        return [self[name] for name in self.groups]

    def changes(self) -> dict[str, Any]:
        return {"amenities": sorted(pk for name in self.groups for pk in self.cleaned_data[name])}


# ---- collections: opening periods and prices ------------------------------------------------


class PeriodRowForm(DescribedForm):
    starts_on = forms.DateField(label=_("Du"), widget=DateInput())
    ends_on = forms.DateField(label=_("Au"), widget=DateInput())
    opens_at = forms.TimeField(label=_("Ouverture"), required=False, widget=TimeInput())
    closes_at = forms.TimeField(label=_("Fermeture"), required=False, widget=TimeInput())
    closed_weekdays = forms.TypedMultipleChoiceField(
        label=_("Fermé le"),
        required=False,
        coerce=int,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    note_fr = PlainTextField(
        label=_("Précision (français)"),
        required=False,
        max_length=NOTE_LIMIT,
        help_text=_("Par exemple : « sur réservation le soir ». 200 caractères au plus."),
        widget=forms.TextInput(attrs={"lang": "fr"}),
    )
    note_en = PlainTextField(
        label=_("Précision (anglais)"),
        required=False,
        max_length=NOTE_LIMIT,
        help_text=fallback_help("en"),
        widget=forms.TextInput(attrs={"lang": "en"}),
    )
    note_nl = PlainTextField(
        label=_("Précision (néerlandais)"),
        required=False,
        max_length=NOTE_LIMIT,
        help_text=fallback_help("nl"),
        widget=forms.TextInput(attrs={"lang": "nl"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.describe()

    @property
    def note_fields(self) -> list:
        return [self[f"note_{lang}"] for lang in LANGS]

    def item(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.fields if key != "DELETE"}


class PriceRowForm(DescribedForm):
    label_fr = PlainTextField(label=_("Intitulé (français)"), required=False, max_length=120)
    label_en = PlainTextField(label=_("Intitulé (anglais)"), required=False, max_length=120)
    label_nl = PlainTextField(label=_("Intitulé (néerlandais)"), required=False, max_length=120)
    amount = forms.CharField(
        label=_("Prix TTC (€)"),
        required=False,
        help_text=_("Le prix, ou le prix le plus bas d'une fourchette."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    amount_max = forms.CharField(
        label=_("Jusqu'à (€)"),
        required=False,
        help_text=_("Facultatif : le haut de la fourchette."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    season_year = forms.IntegerField(label=_("Saison"), min_value=2000, max_value=2100)

    def __init__(self, *args, current_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.current_year = current_year
        self.fields["season_year"].initial = current_year
        self.describe()

    @property
    def is_past_season(self) -> bool:
        """A price of an earlier season, as published or proposed: shown as outdated and kept
        with its own year (never carried over to the new season without the partner)."""
        year = self.initial.get("season_year")
        return year is not None and int(year) < self.current_year

    def item(self) -> dict:
        return {key: self.cleaned_data.get(key) for key in self.fields if key != "DELETE"}


PeriodFormSet = forms.formset_factory(PeriodRowForm, extra=2, can_delete=True, max_num=50)
PriceFormSet = forms.formset_factory(PriceRowForm, extra=2, can_delete=True, max_num=50)


def _period_initial(item: dict) -> dict:
    return {**item, "closed_weekdays": list(item.get("closed_weekdays") or [])}


class CollectionSection:
    """A section holding one collection of the listing (several rows, some empty to add more,
    each with a "delete" box). A service error is shown on the row that causes it."""

    key = ""
    prefix = ""
    formset_class: type[forms.BaseFormSet]

    def __init__(
        self,
        data=None,
        *,
        office,
        values: dict,
        published: dict,
        pending: set[str],
        returned: dict[str, str] | None = None,
    ):
        self.current_year = timezone.localdate().year
        self.formset = self.formset_class(
            data,
            initial=[self.row_initial(item) for item in values[self.key]],
            prefix=self.prefix,
            form_kwargs=self.form_kwargs(),
        )
        self.is_pending = self.key in pending
        # Rejected by the office, still hers to correct: the office's reason.
        self.refusal = (returned or {}).get(self.key, "")
        shown = self.is_pending or self.refusal
        self.published_text = FIELDS[self.key].show(published[self.key]) if shown else ""
        self.service_errors: list[str] = []
        self._items: list[tuple[forms.Form, dict]] = []

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,)

    @property
    def label(self) -> str:
        return field_label(self.key)

    @property
    def error_id(self) -> str:
        return f"{self.key}_error"

    def row_initial(self, item: dict) -> dict:
        return item

    def form_kwargs(self) -> dict:
        return {}

    def is_valid(self) -> bool:
        return self.formset.is_valid()

    def changes(self) -> dict[str, Any]:
        self._items = []
        for form in self.formset.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            self._items.append((form, form.item()))
        return {self.key: [item for _form, item in self._items]}

    def add_service_error(self, error: EnsembleError) -> None:
        """Find the row the error comes from (checked alone, it fails the same way)."""
        field = FIELDS[self.key]
        for form, item in self._items:
            try:
                field.clean([item], None)
            except ListingError as row_error:
                form.add_error(None, row_error.message)
                return
        self.service_errors.append(error.message)

    @property
    def errors(self) -> list[str]:
        return [*self.formset.non_form_errors(), *self.service_errors]

    @property
    def has_errors(self) -> bool:
        return self.formset.is_bound and (bool(self.errors) or any(self.formset.errors))


class PeriodsSection(CollectionSection):
    key = "opening_periods"
    prefix = "periods"
    formset_class = PeriodFormSet

    def row_initial(self, item: dict) -> dict:
        return _period_initial(item)


class PricesSection(CollectionSection):
    key = "prices"
    prefix = "prices"
    formset_class = PriceFormSet

    def form_kwargs(self) -> dict:
        return {"current_year": self.current_year}

    def row_initial(self, item: dict) -> dict:
        return {**item, "amount": _comma(item.get("amount")), "amount_max": _comma(item.get("amount_max"))}


def _comma(amount: str | None) -> str:
    return amount.replace(".", ",") if amount else ""
