"""Reception screens: the list, creating a screen (its secret URL is shown once), revoking it,
giving it a new URL, and the messages staff put on the screens."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from ensemble.accounts.roles import Permission
from ensemble.screens import selectors, services
from ensemble.screens.errors import ScreenError

from ..access import StaffRequiredMixin
from ..screen_forms import ScreenForm, ScreenMessageForm

PAST_MESSAGES = 20


def _session_key(screen_id: int) -> str:
    return f"screen-url-{screen_id}"


class _ScreenMixin(StaffRequiredMixin):
    permission = Permission.VIEW
    action_permission = Permission.COMMUNICATION
    nav = "screens"

    def remember_url(self, screen, token: str) -> None:
        """Keep the secret URL for the next page only (it is not stored anywhere else)."""
        path = reverse("public:screen", kwargs={"office_slug": self.office.slug, "token": token})
        self.request.session[_session_key(screen.pk)] = self.request.build_absolute_uri(path)


class ScreenListView(_ScreenMixin, TemplateView):
    """The office's screens and messages; the form to add a screen."""

    template_name = "backoffice/screen_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            screens=selectors.screens(self.office),
            current_messages=selectors.screen_messages(self.office),
            past_messages=selectors.screen_messages(self.office, current=False)[:PAST_MESSAGES],
            form=kwargs.get("form") or ScreenForm(prefix="screen"),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ScreenForm(request.POST, prefix="screen")
        if form.is_valid():
            try:
                screen, token = services.create_screen(
                    self.office, name=form.cleaned_data["name"], actor=request.user
                )
            except ScreenError as exc:
                form.add_service_error(exc)
            else:
                self.remember_url(screen, token)
                messages.success(request, gettext("Écran créé : copiez son adresse secrète maintenant."))
                return redirect(self.office_url("screen", pk=screen.pk))
        return self.render_to_response(self.get_context_data(form=form))


class ScreenDetailView(_ScreenMixin, TemplateView):
    """A screen: its state, its secret URL right after it was made, rename, revoke, new URL."""

    template_name = "backoffice/screen_detail.html"

    def load_object(self, **kwargs) -> None:
        self.screen = selectors.screen_of(self.office, kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            screen=self.screen,
            secret_url=self.request.session.pop(_session_key(self.screen.pk), ""),
            form=kwargs.get("form") or ScreenForm(prefix="screen", initial={"name": self.screen.name}),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Rename."""
        form = ScreenForm(request.POST, prefix="screen")
        if form.is_valid():
            try:
                services.rename_screen(self.screen, name=form.cleaned_data["name"], actor=request.user)
            except ScreenError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("Écran renommé."))
                return redirect(self.office_url("screen", pk=self.screen.pk))
        return self.render_to_response(self.get_context_data(form=form))


class _ScreenActionView(ScreenDetailView):
    """POST only (a GET goes back to the screen's page)."""

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("screen", pk=self.screen.pk))

    def post(self, request, *args, **kwargs):
        try:
            self.perform(request)
        except ScreenError as exc:
            messages.error(request, exc.message)
        return redirect(self.office_url("screen", pk=self.screen.pk))

    def perform(self, request) -> None:
        raise NotImplementedError


class ScreenRevokeView(_ScreenActionView):
    def perform(self, request) -> None:
        services.revoke_screen(self.screen, actor=request.user)
        messages.success(request, gettext("Écran désactivé : son adresse ne répond plus."))


class ScreenRegenerateView(_ScreenActionView):
    def perform(self, request) -> None:
        screen, token = services.regenerate_screen_token(self.screen, actor=request.user)
        self.remember_url(screen, token)
        messages.success(
            request,
            gettext("Nouvelle adresse créée : l'ancienne ne répond plus. Copiez la nouvelle maintenant."),
        )


# ---- messages -----------------------------------------------------------------------------


class ScreenMessageFormView(_ScreenMixin, TemplateView):
    """Add a message (no pk) or change one."""

    template_name = "backoffice/screen_message_form.html"

    def load_object(self, **kwargs) -> None:
        pk = kwargs.get("pk")
        self.message = selectors.screen_message_of(self.office, pk) if pk else None

    def _form(self, data=None) -> ScreenMessageForm:
        initial = {}
        if self.message is not None:
            initial = {
                "text": self.message.text,
                "starts_on": self.message.starts_on,
                "ends_on": self.message.ends_on,
                "screens": list(self.message.screens.all()),
            }
        return ScreenMessageForm(data, prefix="message", office=self.office, initial=initial)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(message=self.message, form=kwargs.get("form") or self._form())
        return context

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {key: data[key] for key in ("text", "starts_on", "ends_on", "screens")}
            try:
                if self.message is None:
                    services.create_screen_message(self.office, actor=request.user, **values)
                else:
                    services.edit_screen_message(self.message, actor=request.user, **values)
            except ScreenError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, gettext("Message enregistré."))
                return redirect(self.office_url("screens"))
        return self.render_to_response(self.get_context_data(form=form))


class ScreenMessageDeleteView(_ScreenMixin, TemplateView):
    def load_object(self, **kwargs) -> None:
        self.message = selectors.screen_message_of(self.office, kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("screen_message_edit", pk=self.message.pk))

    def post(self, request, *args, **kwargs):
        services.delete_screen_message(self.message, actor=request.user)
        messages.success(request, gettext("Message supprimé."))
        return redirect(self.office_url("screens"))
