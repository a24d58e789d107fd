from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from mozilla_django_oidc.views import OIDCLogoutView

from apps.accounts.forms import ThrottledAdminAuthenticationForm
from apps.accounts.views import SignInView

handler500 = "apps.core.views.server_error"
# The admin signs in through the same throttle as the site.
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("login/", SignInView.as_view(), name="login"),
    # POST only; sends the browser on to the provider's sign-out when the person signed in there
    # (apps.accounts.sso.provider_logout_url).
    path("logout/", OIDCLogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("apps.decisions.urls")),
    path("", include("apps.exports.urls")),
    path("", include("apps.authoring.urls")),
    path("", include("apps.reviews.urls")),
    path("", include("apps.versions.urls")),
    path("", include("apps.workspaces.urls")),
    path("", include("apps.activity.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.search.urls")),
    path("", include("apps.upkeep.urls")),
    path("api/", include("apps.api.urls")),
    path("", include("apps.imports.urls")),
    path("", include("apps.publishing.urls")),
]

if settings.ADROIT_BENCH:
    from apps.core.bench import floor

    urlpatterns.append(path("bench/floor/", floor, name="bench-floor"))
