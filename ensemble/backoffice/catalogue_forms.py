"""The texts of a catalogue offer in French, English and Dutch: its name, its description and the
names of the rights it includes. Each translation says which text visitors and partners read
when it is empty (the fallback order of `core.languages`, as the event form does). The shape
is checked here; `memberships.services.set_offer_texts` applies the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import PlainTextField
from ensemble.core.languages import CONTENT_LANGUAGES, fallback_help
from ensemble.memberships.models import Offer

from .forms import BackofficeForm

LANGUAGE_LABELS = {"fr": _("français"), "en": _("anglais"), "nl": _("néerlandais")}
LIMITS = {"name": 200, "description": 5000, "label": 200}


def _text(label, lang: str, base: str) -> PlainTextField:
    attrs = {"lang": lang}
    widget = forms.Textarea(attrs={**attrs, "rows": 3}) if base == "description" else forms.TextInput(attrs)
    return PlainTextField(
        label=f"{label} ({LANGUAGE_LABELS[lang]})",
        required=False,
        max_length=LIMITS[base],
        widget=widget,
        help_text=fallback_help(lang),
    )


class OfferTextsForm(BackofficeForm):
    """`offer`'s texts, grouped: the offer (name, description), then one group per right."""

    def __init__(self, *args, offer: Offer, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer = offer
        self.rules = list(offer.entitlements.all())
        self.fieldsets: list[tuple] = [(_("Offre"), [])]
        for base, label in (("name", _("Intitulé")), ("description", _("Description"))):
            for lang in CONTENT_LANGUAGES:
                self._add(0, f"{base}_{lang}", _text(label, lang, base), getattr(offer, _attr(base, lang)))
        for rule in self.rules:
            self.fieldsets.append((rule.get_kind_display(), []))
            for lang in CONTENT_LANGUAGES:
                field = _text(_("Libellé du droit"), lang, "label")
                self._add(
                    len(self.fieldsets) - 1,
                    f"rule_{rule.pk}_label_{lang}",
                    field,
                    getattr(rule, _attr("label", lang)),
                )

    def _add(self, group: int, name: str, field: forms.Field, initial: str) -> None:
        self.fields[name] = field
        self.initial.setdefault(name, initial)
        self.fieldsets[group][1].append(name)

    def groups(self) -> list[tuple]:
        return [(legend, [self[name] for name in names]) for legend, names in self.fieldsets]

    def texts(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            f"{base}_{lang}": data[f"{base}_{lang}"]
            for base in ("name", "description")
            for lang in CONTENT_LANGUAGES
        }

    def labels(self) -> dict[int, dict[str, str]]:
        data = self.cleaned_data
        return {
            rule.pk: {f"label_{lang}": data[f"rule_{rule.pk}_label_{lang}"] for lang in CONTENT_LANGUAGES}
            for rule in self.rules
        }


def _attr(base: str, lang: str) -> str:
    """The model's field: the bare one holds French (`name`), the others `name_en`, `name_nl`."""
    return base if lang == "fr" else f"{base}_{lang}"
