"""Partners' requests on their pack: the queue, a request's page and its actions, the image bank."""

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.claims import selectors, services
from ensemble.claims.errors import ClaimError
from ensemble.claims.models import DEDICATED_KINDS, Claim
from ensemble.core.private_files import serve_private_file
from ensemble.memberships.models import EntitlementKind

from ..access import StaffRequiredMixin, get_or_404
from ..claim_forms import (
    BannerApproveForm,
    ClaimAnswerForm,
    ClaimFilterForm,
    ClaimRefuseForm,
    GiftCodesForm,
    ImageBankAnswerForm,
    MediaImageForm,
)
from ..forms import SearchForm

PER_PAGE = 50
K = EntitlementKind


@dataclasses.dataclass(frozen=True)
class ClaimAction:
    slug: str  # URL name suffix
    segment: str  # URL segment (French, like the rest of the URLs)
    title: Promise
    button: Promise
    make_form: Callable[..., Any]  # (claim, office, data, files) -> form
    perform: Callable[[Claim, Any, dict], Any]
    success: Callable[[Claim, Any], str]
    is_available: Callable[[Claim], bool]
    multipart: bool = False

    @property
    def view_name(self) -> str:
        return f"backoffice:claim_{self.slug}"


def _answer_form(claim, office, data=None, files=None, *, prefix):
    return ClaimAnswerForm(data, prefix=prefix)


def _images_form(claim, office, data=None, files=None):
    return ImageBankAnswerForm(data, prefix="images", images=selectors.media_bank(office))


def _window_message(claim, result) -> str:
    return gettext("Bandeau validé : diffusé du %(start)s au %(end)s.") % {
        "start": date_format(result.starts_on, "SHORT_DATE_FORMAT"),
        "end": date_format(result.ends_on, "SHORT_DATE_FORMAT"),
    }


def _is_dedicated(claim: Claim, kind: str) -> bool:
    return claim.is_open and claim.kind == kind


ACTIONS = [
    ClaimAction(
        slug="accept",
        segment="accepter",
        title=_("Accepter la demande"),
        button=_("Accepter"),
        make_form=lambda c, o, d=None, f=None: _answer_form(c, o, d, f, prefix="accept"),
        perform=lambda c, actor, data: services.accept_claim(c, actor=actor, answer=data["answer"]),
        success=lambda c, r: gettext("Demande acceptée ; le partenaire est prévenu par e-mail."),
        is_available=lambda c: c.can("accept"),
    ),
    ClaimAction(
        slug="approve_banner",
        segment="valider-bandeau",
        title=_("Valider le bandeau"),
        button=_("Valider le bandeau et programmer sa diffusion"),
        make_form=lambda c, o, d=None, f=None: BannerApproveForm(d, prefix="banner", claim=c),
        perform=lambda c, actor, data: services.approve_banner(
            c, actor=actor, starts_on=data["starts_on"], answer=data["answer"]
        ),
        success=_window_message,
        is_available=lambda c: _is_dedicated(c, K.SCREEN_BANNER),
    ),
    ClaimAction(
        slug="answer_images",
        segment="repondre-images",
        title=_("Répondre avec une sélection d'images"),
        button=_("Transmettre les images choisies"),
        make_form=_images_form,
        perform=lambda c, actor, data: services.answer_image_bank_request(
            c, images=data["images"] or [], actor=actor, answer=data["answer"]
        ),
        success=lambda c, r: gettext("Images transmises au partenaire."),
        is_available=lambda c: _is_dedicated(c, K.IMAGE_BANK),
    ),
    ClaimAction(
        slug="issue_codes",
        segment="emettre-codes",
        title=_("Émettre les codes Balad'Enigm"),
        button=_("Émettre les codes"),
        make_form=lambda c, o, d=None, f=None: GiftCodesForm(d, prefix="codes", claim=c),
        perform=lambda c, actor, data: services.issue_gift_codes(
            c, count=data["count"], actor=actor, answer=data["answer"]
        ),
        success=lambda c, r: (
            ngettext("%(count)d code émis.", "%(count)d codes émis.", len(r)) % {"count": len(r)}
        ),
        is_available=lambda c: _is_dedicated(c, K.WELCOME_GIFT),
    ),
    ClaimAction(
        slug="complete",
        segment="realiser",
        title=_("Marquer la demande comme réalisée"),
        button=_("Marquer comme réalisée"),
        make_form=lambda c, o, d=None, f=None: _answer_form(c, o, d, f, prefix="complete"),
        perform=lambda c, actor, data: services.complete_claim(c, actor=actor, answer=data["answer"]),
        success=lambda c, r: (
            gettext("Demande réalisée ; le droit du partenaire est décompté.")
            if not c.beyond_pack
            else gettext("Demande réalisée.")
        ),
        is_available=lambda c: c.can("complete") and (c.beyond_pack or c.kind not in DEDICATED_KINDS),
    ),
    ClaimAction(
        slug="refuse",
        segment="refuser",
        title=_("Refuser la demande"),
        button=_("Refuser"),
        make_form=lambda c, o, d=None, f=None: ClaimRefuseForm(d, prefix="refuse"),
        perform=lambda c, actor, data: services.refuse_claim(c, actor=actor, reason=data["reason"]),
        success=lambda c, r: gettext("Demande refusée ; le motif est envoyé au partenaire."),
        is_available=lambda c: c.can("refuse"),
    ),
]
ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS}


