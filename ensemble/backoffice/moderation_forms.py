"""Forms of listing moderation: deciding a proposal, withdrawing a listing, the moderation
settings and the office's lists of amenities. They check the shape of the input; the listings
services apply the rules (and their messages are shown on the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ensemble.core.forms import LinesField, PlainTextField
from ensemble.core.languages import CONTENT_LANGUAGES, fallback_help, language_name
from ensemble.listings.fields import FIELDS, MAX_EXTRA_CONTACTS, NOTE_LIMIT
from ensemble.listings.models import Amenity

from .forms import BackofficeForm

REJECT_REASON_REQUIRED = _("Indiquez au partenaire le motif du refus.")
UNPUBLISH_REASON_REQUIRED = _("Indiquez le motif du retrait : il est transmis au partenaire.")


class ReasonForm(BackofficeForm):
    """A reason written to the partner (e-mailed and kept on the timeline)."""

    reason_label = _("Motif")
    reason_help = ""
    required_message = _("Le motif est obligatoire.")

    reason = PlainTextField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        field.label = self.reason_label
        field.help_text = self.reason_help
        field.error_messages["required"] = self.required_message


class RejectForm(ReasonForm):
    reason_label = _("Motif du refus")
    reason_help = _("Envoyé au partenaire par e-mail : dites-lui ce qu'il doit corriger.")
    required_message = REJECT_REASON_REQUIRED


APPROVE, REJECT = "approve", "reject"
DECISION_REQUIRED = _("Validez ou refusez ce champ.")
FIELD_REASON_REQUIRED = _("Indiquez au partenaire le motif du refus de ce champ.")


class FieldDecisionForm(BackofficeForm):
    """Per field of a proposal: validate or reject, and the reason of a rejection (shown to
    the partner beside the field and e-mailed). `decision_<key>` and `reason_<key>`."""

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = [key for key in FIELDS if key in keys]
        for key in self.keys:
            self.fields[f"decision_{key}"] = forms.ChoiceField(
                label=FIELDS[key].label,
                choices=[(APPROVE, _("Valider")), (REJECT, _("Refuser"))],
                widget=forms.RadioSelect,
                error_messages={"required": DECISION_REQUIRED, "invalid_choice": DECISION_REQUIRED},
            )
            self.fields[f"reason_{key}"] = PlainTextField(
                label=_("Motif du refus"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        cleaned = super().clean()
        for key in self.keys:
            if cleaned.get(f"decision_{key}") == REJECT and not cleaned.get(f"reason_{key}"):
                self.add_error(f"reason_{key}", FIELD_REASON_REQUIRED)
        return cleaned

    def rows(self) -> list[tuple[str, object, object]]:
        """(key, decision field, reason field) per field, in the registry's order."""
        return [(key, self[f"decision_{key}"], self[f"reason_{key}"]) for key in self.keys]

    def decisions(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            key: {"approved": data[f"decision_{key}"] == APPROVE, "reason": data.get(f"reason_{key}", "")}
            for key in self.keys
        }


class UnpublishForm(ReasonForm):
    reason_label = _("Motif du retrait")
    reason_help = _("Envoyé au partenaire par e-mail (CGV art. 2).")
    required_message = UNPUBLISH_REASON_REQUIRED


