"""The season's catalogue (offers, entitlements, charter and CGV) and the directory's categories."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from ensemble.accounts.roles import Permission
from ensemble.core.errors import EnsembleError
from ensemble.directory import selectors as directory_selectors
from ensemble.directory import services as directory_services
from ensemble.memberships import selectors, services
from ensemble.memberships.models import Season, TermsDocument

from ..access import StaffRequiredMixin, get_or_404
from ..catalogue_forms import OfferTextsForm
from ..forms import CategoryForm, SeasonChoiceForm, SeasonSalesForm, TermsForm


class CatalogueView(StaffRequiredMixin, TemplateView):
    """One season's catalogue (?season=<id>; by default the current season)."""

    permission = Permission.VIEW

    template_name = "backoffice/catalogue.html"
    nav = "catalogue"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seasons = list(selectors.seasons(self.office))
        season = self.chosen_season(seasons)
        years = {s.year for s in seasons}
        context.update(
            form=SeasonChoiceForm(initial={"season": season.pk if season else None}, seasons=seasons),
            season=season,
            offers=list(selectors.catalogue(season)) if season else [],
            terms=selectors.current_terms(season) if season else {},
            next_season_exists=season is not None and season.year + 1 in years,
            sales_form=SeasonSalesForm(
                initial={"sales_from": season.sales_from, "late_start_rule": season.late_start_rule},
                prefix="sales",
            )
            if season
            else None,
        )
        return context

    def chosen_season(self, seasons: list[Season]) -> Season | None:
        """The season asked for (404 if it is not one of this office's), else the current one."""
        raw = self.request.GET.get("season", "")
        if not raw:
            return selectors.current_season(self.office)
        season = next((s for s in seasons if str(s.pk) == raw), None)
        if season is None:
            raise Http404
        return season


class SeasonActionView(StaffRequiredMixin, View):
    """POST: an action on a whole season, then back to its catalogue (where a GET goes too)."""

    permission = Permission.VIEW
    action_permission = Permission.PARTNERS

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(f"{self.office_url('catalogue')}?season={self.season.pk}")

    def load_object(self, **kwargs) -> None:
        self.season = get_or_404(selectors.season_detail, self.office, kwargs["season_pk"])

    def perform(self):
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            season, message = self.perform()
        except EnsembleError as exc:
            messages.error(request, exc.message)
            season = self.season
        else:
            messages.success(request, message)
        return redirect(f"{self.office_url('catalogue')}?season={season.pk}")


class SeasonPrepareView(SeasonActionView):
    def perform(self):
        new = services.prepare_next_season(self.season, actor=self.request.user)
        message = _(
            "La saison %(year)s est préparée : relisez les prix et les textes, puis ouvrez les adhésions."
        ) % {"year": new.year}
        return new, message


class SeasonOpenView(SeasonActionView):
    def perform(self):
        season = services.open_season(self.season, actor=self.request.user)
        return season, _("Les adhésions %(year)s sont ouvertes.") % {"year": season.year}


class SeasonSalesView(SeasonActionView):
    """The season's sale date and its rule for late memberships (issue 12, A10)."""

    def perform(self):
        form = SeasonSalesForm(self.request.POST, prefix="sales")
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            label = form.fields[field].label if field in form.fields else ""
            raise EnsembleError(f"{label} : {errors[0]}" if label else errors[0])
        season = services.set_season_sales(self.season, actor=self.request.user, **form.cleaned_data)
        return season, _(
            "Saison %(year)s : mise en vente et règle des adhésions en cours de saison enregistrées."
        ) % {"year": season.year}


class TermsPublishView(StaffRequiredMixin, TemplateView):
    """A season's charter or CGV: the form starts from the current version's texts (French,
    English, Dutch); saving publishes a new version, which the join form then shows. Earlier
    acceptances keep the version and language they accepted."""

    permission = Permission.VIEW
    action_permission = Permission.PARTNERS

    template_name = "backoffice/terms_form.html"
    nav = "catalogue"

    def load_object(self, **kwargs) -> None:
        self.season = get_or_404(selectors.season_detail, self.office, kwargs["season_pk"])
        if kwargs["kind"] not in TermsDocument.Kind.values:
            raise Http404
        self.kind = kwargs["kind"]
        self.current = selectors.current_terms(self.season).get(self.kind)

    def initial(self) -> dict:
        if self.current is None:
            return {}
        return {name: getattr(self.current, name) for name in TermsForm.base_fields}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            season=self.season,
            kind_label=TermsDocument.Kind(self.kind).label,
            current=self.current,
            form=form or TermsForm(initial=self.initial()),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = TermsForm(request.POST)
        if form.is_valid():
            try:
                document = services.publish_terms(
                    self.season,
                    kind=self.kind,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    translations=form.translations(),
                    actor=request.user,
                )
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            _("La version %(version)s de « %(title)s » est publiée.")
            % {"version": document.version, "title": document.title},
        )
        return redirect(f"{self.office_url('catalogue')}?season={self.season.pk}")


class OfferTextsView(StaffRequiredMixin, TemplateView):
    """An offer's name, description and rights' names in French, English and Dutch (the join
    form, the espace pro and the e-mails show them in the reader's language, nl → en → fr)."""

    permission = Permission.VIEW
    action_permission = Permission.PARTNERS

    template_name = "backoffice/offer_texts.html"
    nav = "catalogue"

    def load_object(self, **kwargs) -> None:
        self.offer = get_or_404(selectors.season_offer, self.office, kwargs["season_pk"], kwargs["pk"])

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            offer=self.offer, season=self.offer.season, form=form or OfferTextsForm(offer=self.offer)
        )
        return context

    def post(self, request, *args, **kwargs):
        form = OfferTextsForm(request.POST, offer=self.offer)
        if form.is_valid():
            try:
                offer = services.set_offer_texts(
                    self.offer, texts=form.texts(), labels=form.labels(), actor=request.user
                )
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Les textes de « %(name)s » sont enregistrés.") % {"name": offer.name})
        return redirect(f"{self.office_url('catalogue')}?season={offer.season_id}")


class CategoryListView(StaffRequiredMixin, TemplateView):
    """The directory's categories, and the form to add one (POST to the same URL)."""

    permission = Permission.VIEW
    action_permission = Permission.PARTNERS

    template_name = "backoffice/categories.html"
    nav = "categories"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            categories=directory_selectors.categories(self.office),
            form=form or CategoryForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                category = directory_services.create_category(
                    self.office, actor=request.user, **form.cleaned_data
                )
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("La catégorie « %(name)s » est ajoutée.") % {"name": category.name})
        return redirect(self.office_url("categories"))
