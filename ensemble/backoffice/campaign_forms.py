"""Back-office forms of the update campaigns: they check the shape of the input; the campaign
services apply the rules (dates, offsets) and their French messages land on the fields."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ensemble.campaigns.models import TargetState, UpdateCampaign
from ensemble.core.forms import PlainTextField

from .forms import BackofficeForm, DateInput

OFFSETS_SHAPE = _("Indiquez des nombres de jours séparés par des virgules, par exemple : 7, 14, 21.")


class OffsetsField(forms.CharField):
    """ "7, 14, 21" (commas, semicolons or spaces) → [7, 14, 21], in the order typed; the service
    checks the values."""

    def to_python(self, value):
        text = super().to_python(value)
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        if not all(re.fullmatch(r"[0-9]{1,4}", p) for p in parts):
            raise ValidationError(OFFSETS_SHAPE, code="invalid")
        return [int(p) for p in parts]


class CampaignForm(BackofficeForm):
    title = PlainTextField(
        label=_("Titre"),
        max_length=200,
        help_text=_("Par exemple : Mise à jour 2023 — guide et magazine."),
    )
    deadline = forms.DateField(
        label=_("Date limite de confirmation"),
        widget=DateInput,
        help_text=_("Après cette date, les fiches non confirmées sont signalées."),
    )
    grace_days = forms.IntegerField(
        label=_("Délai de grâce (jours)"),
        initial=15,
        help_text=_("Après la date limite et ce délai, l'office peut retirer les fiches non confirmées."),
    )
    reminder_offsets = OffsetsField(
        label=_("Rappels (jours après le lancement)"),
        required=False,
        initial="7, 14, 21",
        help_text=OFFSETS_SHAPE,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Catégories concernées"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes les fiches publiées de l'office."),
    )
    message = PlainTextField(
        label=_("Message aux partenaires"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Repris dans l'e-mail et sur la page de confirmation."),
    )

    def __init__(self, data=None, *, categories, campaign: UpdateCampaign | None = None, **kwargs):
        if campaign is not None and data is None:
            kwargs["initial"] = {
                "title": campaign.title,
                "deadline": campaign.deadline,
                "grace_days": campaign.grace_days,
                "reminder_offsets": ", ".join(str(o) for o in campaign.reminder_offsets),
                "categories": list(campaign.categories.all()),
                "message": campaign.message,
            }
        super().__init__(data, **kwargs)
        self.fields["categories"].queryset = categories
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}_helptext"

    def settings(self) -> dict:
        """The cleaned values as the campaign services' keyword arguments."""
        return dict(self.cleaned_data)


class TargetFilterForm(BackofficeForm):
    """The GET form above a campaign's listings. Bad values are ignored, never an error page."""

    state = forms.ChoiceField(label=_("État"), required=False)
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("Toutes"))] + list(TargetState.choices)
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {"state": data.get("state") or None, "search": (data.get("q") or "").strip()}
