"""Espace pro: what the pack includes, its use, and the partner's requests on it.

Only the memberships and requests of the organisations the person acts for in the current office
are reachable; any other id answers 404, for GET and POST alike.
"""

import csv
import io
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.views.generic import TemplateView, View

from ensemble.claims import selectors, services
from ensemble.claims.codes import display as display_code
from ensemble.claims.errors import ClaimError
from ensemble.claims.models import CLAIMABLE_KINDS, Claim
from ensemble.core.private_files import serve_private_file
from ensemble.memberships.models import Entitlement, EntitlementKind, Membership, Offer

from .claim_forms import CancelForm, ClaimRequestForm, ExtraRequestForm


def request_prefix(membership_id: int, kind: str) -> str:
    return f"m{membership_id}-{kind}"


def extra_prefix(membership_id: int, kind: str) -> str:
    return f"m{membership_id}-{kind}-extra"


@dataclass
class EntitlementRow:
    """One entitlement of a membership as the page shows it."""

    entitlement: Entitlement
    claimable: bool = False
    pending: int = 0
    form: ClaimRequestForm | None = None
    extra_form: ExtraRequestForm | None = None
    offers: list[Offer] = field(default_factory=list)

    @property
    def exhausted(self) -> bool:
        return self.entitlement.remaining is not None and self.entitlement.remaining <= 0


@dataclass
class ExtraKind:
    """A claimable kind the membership does not include: ordered as an option or on quote."""

    kind: str
    label: str
    offers: list[Offer]
    form: ExtraRequestForm


@dataclass
class MembershipPanel:
    membership: Membership
    rows: list[EntitlementRow]
    extras: list[ExtraKind]
    claims: list[Claim]


def _bound_or_new(bound, form_class, prefix: str, **kwargs):
    if bound is not None and bound.prefix == prefix:
        return bound
    return form_class(prefix=prefix, **kwargs)


def _row(membership: Membership, entitlement: Entitlement, offers, claims, bound, today) -> EntitlementRow:
    row = EntitlementRow(entitlement=entitlement, claimable=entitlement.kind in CLAIMABLE_KINDS)
    if not row.claimable or entitlement.valid_until < today:
        return row
    row.pending = sum(1 for c in claims if c.entitlement_id == entitlement.pk and c.is_open)
    row.offers = offers.get((membership.season_id, entitlement.kind), [])
    remaining = entitlement.remaining
    if remaining is not None and remaining <= 0:
        row.extra_form = _bound_or_new(bound, ExtraRequestForm, extra_prefix(membership.pk, entitlement.kind))
    elif remaining is None or remaining - row.pending > 0:
        prefix = request_prefix(membership.pk, entitlement.kind)
        row.form = _bound_or_new(bound, ClaimRequestForm, prefix, kind=entitlement.kind)
    return row


def _one_request_per_kind(rows: list[EntitlementRow]) -> list[EntitlementRow]:
    """Two rights of one kind (the pack's and an option's: issue 12, A9) are two rows of the
    table but one request form: the service takes the first with something left. The form goes
    with the first row that can take a request, else the first row that offers an extra."""
    best: dict[str, EntitlementRow] = {}
    for rank in (lambda r: r.form is not None, lambda r: r.extra_form is not None, lambda r: True):
        for row in rows:
            if row.claimable and rank(row):
                best.setdefault(row.entitlement.kind, row)
    for row in rows:
        if row.claimable and best[row.entitlement.kind] is not row:
            row.claimable, row.form, row.extra_form = False, None, None
    return rows


def membership_panel(membership: Membership, offers: dict, bound=None) -> MembershipPanel:
    today = timezone.localdate()
    claims = list(membership.claims.all())
    entitlements = list(membership.entitlements.all())
    prefetch_related_objects(entitlements, "source")  # their names in the page's language
    rows = _one_request_per_kind([_row(membership, e, offers, claims, bound, today) for e in entitlements])
    included = {e.kind for e in entitlements}
    extras = [
        ExtraKind(
            kind=kind,
            label=EntitlementKind(kind).label,
            offers=offers.get((membership.season_id, kind), []),
            form=_bound_or_new(bound, ExtraRequestForm, extra_prefix(membership.pk, kind)),
        )
        for kind in CLAIMABLE_KINDS
        if kind not in included
    ]
    return MembershipPanel(membership=membership, rows=rows, extras=extras, claims=claims)


class PortalClaimsView(LoginRequiredMixin, TemplateView):
    """ "Mes prestations incluses": each live membership's entitlements, a request form per
    claimable kind, the offers beyond the pack, and the requests with their answers."""

    template_name = "portal/claim_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        memberships = list(selectors.live_memberships_of_user(self.request.user, self.request.office))
        offers = selectors.offers_by_kind(list({m.season for m in memberships}))
        bound = kwargs.get("bound_form")
        context["panels"] = [membership_panel(m, offers, bound) for m in memberships]
        context["kinds"] = EntitlementKind
        return context


