"""The List-Unsubscribe link of the non-transactional e-mails (RFC 8058).

A mail client's one-click unsubscribe POSTs `List-Unsubscribe=One-Click` to the link, without a
cookie or a CSRF token: the signed token is the authority, so the POST is exempt from CSRF. A
person following the link in the e-mail gets a page with one button (a GET never changes
anything: link scanners of mail providers follow every link).
"""

from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from ensemble.core import unsubscribe
from ensemble.core.errors import EnsembleError


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    template_name = "public/unsubscribe.html"

    def get(self, request, token: str, **kwargs):
        try:
            unsubscribe.read_token(request.office, token)
        except EnsembleError as error:
            return self.render(request, error=error.message, status=400)
        return self.render(request)

    def post(self, request, token: str, **kwargs):
        try:
            unsubscribe.record_opt_out(request.office, token=token)
        except EnsembleError as error:
            return self.render(request, error=error.message, status=400)
        return self.render(request, done=True)

    def render(self, request, *, status: int = 200, **context):
        return TemplateResponse(request, self.template_name, context, status=status)
