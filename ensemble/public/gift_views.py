"""Balad'Enigm: a visitor types the gift code a partner gave them, and it is used, once.

No login: codes are 10 characters out of 31 (≈ 8·10^14 possibilities), an unknown, used or
expired code all get the same message, so nothing can be learnt by trying, and tries are throttled
per address (settings.RATE_LIMITS["gift_code"]).
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from ensemble.claims import services
from ensemble.claims.errors import ClaimError
from ensemble.core.ratelimit import rate_limited


class GiftCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Votre code cadeau"),
        max_length=30,
        help_text=_("Les 10 caractères du carton remis par votre hôte, par exemple ABCDE-FGHJK."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    trail = forms.CharField(label=_("Parcours (facultatif)"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe()

    def _describe(self) -> None:
        bound = self["code"]
        described = [f"{bound.auto_id}_helptext"]
        if self._errors and "code" in self._errors:
            described.insert(0, f"{bound.auto_id}_error")
        self.fields["code"].widget.attrs["aria-describedby"] = " ".join(described)

    def add_error(self, field, error):
        super().add_error(field, error)
        self._describe()


@method_decorator(rate_limited("gift_code"), name="dispatch")
class GiftCodeView(FormView):
    template_name = "public/gift_code.html"
    form_class = GiftCodeForm

    def get_initial(self):
        return {"trail": self.request.GET.get("parcours", "")[:100]}

    def form_valid(self, form):
        try:
            services.redeem_gift_code(
                self.request.office, form.cleaned_data["code"], trail=form.cleaned_data["trail"]
            )
        except ClaimError as exc:
            form.add_error("code", exc.message)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Code accepté : bonne balade avec Balad'Enigm !"))
        return redirect("public:gift_code", office_slug=self.request.office.slug)
