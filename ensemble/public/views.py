"""Public pages of an office: home, the join form, the charter, the CGV, the privacy notice."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from schwifty import IBAN

from ensemble.accounts import selectors as account_selectors
from ensemble.accounts.services import (
    AccountError,
    set_initial_password,
    user_from_activation_token,
)
from ensemble.core.client_ip import client_ip
from ensemble.core.languages import text_in
from ensemble.core.models import Office
from ensemble.core.money import format_money
from ensemble.core.ratelimit import rate_limited
from ensemble.directory import selectors as directory_selectors
from ensemble.memberships import selectors as membership_selectors
from ensemble.memberships.errors import MembershipError
from ensemble.memberships.models import Membership
from ensemble.memberships.pricing import JoinTerms, join_terms
from ensemble.memberships.services import Evidence, JoinApplication, submit_join_request
from ensemble.privacy.register import processing_register

from .forms import JoinForm, SetPasswordForm

JOIN_SESSION_KEY = "joined_membership_id"


class HomeView(TemplateView):
    """The deployment's front page: the offices, and where a logged-in person can go."""

    template_name = "public/deployment_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["offices"] = Office.objects.order_by("name")
        if user.is_authenticated:
            context["staff_offices"] = account_selectors.staff_offices(user)
            context["partner_offices"] = Office.objects.filter(
                pk__in=user.organisations.values("office_id")
            ).order_by("name")
        return context


class OfficeHomeView(TemplateView):
    template_name = "public/office_home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["season"] = membership_selectors.open_season(self.request.office)
        return context


def formatted_iban(office: Office) -> str:
    if not office.iban:
        return ""
    try:
        return IBAN(office.iban).formatted
    except ValueError:
        return office.iban


