import os

from django.core.wsgi import get_wsgi_application

from courses.search.thai import warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npv_site.settings.dev")

application = get_wsgi_application()

# Build the Thai search dictionary now, as the web process starts (or once in
# gunicorn's master with preload_app), so that the first search does not wait
# about a second for it. Here rather than in the courses app's ready(): every
# management command and Celery worker would pay for it there.
warm_up()
