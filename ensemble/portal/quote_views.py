"""The partner's quotes in the espace pro: read them, accept or decline those still open.

Only the quotes of the organisations the person acts for in the current office are reachable;
any other id answers 404, for GET and POST alike.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View

from ensemble.billing import selectors, services
from ensemble.billing.errors import BillingError
from ensemble.billing.quote_pdf import quote_pdf, quote_pdf_filename
from ensemble.core.client_ip import client_ip
from ensemble.core.forms import PlainTextField
from ensemble.core.private_files import serve_private_file


class DeclineForm(forms.Form):
    reason = PlainTextField(
        label=_("Motif du refus (facultatif)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def full_clean(self):
        super().full_clean()
        if self.errors.get("reason"):
            self.fields["reason"].widget.attrs["aria-describedby"] = f"{self['reason'].auto_id}_error"


def decline_form(quote, data=None) -> DeclineForm:
    """One form per quote on the page: the prefix keeps the ids unique."""
    return DeclineForm(data, prefix=f"quote-{quote.pk}")


def _evidence(request) -> dict:
    return {
        "user": request.user,
        "ip": client_ip(request) or None,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }


class PortalQuoteListView(LoginRequiredMixin, TemplateView):
    template_name = "portal/quotes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = kwargs.get("bound_form")
        quotes = list(selectors.partner_quotes(self.request.user, self.request.office))
        for quote in quotes:
            quote.decline_form = (
                bound if bound and bound.prefix == f"quote-{quote.pk}" else decline_form(quote)
            )
        context["quotes"] = quotes
        return context


class PortalQuoteActionView(PortalQuoteListView):
    """POST only (a GET goes back to the list): accept or decline one quote."""

    action = "accept"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.quote = selectors.partner_quote(request.user, request.office, kwargs["quote_id"])
        except ObjectDoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect("portal:quotes", office_slug=request.office.slug)

    def post(self, request, *args, **kwargs):
        try:
            if self.action == "accept":
                services.accept_quote(self.quote, **_evidence(request))
                done = gettext("Devis %(number)s accepté : l'Office vous adressera la facture.")
            else:
                form = decline_form(self.quote, request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(bound_form=form))
                services.decline_quote(self.quote, reason=form.cleaned_data["reason"], **_evidence(request))
                done = gettext("Devis %(number)s refusé.")
        except BillingError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done % {"number": self.quote.number})
        return redirect("portal:quotes", office_slug=request.office.slug)


class PortalQuotePdfView(LoginRequiredMixin, View):
    """A quote's PDF; any id that is not one of the person's organisations' quotes answers 404."""

    def get(self, request, *args, **kwargs):
        try:
            quote = selectors.partner_quote(request.user, request.office, kwargs["quote_id"])
        except ObjectDoesNotExist:
            raise Http404 from None
        try:
            content = quote_pdf(quote)
        except BillingError as exc:
            return HttpResponse(exc.message, status=409, content_type="text/plain; charset=utf-8")
        return serve_private_file(content, filename=quote_pdf_filename(quote), content_type="application/pdf")