class _MembershipPostView(PortalClaimsView):
    """POST only (a GET goes back to the page), on one of the person's memberships."""

    beyond_pack = False

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.membership = selectors.membership_of_user(
                request.user, request.office, kwargs["membership_id"]
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect("portal:claims", office_slug=request.office.slug)

    def post(self, request, *args, **kwargs):
        kind = request.POST.get("kind", "")
        if kind not in CLAIMABLE_KINDS:
            raise Http404
        form = self.make_form(kind, request)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound_form=form))
        try:
            services.request_claim(
                self.membership,
                kind=kind,
                actor=request.user,
                beyond_pack=self.beyond_pack,
                **self.service_kwargs(form),
            )
        except ClaimError as exc:
            if exc.field in form.fields:
                form.add_service_error(exc)
                return self.render_to_response(self.get_context_data(bound_form=form))
            messages.error(request, exc.message)
        else:
            messages.success(request, self.done_message(kind))
        return redirect("portal:claims", office_slug=request.office.slug)


class PortalClaimRequestView(_MembershipPostView):
    def make_form(self, kind, request):
        return ClaimRequestForm(
            request.POST, request.FILES, kind=kind, prefix=request_prefix(self.membership.pk, kind)
        )

    def service_kwargs(self, form) -> dict:
        return form.service_kwargs()

    def done_message(self, kind) -> str:
        return gettext(
            "Demande « %(kind)s » envoyée à l'Office : vous serez prévenu par e-mail de sa réponse."
        ) % {"kind": EntitlementKind(kind).label}


class PortalClaimExtraView(_MembershipPostView):
    beyond_pack = True

    def make_form(self, kind, request):
        return ExtraRequestForm(request.POST, prefix=extra_prefix(self.membership.pk, kind))

    def service_kwargs(self, form) -> dict:
        return {
            "message": form.cleaned_data["message"],
            "preferred_date": form.cleaned_data["preferred_date"],
        }

    def done_message(self, kind) -> str:
        return gettext(
            "Demande « %(kind)s » envoyée : l'Office vous adressera un devis ou vous proposera l'option."
        ) % {"kind": EntitlementKind(kind).label}


class _ClaimView(LoginRequiredMixin, View):
    """Views on one of the person's requests; any other id answers 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.claim = selectors.claim_of_user(request.user, request.office, kwargs["claim_id"])
        except ObjectDoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)


class PortalClaimCancelView(_ClaimView):
    def get(self, request, *args, **kwargs):
        return redirect("portal:claims", office_slug=request.office.slug)

    def post(self, request, *args, **kwargs):
        CancelForm(request.POST).is_valid()
        try:
            services.cancel_claim(self.claim, actor=request.user)
        except ClaimError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Demande annulée."))
        return redirect("portal:claims", office_slug=request.office.slug)


def _file_response(fieldfile, filename: str, *, attachment: bool) -> HttpResponse:
    return serve_private_file(
        fieldfile, filename=filename, as_attachment=attachment, content_type="image/jpeg"
    )


class PortalClaimImageView(_ClaimView):
    """An image of the bank the office selected for this request; `?apercu=1` shows it inline."""

    def get(self, request, *args, **kwargs):
        if self.claim.status != Claim.Status.DONE:
            raise Http404
        image = next((i for i in self.claim.images.all() if i.pk == kwargs["image_id"]), None)
        if image is None:
            raise Http404
        filename = f"{slugify(image.title) or 'image'}-{image.pk}.jpg"
        return _file_response(image.image, filename, attachment="apercu" not in request.GET)


class PortalClaimBannerView(_ClaimView):
    """The banner image the partner sent with its request."""

    def get(self, request, *args, **kwargs):
        if not self.claim.image:
            raise Http404
        return _file_response(self.claim.image, f"bandeau-{self.claim.pk}.jpg", attachment=False)


def _csv_cell(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


class PortalClaimCodesView(_ClaimView):
    """The request's gift codes as CSV (`;`, UTF-8 with BOM), with which were used."""

    def get(self, request, *args, **kwargs):
        if self.claim.kind != EntitlementKind.WELCOME_GIFT:
            raise Http404
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(
            [gettext("Code"), gettext("Valable jusqu'au"), gettext("Utilisé le"), gettext("Parcours")]
        )
        for gift in self.claim.gift_codes.all():
            used = timezone.localtime(gift.used_at).strftime("%d/%m/%Y %H:%M") if gift.used_at else ""
            writer.writerow(
                [
                    display_code(gift.code),
                    gift.valid_until.strftime("%d/%m/%Y"),
                    used,
                    _csv_cell(gift.used_on_trail),
                ]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="codes-balad-enigm-{self.claim.pk}.csv"'
        return response
