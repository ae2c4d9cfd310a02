"""Espace pro: the form of a partner's event (submit and edit).

It checks the shape of the input (a date is a date, the establishment is one of the person's);
the events services apply the rules and give the messages (title, dates to come, town, lengths
counted on the plain text, booking link). Dates are typed in Paris time (`datetime-local`).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.core.languages import fallback_help
from ensemble.events import rules
from ensemble.events.models import Event

from .listing_forms import DescribedForm

LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}
TEXT_LABELS = {
    "title": _("Titre"),
    "summary": _("Résumé"),
    "description": _("Description"),
    "price_text": _("Tarifs"),
}
TEXT_HELP = {
    "summary": _("Une ou deux phrases, reprises dans les listes et les calendriers."),
    "description": _("Le programme, les horaires, l'accès. Texte brut : la mise en forme HTML est retirée."),
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _text(widget=None) -> forms.CharField:
    # No max_length: the services count the plain text (tags stripped) and give the message.
    return PlainTextField(required=False, strip=False, widget=widget or forms.TextInput())


class EventForm(DescribedForm):
    """Every field of an event. `pending` names the fields whose change waits for the office."""

    establishment = forms.TypedChoiceField(label=_("Établissement"), coerce=int)
    category = forms.ChoiceField(label=_("Catégorie"), choices=Event.Category.choices)
    starts_at = forms.DateTimeField(label=_("Début"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Fin"), widget=DateTimeLocalInput())
    all_day = forms.BooleanField(
        label=_("Toute la journée"),
        required=False,
        help_text=_("Les heures sont alors ignorées : l'événement occupe les journées du début à la fin."),
    )
    place_name = _text()
    address = _text(forms.TextInput(attrs={"autocomplete": "street-address"}))
    postcode = _text(forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    city = _text()
    is_free = forms.BooleanField(label=_("Gratuit"), required=False)
    booking_url = _text(forms.URLInput(attrs={"placeholder": "https://"}))

    place_labels = {
        "place_name": _("Lieu"),
        "address": _("Adresse"),
        "postcode": _("Code postal"),
        "city": _("Ville"),
        "booking_url": _("Lien de réservation"),
    }

    def __init__(self, data=None, *, establishments, initial=None, pending=frozenset()):
        super().__init__(data, initial=initial)
        self.pending_keys = set(pending)
        self.fields["establishment"].choices = self.establishment_choices(establishments)
        for base in rules.TEXT_LIMITS:
            for lang in rules.LANGS:
                key = f"{base}_{lang}"
                long = base in ("summary", "description")
                widget = forms.Textarea if long else forms.TextInput
                attrs = {"lang": lang}
                if long:
                    attrs["rows"] = 2 if base == "summary" else 6
                self.fields[key] = _text(widget(attrs=attrs))
                self.fields[key].label = f"{TEXT_LABELS[base]} ({LANGUAGE_LABELS[lang]})"
                if lang != "fr":
                    self.fields[key].help_text = fallback_help(lang)
                if long:
                    self.counters.add(key)
        for key, label in self.place_labels.items():
            self.fields[key].label = label
        self.fields["city"].help_text = _("Laissez le lieu vide si l'événement a lieu à votre établissement.")
        self.fields["price_text_fr"].help_text = _("Par exemple : 8 €, 5 € pour les moins de 12 ans.")
        self.describe()

    @staticmethod
    def establishment_choices(establishments) -> list:
        by_organisation: dict[str, list] = {}
        for establishment in establishments:
            by_organisation.setdefault(establishment.organisation.name, []).append(
                (establishment.pk, f"{establishment.name} — {establishment.city}")
            )
        if len(by_organisation) == 1:
            return next(iter(by_organisation.values()))
        return list(by_organisation.items())

    def columns(self, base: str) -> list:
        return [self[f"{base}_{lang}"] for lang in rules.LANGS]

    @property
    def title_fields(self) -> list:
        return self.columns("title")

    @property
    def summary_fields(self) -> list:
        return self.columns("summary")

    @property
    def description_fields(self) -> list:
        return self.columns("description")

    @property
    def price_fields(self) -> list:
        return self.columns("price_text")

    @property
    def limits(self) -> dict[str, int]:
        return rules.TEXT_LIMITS

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def values(self) -> dict:
        """The event's fields as the services take them."""
        return {key: self.cleaned_data[key] for key in rules.KEYS if key in self.cleaned_data}


def initial_values(event: Event) -> dict:
    """The form's values: the published content with the partner's waiting change applied."""
    values = rules.snapshot(event)
    values.update(rules.from_json(event.pending_changes))
    return values
