"""« Mon équipe »: who acts for an organisation in the espace pro; its owners invite colleagues
and remove them. Any organisation or member id that is not the person's answers 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from ensemble.core.languages import a_name
from ensemble.directory import selectors as directory_selectors
from ensemble.directory import services as directory_services
from ensemble.directory.models import OrganisationMember

from .account_forms import InviteForm


class PartnerOrganisationMixin:
    """Resolves `organisation_id` to one of the person's organisations in the current office
    (`self.organisation`, and their own team row `self.member`); 404 for any other id.
    Put it after LoginRequiredMixin, which sends an anonymous visitor to the login first."""

    def dispatch(self, request, *args, **kwargs):
        try:
            self.member = directory_selectors.portal_member(
                request.user, request.office, kwargs["organisation_id"]
            )
        except ObjectDoesNotExist:
            raise Http404 from None
        self.organisation = self.member.organisation
        self.resolve(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def resolve(self, **kwargs) -> None:
        """Look up the other ids of the URL, within `self.organisation`; raise Http404."""

    @property
    def is_owner(self) -> bool:
        return self.member.role == OrganisationMember.Role.OWNER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(organisation=self.organisation, is_owner=self.is_owner)
        return context


class TeamView(LoginRequiredMixin, PartnerOrganisationMixin, TemplateView):
    template_name = "portal/team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = list(directory_selectors.team(self.organisation))
        owners = sum(1 for m in members if m.role == OrganisationMember.Role.OWNER)
        for m in members:
            m.is_last_owner = m.role == OrganisationMember.Role.OWNER and owners == 1
            m.is_me = m.user_id == self.request.user.pk
        context["members"] = members
        if self.is_owner:
            context.setdefault("form", InviteForm())
        return context


def _to_team(request, organisation):
    return redirect("portal:team", office_slug=request.office.slug, organisation_id=organisation.pk)


class TeamInviteView(TeamView):
    """POST only (a GET goes back to the team page)."""

    def get(self, request, *args, **kwargs):
        return _to_team(request, self.organisation)

    def post(self, request, *args, **kwargs):
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                member = directory_services.invite_member(
                    self.organisation, email=form.cleaned_data["email"], actor=request.user
                )
            except directory_services.DirectoryError as exc:
                if exc.field != "email":  # not about the address (e.g. not an owner): say it above
                    messages.error(request, exc.message)
                    return _to_team(request, self.organisation)
                form.add_error("email", exc.message)
            else:
                messages.success(
                    request,
                    _("%(email)s est invité : il ou elle a reçu un e-mail pour accéder à l'espace pro.")
                    % {"email": member.user.email},
                )
                return _to_team(request, self.organisation)
        return self.render_to_response(self.get_context_data(form=form))


class TeamRemoveView(LoginRequiredMixin, PartnerOrganisationMixin, View):
    """POST only: remove one member (`member_id`, of this organisation's team; 404 otherwise)."""

    def resolve(self, **kwargs) -> None:
        try:
            self.target = directory_selectors.team_member(self.organisation, kwargs["member_id"])
        except ObjectDoesNotExist:
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        return _to_team(request, self.organisation)

    def post(self, request, *args, **kwargs):
        target = self.target
        try:
            directory_services.remove_member(self.organisation, user=target.user, actor=request.user)
        except directory_services.DirectoryError as exc:
            messages.error(request, exc.message)
            return _to_team(request, self.organisation)
        if target.user_id == request.user.pk:
            messages.success(
                request,
                _("Vous n'avez plus accès %(a_org)s.")
                % {"a_org": a_name(self.organisation.name, get_language() or "fr")},
            )
            return redirect("portal:home", office_slug=request.office.slug)
        messages.success(
            request,
            _("%(email)s n'a plus accès %(a_org)s.")
            % {"email": target.user, "a_org": a_name(self.organisation.name, get_language() or "fr")},
        )
        return _to_team(request, self.organisation)
