"""The office's team (invite, change a role, deactivate) and the audit log, for the direction."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from ensemble.accounts import selectors as account_selectors
from ensemble.accounts import staff as staff_services
from ensemble.accounts.models import StaffMembership
from ensemble.accounts.roles import ROLE_PERMISSIONS, Permission, Role
from ensemble.core import audit
from ensemble.core import selectors as core_selectors
from ensemble.core.errors import EnsembleError

from ..access import StaffRequiredMixin, get_or_404
from ..exports import csv_export
from ..team_forms import AuditFilterForm, StaffInviteForm, StaffRoleForm

LOG_PAGE_SIZE = 50


class TeamView(StaffRequiredMixin, TemplateView):
    permission = Permission.STAFF
    template_name = "backoffice/team.html"
    nav = "team"

    def get_context_data(self, invite_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        team = list(account_selectors.office_team(self.office))
        # Those who never logged in: has their invitation left? (an e-mail may wait or fail)
        waiting = [member.user.email for member in team if member.user.last_login is None]
        invitations = core_selectors.latest_emails(self.office, template="staff_invitation", to=waiting)
        for member in team:
            member.invitation = invitations.get(member.user.email.lower())
        context.update(
            rows=[
                (member, StaffRoleForm(initial={"role": member.role}, prefix=f"m{member.pk}"))
                for member in team
            ],
            invite_form=invite_form or StaffInviteForm(),
            matrix=[(Role(role).label, perms) for role, perms in ROLE_PERMISSIONS.items()],
            permissions=Permission.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        form = StaffInviteForm(request.POST)
        if form.is_valid():
            try:
                staff_services.invite_staff(self.office, actor=request.user, **form.cleaned_data)
            except EnsembleError as exc:
                form.add_service_error(exc)
        if form.errors:
            return self.render_to_response(self.get_context_data(invite_form=form))
        messages.success(
            request,
            _("L'invitation à %(email)s part par e-mail ; son envoi est suivi ci-dessous.")
            % form.cleaned_data,
        )
        return redirect(self.office_url("team"))


class TeamMemberActionView(StaffRequiredMixin, TemplateView):
    """POST only: change the role of one member, or deactivate / reactivate them."""

    permission = Permission.STAFF
    operation = ""

    def load_object(self, **kwargs) -> None:
        self.member = get_or_404(
            StaffMembership.objects.select_related("user", "office").get,
            office=self.office,
            pk=kwargs["staff_pk"],
        )

    def get(self, request, *args, **kwargs):
        return redirect(self.office_url("team"))

    def post(self, request, *args, **kwargs):
        try:
            self.perform(request)
        except EnsembleError as exc:
            messages.error(request, exc.message)
        return redirect(self.office_url("team"))

    def perform(self, request) -> None:
        name = str(self.member.user)  # the full name, or the e-mail address when there is none
        if self.operation == "role":
            form = StaffRoleForm(request.POST, prefix=f"m{self.member.pk}")
            if not form.is_valid():
                messages.error(request, _("Choisissez un rôle dans la liste."))
                return
            staff_services.change_staff_role(self.member, role=form.cleaned_data["role"], actor=request.user)
            messages.success(request, _("Le rôle de %(name)s est changé.") % {"name": name})
        elif self.operation == "deactivate":
            staff_services.deactivate_staff(self.member, actor=request.user)
            messages.success(request, _("L'accès de %(name)s est désactivé.") % {"name": name})
        else:
            staff_services.reactivate_staff(self.member, actor=request.user)
            messages.success(request, _("L'accès de %(name)s est réactivé.") % {"name": name})


class AuditLogView(StaffRequiredMixin, TemplateView):
    permission = Permission.STAFF
    template_name = "backoffice/audit_log.html"
    nav = "team"

    def entries(self):
        form = AuditFilterForm(self.request.GET or None)
        filters = form.filters()
        return form, core_selectors.office_log(
            self.office,
            action=filters.get("action", ""),
            actor_email=filters.get("actor", ""),
            target=filters.get("target", ""),
            organisation=filters.get("organisation"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, entries = self.entries()
        page = Paginator(entries, LOG_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            form=form,
            page=page,
            rows=[(entry, audit.describe(entry)) for entry in page.object_list],
            query=query.urlencode(),
        )
        return context


class AuditLogExportView(AuditLogView):
    """The filtered log as CSV (the export itself is logged)."""

    def get(self, request, *args, **kwargs):
        _form, entries = self.entries()
        audit.record(
            "audit_log.exported", actor=request.user, office=self.office, data={"filters": request.GET.dict()}
        )
        columns = [
            (_("Date"), lambda e: e.created_at),
            (_("Action"), lambda e: e.action),
            (_("Description"), audit.describe),
            (_("Auteur"), lambda e: str(e.actor) if e.actor else ""),
            (_("Objet"), lambda e: f"{e.target_type}:{e.target_id}" if e.target_type else ""),
            (_("Organisation"), lambda e: e.organisation_id),
            (_("Données"), lambda e: json.dumps(e.data, ensure_ascii=False, sort_keys=True)),
        ]
        return csv_export(f"journal-{self.office.slug}.csv", columns, entries.iterator(chunk_size=500))
