import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or a clean 503 while the database is unreachable (it reconnects by itself)."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        # Render without the request: its context processors would ask the database again.
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
