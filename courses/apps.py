from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("หลักสูตร")

    def ready(self):
        from django.db.models.signals import post_migrate

        # Registers the tasks with Celery in every process, not only in workers (which
        # autodiscover them): courses.attempts sends grading by the task's name, and a
        # registered task sends with its own options (and runs inline in eager mode).
        from courses import (
            checks,  # noqa: F401  (registers the system checks)
            tasks,  # noqa: F401
        )
        from courses.personal_data import learning_section
        from courses.personal_data_registry import register_section
        from courses.search.sqlite_fts import ensure_thai_tokenizer_after_migrate

        register_section("learning", learning_section)
        # The result page's cached next module (courses/next_module.py) starts over
        # when any page is saved, deleted or moved.
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import post_page_move

        from courses.next_module import new_generation, page_changed

        post_save.connect(page_changed, dispatch_uid="courses-next-module-save")
        post_delete.connect(page_changed, dispatch_uid="courses-next-module-delete")
        post_page_move.connect(new_generation, dispatch_uid="courses-next-module-move")
        post_migrate.connect(ensure_thai_tokenizer_after_migrate, sender=self)
