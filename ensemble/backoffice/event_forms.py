"""Back-office forms of the agenda: the list's filters, an office event (create and edit), the
reasons of a refusal and of a cancellation. They check the shape of the input; the events
services apply the rules (and their messages are shown on the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.core.languages import fallback_help
from ensemble.events import rules
from ensemble.events.models import Event

from .forms import BackofficeForm, DateInput
from .moderation_forms import ReasonForm

LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}
TEXT_LABELS = {
    "title": _("Titre"),
    "summary": _("Résumé"),
    "description": _("Description"),
    "price_text": _("Tarifs"),
}
STATUS_CHOICES = [
    ("", _("Tous")),
    ("waiting", _("À modérer (nouveaux et modifications)")),
    *Event.Status.choices,
]


class EventFilterForm(BackofficeForm):
    statut = forms.ChoiceField(label=_("État"), choices=STATUS_CHOICES, required=False)
    du = forms.DateField(label=_("Du"), required=False, widget=DateInput())
    au = forms.DateField(label=_("Au"), required=False, widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["au"] < cleaned["du"]:
            self.add_error("au", _("La date de fin précède la date de début."))
        return cleaned


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _text(label, widget=None, help_text="") -> forms.CharField:
    # No max_length: the services count the plain text and give the message.
    return PlainTextField(
        label=label, required=False, strip=False, widget=widget or forms.TextInput(), help_text=help_text
    )


class OfficeEventForm(BackofficeForm):
    """Every field of an event but its establishment (an office event has none; a partner's
    keeps its own). Texts in French, English and Dutch: each field says which text visitors
    read when it is empty (the fallback order of `core.languages`)."""

    category = forms.ChoiceField(label=_("Catégorie"), choices=Event.Category.choices)
    starts_at = forms.DateTimeField(label=_("Début (heure de Paris)"), widget=DateTimeLocalInput())
    ends_at = forms.DateTimeField(label=_("Fin (heure de Paris)"), widget=DateTimeLocalInput())
    all_day = forms.BooleanField(label=_("Toute la journée"), required=False)
    place_name = _text(_("Lieu"))
    address = _text(_("Adresse"))
    postcode = _text(_("Code postal"))
    city = _text(_("Ville"))
    latitude = _text(_("Latitude"), forms.TextInput(attrs={"inputmode": "decimal"}))
    longitude = _text(_("Longitude"), forms.TextInput(attrs={"inputmode": "decimal"}))
    is_free = forms.BooleanField(label=_("Gratuit"), required=False)
    booking_url = _text(_("Lien de réservation"), forms.URLInput(attrs={"placeholder": "https://"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts, prices = {}, {}
        for base in rules.TEXT_LIMITS:
            for lang in rules.LANGS:
                attrs = {"lang": lang}
                widget = forms.TextInput(attrs=attrs)
                if base in ("summary", "description"):
                    widget = forms.Textarea(attrs={**attrs, "rows": 2 if base == "summary" else 5})
                field = _text(f"{TEXT_LABELS[base]} ({LANGUAGE_LABELS[lang]})", widget, fallback_help(lang))
                (prices if base == "price_text" else texts)[f"{base}_{lang}"] = field
        names = list(self.fields)
        at = names.index("booking_url")  # the prices go before the booking link
        before, after = ({name: self.fields[name] for name in part} for part in (names[:at], names[at:]))
        self.fields = {**texts, **before, **prices, **after}

    def values(self) -> dict:
        return {key: self.cleaned_data[key] for key in rules.KEYS if key in self.cleaned_data}


class EventRejectForm(ReasonForm):
    reason_label = _("Motif du refus")
    reason_help = _("Envoyé au partenaire par e-mail : dites-lui ce qu'il doit corriger.")
    required_message = _("Indiquez au partenaire le motif du refus.")


class EventCancelForm(BackofficeForm):
    reason = PlainTextField(
        label=_("Motif de l'annulation"),
        help_text=_("Affiché sur la page de l'événement ; envoyé au partenaire quand c'est son événement."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
