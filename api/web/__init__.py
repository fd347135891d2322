"""The operators' web application: server-rendered pages (Jinja2) on the same FastAPI app as
the API, signed in with a login and a password. See ``api/web/README.md`` for how a desk adds
its pages; ``api/web/site.py`` holds the list of desks and mounts them."""
