"""Global routes, then each office's routes under /<office_slug>/."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from ensemble.core.views import HealthView, LiveView, MetricsView, QueueHealthView, ReadyView
from ensemble.public import language_views
from ensemble.public import views as public_views

global_patterns = [
    path("comptes/", include("allauth.urls")),
    path(
        "comptes/activer/<str:uidb64>/<str:token>/",
        public_views.ActivateAccountView.as_view(),
        name="activate_account",
    ),
    # Without a CSRF token: choosing a language changes nothing but the display, and a form
    # token in every page's header would keep the public pages out of the page cache.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    # The header's language menu: plain links that switch at once (issue 13, item 8).
    path("i18n/langue/<str:code>/", language_views.switch_language, name="switch_language"),
    path("healthz/", HealthView.as_view(), name="healthz"),
    path("healthz/queue/", QueueHealthView.as_view(), name="healthz_queue"),
    # Observability (issue 11, item 7): answered before OfficeMiddleware (core.health).
    path("healthz/live/", LiveView.as_view(), name="healthz_live"),
    path("healthz/ready/", ReadyView.as_view(), name="healthz_ready"),
    path("metrics", MetricsView.as_view(), name="metrics"),
]
# A database that does not answer gets a 503 page with Retry-After, not the 500 one.
handler500 = "ensemble.core.views.server_error"

# --- Logins and public forms that resist abuse (issue 10, item 4) ---
# The admin logs in through allauth (its rate limits, the second factor); ADMIN_ENABLED off (the
# production default): not mounted at all.
if settings.ADMIN_ENABLED:
    if not getattr(admin.site.login, "through_allauth", False):  # once, even if this module is reloaded
        admin.site.login = secure_admin_login(admin.site.login)
        admin.site.login.through_allauth = True
    global_patterns.insert(0, path("admin/", admin.site.urls))
# allauth answers its own refusals (too many logins…) with this view: the same page as ours.
handler429 = "ensemble.core.ratelimit.too_many_requests"
# --- end of logins and public forms ---

office_patterns = [
    path("gestion/", include("ensemble.backoffice.urls")),
    path("espace-pro/", include("ensemble.portal.urls")),
    path("api/", include("ensemble.api.urls")),
    path("", include("ensemble.public.urls")),
]

urlpatterns = [
    *global_patterns,
    path("", public_views.HomeView.as_view(), name="home"),
    path("<slug:office_slug>/", include(office_patterns)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
