from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# The web app is plain modules from our own origin; nothing inline, nothing third-party.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
# The interactive API docs load drf-spectacular's bundled Swagger UI with an inline start script.
_CSP_DOCS = _CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)
_DOCS_PATH = "/api/docs/"


class ContentSecurityPolicyMiddleware:
    """Content-Security-Policy, X-Frame-Options and Permissions-Policy on every response.

    It sits above WhiteNoise (settings.MIDDLEWARE), because WhiteNoise answers the web app's
    own page and files without calling the middleware below it: Django's clickjacking
    middleware never sees those responses, so the frame refusal is repeated here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = _CSP_DOCS if request.path.startswith(_DOCS_PATH) else _CSP
            response["Content-Security-Policy"] = policy
        if not getattr(response, "xframe_options_exempt", False):
            response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
