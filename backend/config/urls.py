from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.authentication import bearer_sign_in
from core.graphql import HardenedGraphQLView
from reviews.views import home
from web import urls as web_urls


class GraphQLView(HardenedGraphQLView):
    """The hardened view, signing requests in by API token (accounts owns tokens)."""

    bearer_sign_in = staticmethod(bearer_sign_in)


api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("tenancy.api_urls")),
    path("", include("handbooks.api_urls")),
    path("", include("reviews.api_urls")),
    path("", include("evidence.api_urls")),
    path("", include("findings.api_urls")),
    path("", include("budgets.api_urls")),
    path("", include("surveys.api_urls")),
]

urlpatterns = [
    path("", include("core.urls")),
    # Home is the reviews app's "Your reviews" page, in the web namespace every
    # template links to ("web:home"): web, below the apps, imports none of them.
    path("", include(([path("", home, name="home"), *web_urls.urlpatterns], "web"))),
    path("", include("accounts.urls")),
    path("handbooks/", include("handbooks.urls")),
    path("exchanges/", include("reviews.urls_exchanges")),
    path("reviews/", include("reviews.urls")),
    # evidence/... and a review's evidence, requests and coverage (reviews/<id>/...).
    path("", include("evidence.urls")),
    # A review's findings, moderation and publication (reviews/<id>/...).
    path("", include("findings.urls")),
    path("budgets/", include("budgets.urls")),
    path("", include("surveys.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the page runs under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # GraphiQL is served only where settings.GRAPHQL_GRAPHIQL is on (local); the view
    # reads the setting on each request.
    path("graphql/", GraphQLView.as_view(), name="graphql"),
]

handler400 = "web.views.bad_request"
handler403 = "web.views.permission_denied"
handler404 = "web.views.page_not_found"
# An outage (database, broker) is a 503 with Retry-After; anything else the 500 page.
handler500 = "web.views.server_error"
