from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# Scripts come only from our own static files: no inline script, no eval (htmx's allowEval is off
# too), so injected markup cannot run even if it slipped past the sanitiser. Inline styles stay
# allowed: htmx writes a few, and user content has every style attribute removed by nh3.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return middleware
