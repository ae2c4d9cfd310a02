"""Back-office routes: the team, the audit log, the failed background work (see backoffice/urls.py)."""

from django.urls import path

from .views import failed_tasks
from .views import team as views

urlpatterns: list = [
    path("equipe/", views.TeamView.as_view(), name="team"),
    path(
        "equipe/<int:staff_pk>/role/",
        views.TeamMemberActionView.as_view(operation="role"),
        name="team_role",
    ),
    path(
        "equipe/<int:staff_pk>/desactiver/",
        views.TeamMemberActionView.as_view(operation="deactivate"),
        name="team_deactivate",
    ),
    path(
        "equipe/<int:staff_pk>/reactiver/",
        views.TeamMemberActionView.as_view(operation="reactivate"),
        name="team_reactivate",
    ),
    path("journal/", views.AuditLogView.as_view(), name="audit_log"),
    path("journal/export.csv", views.AuditLogExportView.as_view(), name="audit_log_export"),
    path("travaux-en-echec/", failed_tasks.FailedTasksView.as_view(), name="failed_tasks"),
]
