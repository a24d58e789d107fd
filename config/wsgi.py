import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# WeasyPrint loads at the first PDF (see apps/core/pdf.py); a server loads it at its start, so no
# reader's first PDF waits for it.
import apps.core.weasy  # noqa: E402, F401
