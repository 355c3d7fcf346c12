import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Load WeasyPrint in the background now, not on the first slip PDF (4+ s); see the module.
from tokodesk.notifications import pdf_warmup  # noqa: E402

pdf_warmup.start()
