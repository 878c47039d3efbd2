import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# A web process pools its database connections (config/settings.py, DATABASE_POOL_SIZE).
os.environ.setdefault("DATABASE_POOL_SIZE", "20")
application = get_asgi_application()
