"""The page a partner reaches from the quote e-mail: read the quote, accept or decline it.

The token in the URL is the authority (no login needed); a tampered token answers 400 and an
expired quote 410, with a French page, and nothing changes.
"""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ensemble.billing import services
from ensemble.billing.errors import BillingError
from ensemble.billing.quote_pdf import quote_pdf, quote_pdf_filename
from ensemble.core.audit import acting_user
from ensemble.core.client_ip import client_ip
from ensemble.core.forms import PlainTextField
from ensemble.core.private_files import serve_private_file
from ensemble.core.ratelimit import rate_limited


class DeclineForm(forms.Form):
    reason = PlainTextField(
        label=_("Motif du refus (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Il aide l'Office à vous faire une proposition mieux adaptée."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["aria-describedby"] = f"{self['reason'].auto_id}_helptext"

    def full_clean(self):
        super().full_clean()
        if self.errors.get("reason"):
            bound = self["reason"]
            self.fields["reason"].widget.attrs["aria-describedby"] = (
                f"{bound.auto_id}_error {bound.auto_id}_helptext"
            )


def decision_evidence(request) -> dict:
    """Who decides and from where: the logged-in user if any, the IP and the browser."""
    return {
        "user": acting_user(request.user),
        "ip": client_ip(request) or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


# Accept/decline POSTs count per address and per quote, before the token is even checked.
@method_decorator(rate_limited("quote_decision", key_kwarg="token"), name="dispatch")
class QuoteDecisionView(TemplateView):
    template_name = "public/quote.html"
    http_method_names = ["get", "post"]

    def dispatch(self, request, *args, **kwargs):
        try:
            self.quote = services.quote_from_token(request.office, kwargs["token"])
        except BillingError as exc:
            return self.invalid(exc)
        return super().dispatch(request, *args, **kwargs)

    def invalid(self, exc: BillingError) -> TemplateResponse:
        expired = exc.code == "expired"
        return TemplateResponse(
            self.request,
            "public/quote_invalid.html",
            {"message": exc.message, "expired": expired},
            status=410 if expired else 400,
        )

    def get_template_names(self):
        return ["public/quote_done.html" if self.quote.is_decided else self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("decline_form", DeclineForm())
        context["quote"] = self.quote
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept_quote(self.quote, **decision_evidence(request))
            elif action == "decline":
                form = DeclineForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(decline_form=form))
                services.decline_quote(
                    self.quote, reason=form.cleaned_data["reason"], **decision_evidence(request)
                )
            else:
                messages.error(request, gettext("Choisissez d'accepter ou de refuser le devis."))
        except BillingError as exc:
            if exc.code == "expired":
                return self.invalid(exc)
            messages.error(request, exc.message)
        return redirect(request.path)


class QuotePdfView(QuoteDecisionView):
    """The quote's PDF, behind the same token checks as its page (tampered 400, expired 410)."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        return quote_pdf_response(self.quote)


def quote_pdf_response(quote) -> HttpResponse:
    try:
        content = quote_pdf(quote)
    except BillingError as exc:
        return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
    return serve_private_file(content, filename=quote_pdf_filename(quote), content_type="application/pdf")
