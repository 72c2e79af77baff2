"""Settings: `base` reads the environment; `dev`, `test` and `prod` adjust it.

manage.py defaults to `dev`, wsgi/asgi to `prod`. DEBUG is off unless `dev` turns it on
or DJANGO_DEBUG is set.
"""
