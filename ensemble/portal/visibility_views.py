"""Espace pro: « Ma visibilité » — what the partner's listings obtained on the office's
channels (page views, clicks on their contact details, API and widget impressions), per year
and month by month, with a CSV export. Only the person's organisations' listings in this office;
any other `listing_id` answers 404. A fixed number of queries whatever the number of listings."""

import csv
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ensemble.stats import selectors
from ensemble.stats.errors import StatsError
from ensemble.stats.models import VisibilityCount

KIND_LABELS = dict(VisibilityCount.Kind.choices)


def _year(value) -> int:
    try:
        return selectors.check_year(int(value))
    except (TypeError, ValueError, StatsError):
        raise Http404 from None


class _VisibilityMixin(LoginRequiredMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["kinds"] = [KIND_LABELS[kind] for kind in selectors.KINDS]
        return context


class VisibilityView(_VisibilityMixin, TemplateView):
    """Each of the person's listings: the year's count of every kind (`?annee=`, default this
    year)."""

    template_name = "portal/visibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year(self.request.GET.get("annee") or timezone.localdate().year)
        listings = list(selectors.listings_of_user(self.request.user, self.request.office))
        totals = selectors.yearly_totals(listings, year)
        context.update(
            year=year,
            rows=[(listing, totals[listing.pk], sum(totals[listing.pk])) for listing in listings],
            years=selectors.years(selectors.first_day(selectors.counts_of_listings(listings))),
        )
        return context


class _ListingYearMixin(_VisibilityMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # The listing first: another partner's id is not found, whatever the year.
            self.listing = selectors.listing_of_user(request.user, request.office, kwargs["listing_id"])
            self.year = _year(kwargs["year"])
        return super().dispatch(request, *args, **kwargs)


class VisibilityListingView(_ListingYearMixin, TemplateView):
    """One listing's year, month by month."""

    template_name = "portal/visibility_listing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            listing=self.listing,
            year=self.year,
            report=selectors.listing_reports([self.listing], self.year)[0],
            years=selectors.years(selectors.first_day(selectors.counts_of_listings([self.listing]))),
        )
        return context


class VisibilityListingExportView(_ListingYearMixin, View):
    """The same as CSV: one line per month, a column per kind."""

    def get(self, request, *args, **kwargs):
        report = selectors.listing_reports([self.listing], self.year)[0]
        header = [_("Mois"), *(KIND_LABELS[kind] for kind in selectors.KINDS), _("Total")]
        buffer = io.StringIO()
        buffer.write("\ufeff")  # UTF-8 with a BOM and semicolons: Excel (French) opens it as is
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow([str(label) for label in header])
        writer.writerows([f"{row.month:%Y-%m}", *row.counts, row.total] for row in report.months)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="visibilite-{self.listing.pk}-{self.year}.csv"'
        )
        return response
