"""Espace pro routes: accounts (included by portal/urls.py, names in the "portal" namespace).

« Mon compte avec l'office » (membership, documents accepted, renewal, termination) and
« Mon équipe » (who acts for the organisation; owners invite and remove).
"""

from django.urls import path

from . import account_views, team_views

urlpatterns: list = [
    path("compte/", account_views.AccountIndexView.as_view(), name="account_index"),
    path("compte/<int:organisation_id>/", account_views.AccountView.as_view(), name="account"),
    path(
        "compte/documents/<int:acceptance_id>/",
        account_views.AcceptanceView.as_view(),
        name="account_acceptance",
    ),
    path(
        "compte/adhesions/<int:membership_id>/renouveler/",
        account_views.RenewView.as_view(),
        name="account_renew",
    ),
    path(
        "compte/adhesions/<int:membership_id>/resilier/",
        account_views.NoticeView.as_view(),
        name="account_notice",
    ),
    path("equipe/<int:organisation_id>/", team_views.TeamView.as_view(), name="team"),
    path("equipe/<int:organisation_id>/inviter/", team_views.TeamInviteView.as_view(), name="team_invite"),
    path(
        "equipe/<int:organisation_id>/membres/<int:member_id>/retirer/",
        team_views.TeamRemoveView.as_view(),
        name="team_remove",
    ),
]
