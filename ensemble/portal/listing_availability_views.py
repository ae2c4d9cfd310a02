"""Espace pro: a listing's availability calendar, month by month, for the categories that
have one (others answer 404); days are published at once through `services.set_availability`.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.listings import selectors, services
from ensemble.listings.fields import ListingError
from ensemble.listings.models import Availability

from .listing_availability_forms import AvailabilityForm
from .listing_views import PartnerListingMixin

WEEKDAY_HEADERS = [
    (_("lun."), _("lundi")),
    (_("mar."), _("mardi")),
    (_("mer."), _("mercredi")),
    (_("jeu."), _("jeudi")),
    (_("ven."), _("vendredi")),
    (_("sam."), _("samedi")),
    (_("dim."), _("dimanche")),
]


@dataclass
class DayCell:
    day: datetime.date
    status: str
    field: object | None  # the day's select, or None when it cannot be changed

    @property
    def status_label(self) -> str:
        return Availability.Status(self.status).label if self.status else gettext("Non renseigné")


def _add_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


class _AvailabilityMixin(PartnerListingMixin):
    nav_name = "listing_availability"

    def resolve(self, **kwargs) -> None:
        if not self.listing.establishment.category.has_availability:
            raise Http404


class ListingAvailabilityNowView(LoginRequiredMixin, _AvailabilityMixin, View):
    """The current month's calendar."""

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        return redirect(self.listing_url("listing_availability", year=today.year, month=today.month))


class ListingAvailabilityView(LoginRequiredMixin, _AvailabilityMixin, TemplateView):
    """One month: a select per day (past days read-only), a quick setting for several days,
    one call to `set_availability` with the days that changed."""

    template_name = "portal/listing_availability.html"

    def resolve(self, **kwargs) -> None:
        super().resolve(**kwargs)
        year, month = kwargs["year"], kwargs["month"]
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise Http404
        self.first = datetime.date(year, month, 1)
        length = calendar.monthrange(year, month)[1]
        self.days = [self.first + datetime.timedelta(days=n) for n in range(length)]
        self.today = timezone.localdate()
        self.horizon = self.today + datetime.timedelta(days=services.AVAILABILITY_HORIZON_DAYS)
        self.editable = {day for day in self.days if self.today <= day <= self.horizon}
        self.current = selectors.availability(self.listing, start=self.days[0], end=self.days[-1])

    def make_form(self, data=None) -> AvailabilityForm:
        return AvailabilityForm(data, days=self.days, current=self.current)

    def month_url(self, first: datetime.date) -> str:
        return self.listing_url("listing_availability", year=first.year, month=first.month)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form") or self.make_form()
        weeks = [
            [
                DayCell(
                    day, self.current.get(day, ""), form[form.name_of(day)] if day in self.editable else None
                )
                if day.month == self.first.month
                else None
                for day in week
            ]
            for week in calendar.Calendar().monthdatescalendar(self.first.year, self.first.month)
        ]
        previous, following = _add_month(self.first, -1), _add_month(self.first, 1)
        context.update(
            form=form,
            weeks=weeks,
            weekdays=WEEKDAY_HEADERS,
            month_name=capfirst(date_format(self.first, "F Y")),
            has_editable=bool(self.editable),
            action=self.month_url(self.first),
            previous_url=self.month_url(previous) if previous >= self.today.replace(day=1) else "",
            previous_name=capfirst(date_format(previous, "F Y")),
            next_url=self.month_url(following) if following <= self.horizon else "",
            next_name=capfirst(date_format(following, "F Y")),
            statuses=Availability.Status,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            days = form.changed_days(editable=self.editable, action=request.POST.get("action", ""))
            try:
                if days:
                    services.set_availability(self.listing, days=days, actor=request.user)
            except ListingError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    gettext("%(month)s : %(count)s jour(s) mis à jour, publiés aussitôt.")
                    % {"month": capfirst(date_format(self.first, "F Y")), "count": len(days)}
                    if days
                    else gettext("Aucun changement à enregistrer."),
                )
                return redirect(self.month_url(self.first))
        return self.render_to_response(self.get_context_data(form=form))
