from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from village import views

# Django tries these in order, pattern by pattern: the engine's come first because its lists (a
# roster's shifts, my commitments) are most of the API's traffic. No two apps share a route.
api_v1 = [
    path("", include("scheduling.urls")),
    path("", include("accounts.urls")),
    path("", include("practical.urls")),
    path("", include("rosters.urls")),
    path("", include("calendars.urls")),
    path("", include("notifications.urls")),
]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("api/v1/", include(api_v1)),
    path("calendars/", include("calendars.feed_urls")),
]

handler404 = "village.views.not_found"
handler500 = "village.views.server_error"
