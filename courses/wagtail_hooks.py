from wagtail import hooks

from courses.reading import serve_recording_reading

# A lesson delivered to an enrolled learner counts as read (courses/reading.py).
hooks.register("on_serve_page", serve_recording_reading)
