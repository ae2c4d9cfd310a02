"""Espace pro form for a listing's availability calendar: one select per day of the month and
the quick settings for several days at once.

It says which days changed; `services.set_availability` checks the days (past, too far ahead).
"""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from ensemble.listings.models import Availability

from .listing_forms import DescribedForm

UNSET = ""
CLEAR = "clear"
STATUS_CHOICES = [(UNSET, _("Non renseigné")), *Availability.Status.choices]
BULK_SCOPES = {
    "all": (_("tous les jours du mois"), set(range(1, 8))),
    "weekend": (_("les nuits de week-end (vendredi et samedi)"), {5, 6}),
    "week": (_("les nuits de semaine (dimanche au jeudi)"), {7, 1, 2, 3, 4}),
}

# The two buttons for the most frequent settings: the whole month available, every weekend full.
PRESETS = {"all_available": ("available", "all"), "weekends_full": ("full", "weekend")}


class AvailabilityForm(DescribedForm):
    """One select per day of the month (`d1`…`d31`), and a quick setting for several days."""

    bulk_status = forms.ChoiceField(
        label=_("Mettre"),
        choices=[*Availability.Status.choices, (CLEAR, _("Non renseigné"))],
        required=False,
    )
    bulk_scope = forms.ChoiceField(
        label=_("pour"),
        choices=[(key, label) for key, (label, _days) in BULK_SCOPES.items()],
        required=False,
    )

    def __init__(self, data=None, *, days: list[datetime.date], current: dict[datetime.date, str]):
        super().__init__(data)
        self.days, self.current = days, current
        for day in days:
            self.fields[self.name_of(day)] = forms.ChoiceField(
                label=date_format(day, "l j F Y"),
                required=False,
                choices=STATUS_CHOICES,
                initial=current.get(day, UNSET),
            )
        self.describe()

    @staticmethod
    def name_of(day: datetime.date) -> str:
        return f"d{day.day}"

    def quick_setting(self, action: str) -> tuple[str, str] | None:
        """The (status, scope) a quick-setting button asks for, if any."""
        if action in PRESETS:
            return PRESETS[action]
        if action == "bulk" and self.cleaned_data.get("bulk_status"):
            return self.cleaned_data["bulk_status"], self.cleaned_data.get("bulk_scope") or "all"
        return None

    def changed_days(self, *, editable: set[datetime.date], action: str) -> dict[datetime.date, str | None]:
        """The days whose value differs from the stored one: those posted, then (for a quick
        setting) the editable days of its scope."""
        wanted: dict[datetime.date, str | None] = {}
        for day in self.days:
            name = self.name_of(day)
            if name in self.data:
                wanted[day] = self.cleaned_data[name] or None
        quick = self.quick_setting(action)
        if quick:
            status, scope = quick
            for day in editable:
                if day.isoweekday() in BULK_SCOPES[scope][1]:
                    wanted[day] = None if status == CLEAR else status
        return {day: value for day, value in wanted.items() if value != self.current.get(day)}
