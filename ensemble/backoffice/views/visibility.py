"""Visibility counts in the back office: the office's year per listing, a listing's or an
organisation's year month by month, and the CSV export (listing, kind, month, count).
Every page runs a fixed number of queries whatever the number of listings and days."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.stats import selectors
from ensemble.stats.errors import StatsError
from ensemble.stats.models import VisibilityCount

from ..access import StaffRequiredMixin
from ..exports import csv_response

PER_PAGE = 50
KIND_LABELS = dict(VisibilityCount.Kind.choices)


def year_or_404(year: int) -> int:
    try:
        return selectors.check_year(year)
    except StatsError:
        raise Http404 from None


class _VisibilityMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    nav = "visibility"

    def load_object(self, **kwargs) -> None:
        self.year = year_or_404(kwargs["year"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(year=self.year, kinds=[KIND_LABELS[kind] for kind in selectors.KINDS])
        return context


class VisibilityNowView(StaffRequiredMixin, View):
    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("visibility", year=timezone.localdate().year))


class VisibilityView(_VisibilityMixin, TemplateView):
    """The office's year: one row per listing counted, a column per kind, paginated."""

    template_name = "backoffice/visibility.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.office_year(self.office, self.year), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        rows = [
            {
                "listing_id": row["listing_id"],
                "name": row["listing__establishment__name"],
                "organisation_id": row["listing__establishment__organisation_id"],
                "organisation": row["listing__establishment__organisation__name"],
                "counts": [row[kind] or 0 for kind in selectors.KINDS],
                "total": row["total"],
            }
            for row in page.object_list
        ]
        context.update(page=page, rows=rows, years=selectors.years(selectors.office_first_day(self.office)))
        return context


class VisibilityListingView(_VisibilityMixin, TemplateView):
    """One listing's year, month by month."""

    template_name = "backoffice/visibility_detail.html"

    def load_object(self, **kwargs) -> None:
        super().load_object(**kwargs)
        self.listing = selectors.office_listing(self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.listing.establishment.name,
            organisation=self.listing.establishment.organisation,
            listing=self.listing,
            reports=selectors.listing_reports([self.listing], self.year),
            years=selectors.years(selectors.first_day(selectors.counts_of_listings([self.listing]))),
            url_name="visibility_listing",
            object_pk=self.listing.pk,
        )
        return context


class VisibilityOrganisationView(_VisibilityMixin, TemplateView):
    """An organisation's listings, each one's year month by month."""

    template_name = "backoffice/visibility_detail.html"

    def load_object(self, **kwargs) -> None:
        super().load_object(**kwargs)
        self.organisation, self.listings = selectors.organisation_listings(self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.organisation.name,
            organisation=self.organisation,
            reports=selectors.listing_reports(self.listings, self.year),
            years=selectors.years(selectors.first_day(selectors.counts_of_listings(self.listings))),
            url_name="visibility_organisation",
            object_pk=self.organisation.pk,
        )
        return context


EXPORT_HEADER = [
    _("N° de fiche"),
    _("Fiche"),
    _("Organisation"),
    _("Mesure"),
    _("Mois"),
    _("Nombre"),
]


class VisibilityExportView(_VisibilityMixin, View):
    """The office's counts for the year as CSV: one line per listing, kind and month."""

    permission = Permission.EXPORT

    def get(self, request, *args, **kwargs):
        rows = (
            [
                row["listing_id"],
                row["listing__establishment__name"],
                row["listing__establishment__organisation__name"],
                KIND_LABELS[row["kind"]],
                f"{self.year}-{row['month']:02d}",
                row["total"],
            ]
            for row in selectors.export_rows(self.office, self.year)
        )
        return csv_response(f"visibilite-{self.office.slug}-{self.year}.csv", EXPORT_HEADER, rows)