# Every POST counts, per address and per e-mail typed (settings.RATE_LIMITS["join"]).
@method_decorator(rate_limited("join", email_field="email"), name="dispatch")
class JoinView(FormView):
    template_name = "public/join.html"
    form_class = JoinForm

    def dispatch(self, request, *args, **kwargs):
        office = request.office
        self.season = membership_selectors.open_season(office)
        if self.season is not None:
            self.offers = list(membership_selectors.catalogue(self.season).filter(is_active=True))
            self.terms = membership_selectors.current_terms(self.season)
            if set(self.terms) != {"charter", "cgv"}:
                self.season = None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.season is None:
            return self.render_to_response({"closed": True})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.season is None:
            return self.render_to_response({"closed": True})
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            categories=directory_selectors.categories(self.request.office),
            offers=self.offers,
            terms=self.terms,
        )
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        language = get_language()
        context.update(
            season=self.season,
            terms=self.terms,
            terms_texts={kind: document.text_in(language) for kind, document in self.terms.items()},
            iban=formatted_iban(self.request.office),
            start_notice=start_notice(
                join_terms(self.season, today=timezone.localdate()),
                [o for o in self.offers if o.kind == o.Kind.PACK],
                language or "fr",
            ),
        )
        return context

    def form_valid(self, form):
        options = form.chosen_options()
        if form.errors:
            return self.form_invalid(form)
        data = form.cleaned_data
        application = JoinApplication(
            establishment_name=data["establishment_name"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            address=data["address"],
            postcode=data["postcode"],
            city=data["city"],
            phone=data["phone"],
            email=data["email"],
            siret=data["siret"],
            category_id=data["category"],
            pack_id=data["pack"],
            options=options,
            payment_method=data["payment_method"],
            accepted_charter_id=data["charter_id"] if data["accept_charter"] else None,
            accepted_cgv_id=data["cgv_id"] if data["accept_cgv"] else None,
            language="en" if (get_language() or "fr").startswith("en") else "fr",
            submission_key=data["submission_key"],
            terms_language=data["terms_language"] or (get_language() or "fr")[:2],
        )
        evidence = Evidence(
            ip_address=client_ip(self.request) or None,
            user_agent=self.request.META.get("HTTP_USER_AGENT", ""),
        )
        try:
            result = submit_join_request(self.request.office, application, evidence=evidence)
        except MembershipError as exc:
            form.add_service_error(exc)
            return self.form_invalid(form)
        self.request.session[JOIN_SESSION_KEY] = result.membership.pk
        self.request.session["joined_attached"] = result.attached_to_existing
        return redirect("public:join_thanks", office_slug=self.request.office.slug)


def start_notice(terms: JoinTerms, packs: list, language: str) -> str:
    """What the form says of a membership that does not start on the season's first day
    (issue 12, A10): when it starts, and a prorated pack's price."""
    season = terms.season
    dates = {
        "start": date_format(terms.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(season.ends_on, "SHORT_DATE_FORMAT"),
    }
    if terms.starts_on < season.starts_on:
        return _(
            "Votre adhésion %(year)s prend effet dès sa validation et son règlement : "
            "la fin de la saison %(previous)s vous est offerte."
        ) % {"year": season.year, "previous": season.year - 1}
    if terms.starts_on == season.starts_on:
        return ""
    if terms.prorata_days is None:
        return (
            _("Adhésion en cours de saison : elle couvre la période du %(start)s au %(end)s, au tarif plein.")
            % dates
        )
    prices = ", ".join(
        _("%(name)s : %(price)s TTC au lieu de %(full)s")
        % {
            "name": text_in(pack, "name", language),
            "price": format_money(terms.unit_price(pack), language),
            "full": format_money(pack.price_ttc, language),
        }
        for pack in packs
        if pack.is_priced and pack.price_ttc is not None
    )
    return _(
        "Adhésion en cours de saison : le pack est facturé au prorata des jours restants, du %(start)s "
        "au %(end)s (%(days)s jours sur %(total)s) — %(prices)s. Les options sont à leur prix."
    ) % {**dates, "days": terms.prorata_days, "total": season.days, "prices": prices}


class JoinThanksView(TemplateView):
    template_name = "public/join_thanks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pk = self.request.session.get(JOIN_SESSION_KEY)
        membership = (
            Membership.objects.filter(office=self.request.office, pk=pk)
            .select_related("organisation", "season", "establishment")
            .prefetch_related("lines__offer")
            .first()
        )
        if membership is None:
            raise Http404
        context.update(
            membership=membership,
            attached=self.request.session.get("joined_attached", False),
            iban=formatted_iban(self.request.office),
        )
        return context


class TermsView(TemplateView):
    """The full text of the season's charter or CGV, readable before accepting."""

    template_name = "public/terms.html"
    kind = "cgv"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        season = membership_selectors.current_season(self.request.office)
        document = membership_selectors.current_terms(season).get(self.kind) if season else None
        if document is None:
            raise Http404
        context.update(document=document, text=document.text_in(get_language()), season=season)
        return context


class PrivacyView(TemplateView):
    template_name = "public/privacy.html"

    def get_context_data(self, **kwargs):
        # RGPD (issue 10): the processings and durations, from the office's real settings.
        context = super().get_context_data(**kwargs)
        context["processings"] = processing_register(self.request.office)
        return context


class ActivateAccountView(FormView):
    """The link in the join confirmation: the person chooses a password, which verifies the
    address, and lands in the espace pro."""

    template_name = "public/activate.html"
    form_class = SetPasswordForm

    def dispatch(self, request, *args, **kwargs):
        self.account = user_from_activation_token(kwargs["uidb64"], kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invalid_link"] = self.account is None
        return context

    def form_valid(self, form):
        if self.account is None:
            return self.render_to_response(self.get_context_data(form=form))
        try:
            set_initial_password(
                self.account,
                password=form.cleaned_data["password1"],
                office=getattr(self.request, "office", None),
            )
        except AccountError as exc:
            form.add_error("password1", exc.message)
            return self.form_invalid(form)
        login(self.request, self.account, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, _("Votre mot de passe est enregistré. Bienvenue !"))
        return redirect(landing_url(self.account, getattr(self.request, "office", None)))


def landing_url(user, office: Office | None) -> str:
    """Where a person who has just chosen their password goes (issue 12, A2): in the office
    whose link they opened, its espace pro (they act for one of its organisations), else its
    back office (its staff), else its home page. A link without an office (e-mails sent before
    links named it) leads to the one place the person has, or to the page that lists them."""
    partner_offices = Office.objects.filter(pk__in=user.organisations.values("office_id")).order_by("name")
    staff_offices = account_selectors.staff_offices(user)
    if office is not None:
        if partner_offices.filter(pk=office.pk).exists():
            return reverse("portal:home", kwargs={"office_slug": office.slug})
        if staff_offices.filter(pk=office.pk).exists():
            return reverse("backoffice:dashboard", kwargs={"office_slug": office.slug})
        return reverse("public:home", kwargs={"office_slug": office.slug})
    places = [reverse("portal:home", kwargs={"office_slug": o.slug}) for o in partner_offices]
    places += [reverse("backoffice:dashboard", kwargs={"office_slug": o.slug}) for o in staff_offices]
    return places[0] if len(places) == 1 else reverse("home")