class ModerationSettingsForm(BackofficeForm):
    immediate_fields = forms.MultipleChoiceField(
        label=_("Publiés sans validation"),
        help_text=_(
            "Une modification de ces champs par le partenaire est publiée aussitôt ; "
            "les autres attendent la validation de l'équipe."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["immediate_fields"].choices = [(key, field.label) for key, field in FIELDS.items()]


class AmenityForm(BackofficeForm):
    """An amenity or label; its identifier is chosen when it is added and never changes."""

    group = forms.ChoiceField(label=_("Liste"), choices=Amenity.Group.choices)
    name_fr = PlainTextField(
        label=_("Nom en français"),
        error_messages={"required": _("Le nom en français est obligatoire.")},
    )
    name_en = PlainTextField(label=_("Nom en anglais (facultatif)"), required=False)
    name_nl = PlainTextField(label=_("Nom en néerlandais (facultatif)"), required=False)
    position = forms.IntegerField(
        label=_("Position dans la liste (facultatif)"),
        required=False,
        help_text=_("Les plus petits nombres viennent en premier ; vide : à la fin de la liste."),
    )
    slug = forms.CharField(
        label=_("Identifiant (facultatif)"),
        required=False,
        max_length=60,
        help_text=_(
            "Utilisé par l'API et les exports ; déduit du nom français s'il est vide. "
            "Il ne change plus ensuite."
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["slug"]
            self.fields["position"].required = True
            self.fields["position"].label = _("Position dans la liste")
            self.fields["position"].help_text = _("Les plus petits nombres viennent en premier.")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "group": data["group"],
            "names": {lang: data[f"name_{lang}"] for lang in ("fr", "en", "nl")},
            "position": data["position"],
        }
        if "slug" in self.fields:
            kwargs["slug"] = data["slug"]
        return kwargs


COLLECTION_FIELDS = ("amenities", "opening_periods", "prices", "photos", "other_languages")
LONG_TEXTS = ("long_description_fr", "long_description_en", "long_description_nl")
EDITABLE_KEYS = [key for key in FIELDS if key not in COLLECTION_FIELDS]
# Free text (core/text.py); the other fields (phones, e-mails, links, numbers) are checked as typed.
FREE_TEXT_KEYS = {key for key in FIELDS if FIELDS[key].section in ("general", "texts")} | {"address", "city"}


# Further phones, e-mails, websites: one per line (a comma also separates phones and e-mails).
LIST_SEPARATORS = {"extra_phones": ",;", "extra_emails": ",;", "extra_websites": " \t"}
PERIODS_CHANGED = _(
    "Les périodes d'ouverture ont changé depuis l'ouverture de cette page (le partenaire les a "
    "modifiées) : rechargez-la, puis traduisez à nouveau leurs précisions."
)


def periods_signature(periods: list[dict]) -> str:
    """Which periods the form was built on (their dates): their notes are matched by row."""
    return "|".join(f"{period['starts_on']}/{period['ends_on']}" for period in periods)


class ListingEditForm(BackofficeForm):
    """Staff correct a listing's texts, contact details and capacity, and translate the notes
    of its opening periods (`period_<n>_note_<lang>`); published at once as a version of its
    own. The periods themselves, prices, photos and amenities stay with the partner's forms."""

    periods_seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, periods: list[dict] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = list(periods or [])
        for key in EDITABLE_KEYS:
            field = FIELDS[key]
            widget = forms.Textarea(attrs={"rows": 6}) if key in LONG_TEXTS else forms.TextInput
            if key in LIST_SEPARATORS:
                self.fields[key] = LinesField(label=field.label, separators=LIST_SEPARATORS[key])
                self.fields[key].help_text = _("Un par ligne, %(count)s au plus.") % {
                    "count": MAX_EXTRA_CONTACTS
                }
                continue
            kind = PlainTextField if key in FREE_TEXT_KEYS else forms.CharField
            self.fields[key] = kind(label=field.label, required=False, widget=widget)
            lang = key.rpartition("_")[2]
            if lang in CONTENT_LANGUAGES:  # a translated text: what visitors read when it is empty
                self.fields[key].help_text = fallback_help(lang)
                self.fields[key].widget.attrs["lang"] = lang
        self.fields["periods_seen"].initial = periods_signature(self.periods)
        for index, period in enumerate(self.periods):
            for lang in CONTENT_LANGUAGES:
                name = f"period_{index}_note_{lang}"
                self.fields[name] = PlainTextField(
                    label=_("Précision (%(language)s)") % {"language": language_name(lang)},
                    required=False,
                    max_length=NOTE_LIMIT,
                    help_text=fallback_help(lang),
                    widget=forms.TextInput(attrs={"lang": lang}),
                )
                self.initial.setdefault(name, period.get(f"note_{lang}", ""))

    def note_fields(self, index: int) -> list:
        return [self[f"period_{index}_note_{lang}"] for lang in CONTENT_LANGUAGES]

    def clean(self):
        cleaned = super().clean()
        notes_changed = any(name.startswith("period_") for name in self.changed_data)
        if notes_changed and cleaned.get("periods_seen", "") != periods_signature(self.periods):
            raise forms.ValidationError(PERIODS_CHANGED)
        return cleaned

    def changes(self) -> dict:
        """The changed fields as the listings services take them; the notes as the whole
        periods with their notes in each language."""
        data = self.cleaned_data
        changes = {key: data[key] for key in EDITABLE_KEYS if key in self.changed_data}
        if any(name.startswith("period_") for name in self.changed_data):
            changes["opening_periods"] = [
                {
                    **period,
                    **{f"note_{lang}": data[f"period_{index}_note_{lang}"] for lang in CONTENT_LANGUAGES},
                }
                for index, period in enumerate(self.periods)
            ]
        return changes