class ClaimListView(StaffRequiredMixin, TemplateView):
    """The queue: requests to handle (by default), filtered by kind and status, paginated."""

    permission = Permission.VIEW

    template_name = "backoffice/claim_list.html"
    nav = "claims"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ClaimFilterForm(self.request.GET or None)
        filters = form.filters() if form.is_bound else {"kind": None, "status": selectors.OPEN}
        page = Paginator(selectors.claim_queue(self.office, **filters), PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        context.update(
            form=form, page=page, claims=page.object_list, counts=selectors.queue_counts(self.office)
        )
        return context


class ClaimDetailView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.PARTNERS
    template_name = "backoffice/claim_detail.html"
    nav = "claims"

    def load_object(self, **kwargs) -> None:
        self.claim = get_or_404(selectors.claim_detail, self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bound_action, bound_form = kwargs.get("bound_action"), kwargs.get("bound_form")
        actions = [
            (action, bound_form if action is bound_action else action.make_form(self.claim, self.office))
            for action in ACTIONS
            if action.is_available(self.claim)
        ]
        context.update(claim=self.claim, actions=actions, entitlement=self.claim.entitlement)
        return context


class ClaimActionView(ClaimDetailView):
    """POST one action (a GET goes back to the request's page). A field error re-renders the
    page with the form; any other refusal comes back as a message."""

    http_method_names = ["get", "post"]
    action: ClaimAction | None = None

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("claim", pk=self.claim.pk))

    def post(self, request, *args, **kwargs):
        action = self.action
        form = action.make_form(self.claim, self.office, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bound_action=action, bound_form=form))
        try:
            result = action.perform(self.claim, request.user, form.cleaned_data)
        except ClaimError as exc:
            if exc.field in form.fields:
                form.add_service_error(exc)
                return self.render_to_response(self.get_context_data(bound_action=action, bound_form=form))
            messages.error(request, exc.message)
        else:
            messages.success(request, action.success(self.claim, result))
        return redirect(self.office_url("claim", pk=self.claim.pk))

    @classmethod
    def for_action(cls, slug: str):
        return cls.as_view(action=ACTIONS_BY_SLUG[slug])


def _image_response(fieldfile, filename: str, *, attachment: bool) -> HttpResponse:
    return serve_private_file(
        fieldfile, filename=filename, as_attachment=attachment, content_type="image/jpeg"
    )


class ClaimBannerImageView(ClaimDetailView):
    """The banner image a partner sent, for staff to look at before approving it."""

    logged_as = "document.downloaded"

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        if not self.claim.image:
            raise Http404
        return _image_response(self.claim.image, f"bandeau-{self.claim.pk}.jpg", attachment=False)


# --- The image bank -----------------------------------------------------------------------------


class MediaBankView(StaffRequiredMixin, TemplateView):
    """The office's image bank: the images (searchable, paginated) and the upload form."""

    permission = Permission.VIEW
    action_permission = Permission.COMMUNICATION

    template_name = "backoffice/media_bank.html"
    nav = "media_bank"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search_form = SearchForm(self.request.GET or None)
        search = search_form.search() if search_form.is_bound else ""
        qs = selectors.media_bank(self.office, active_only=False, search=search)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        context.update(
            search_form=search_form,
            page=page,
            images=page.object_list,
            form=kwargs.get("form") or MediaImageForm(prefix="media"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = MediaImageForm(request.POST, request.FILES, prefix="media")
        if form.is_valid():
            data = form.cleaned_data
            try:
                image = services.add_media_image(
                    self.office,
                    image=data["image"],
                    title=data["title"],
                    credit=data["credit"],
                    tags=data["tags"],
                    actor=request.user,
                )
            except ClaimError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, gettext("Image « %(title)s » ajoutée à la banque.") % {"title": image.title}
                )
                return redirect(self.office_url("media_bank"))
        return self.render_to_response(self.get_context_data(form=form))


class MediaImageView(StaffRequiredMixin, TemplateView):
    permission = Permission.VIEW
    action_permission = Permission.COMMUNICATION

    def load_object(self, **kwargs) -> None:
        self.image = get_or_404(selectors.media_image, self.office, kwargs["pk"])


class MediaImageFileView(MediaImageView):
    """An image of the bank, inline (thumbnails) or as a download (`?telecharger=1`)."""

    logged_as = "document.downloaded"

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        return _image_response(
            self.image.image, f"banque-{self.image.pk}.jpg", attachment="telecharger" in request.GET
        )


class MediaImageArchiveView(MediaImageView):
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("media_bank"))

    def post(self, request, *args, **kwargs):
        try:
            services.archive_media_image(self.image, actor=request.user)
        except ClaimError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("Image retirée de la banque."))
        return redirect(self.office_url("media_bank"))
