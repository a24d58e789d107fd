from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
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


def content_security_policy() -> str:
    """The policy, letting the sign-out form go on to the single sign-on provider's sign-out:
    Chromium holds a form's redirects to form-action too, so 'self' alone stops it there."""
    logout = settings.OIDC_OP_LOGOUT_ENDPOINT
    if not (settings.OIDC_RP_CLIENT_ID and logout):
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(logout)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def security_headers(get_response: Callable[[HttpRequest], HttpResponse]):
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy())
        response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response

    return middleware


def request_size_limit(get_response: Callable[[HttpRequest], HttpResponse]):
    """Refuse a body larger than ADROIT_MAX_REQUEST_MB before any of it is read.

    Django spools uploads to disk as it parses them and only then do the import's own limits
    look at the files, so a 300 MB upload was written out before it was refused. Here the
    declared length is checked first, so the body is never read. A body sent without a length
    (chunked) is refused too: Django's WSGI request reads no more than Content-Length says, so
    it would silently see an empty form.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        limit_mb = settings.ADROIT_MAX_REQUEST_MB
        length = request.META.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not length:
            return HttpResponse(
                "Send the request with a Content-Length: bodies of unknown length are refused.",
                status=411,
                content_type="text/plain; charset=utf-8",
            )
        try:
            size = int(length) if length else 0
        except ValueError:
            return HttpResponse(
                "The request's Content-Length is not a number.",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        if size > limit_mb * 1024 * 1024:
            return HttpResponse(
                f"This request is {size / 1024 / 1024:.0f} MB; the server accepts at most "
                f"{limit_mb:g} MB. Import fewer or smaller files at a time.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return get_response(request)

    return middleware
