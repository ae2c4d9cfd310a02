"""Public routes of the reception screens, the embeddable widget and click tracking (included
by public/urls.py, names in the "public" namespace).

- ecran/<token>/ (screen), …/contenu.json (screen_content), …/bandeaux/<banner_id>/
  (screen_banner): the secret token opens one screen; revoked or unknown → 404.
- widget.js (widget_js), widget/ (widget), widget.css (widget_css): the only frameable pages.
- go/<listing_id>/<kind>/ (go): counts a click on a published listing's phone, email, website
  or booking link and redirects to it.
"""

from django.urls import path

from ensemble.core.page_cache import cached_page

from . import go_views, screen_views, widget_views

SCREEN = "ecran/<str:token>/"

urlpatterns = [
    path(SCREEN, screen_views.ScreenPageView.as_view(), name="screen"),
    path(SCREEN + "contenu.json", screen_views.ScreenContentView.as_view(), name="screen_content"),
    path(
        SCREEN + "bandeaux/<int:banner_id>/",
        screen_views.ScreenBannerImageView.as_view(),
        name="screen_banner",
    ),
    path("widget.js", widget_views.WidgetScriptView.as_view(), name="widget_js"),
    path("widget.css", widget_views.WidgetStylesheetView.as_view(), name="widget_css"),
    path("widget/", cached_page(widget_views.WidgetView.as_view()), name="widget"),
    path("go/<int:listing_id>/<slug:kind>/", go_views.GoView.as_view(), name="go"),
]
