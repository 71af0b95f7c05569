"""Admin forms of the courses app."""

from __future__ import annotations

from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm


def question_setup_error(kind: str, choice_count: int, correct_count: int) -> str | None:
    """What is wrong with a question's choices for its kind, or None."""
    if kind == "single" and correct_count != 1:
        return _("คำถามแบบเลือกคำตอบเดียวต้องมีตัวเลือกที่ถูกหนึ่งข้อพอดี")
    if kind == "multiple" and correct_count < 1:
        return _("คำถามแบบเลือกได้หลายคำตอบต้องมีตัวเลือกที่ถูกอย่างน้อยหนึ่งข้อ")
    if kind == "true_false" and (choice_count != 2 or correct_count != 1):
        return _("คำถามแบบถูก/ผิดต้องมีตัวเลือกสองข้อพอดี และถูกหนึ่งข้อ")
    return None


class ModulePageForm(WagtailAdminPageForm):
    """Checks each quiz question's choices against its kind, so a trainer
    cannot publish a question that no volunteer could answer right."""

    def is_valid(self):
        valid = super().is_valid()
        if not hasattr(self, "_questions_checked"):
            self._questions_checked = self._check_questions()
        return valid and self._questions_checked

    def _check_questions(self) -> bool:
        questions = self.formsets.get("questions")
        if questions is None:
            return True
        ok = True
        for form in questions.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or questions._should_delete_form(form):
                continue
            choices = form.formsets.get("choices")
            kept = [
                choice.cleaned_data
                for choice in (choices.forms if choices is not None else [])
                if getattr(choice, "cleaned_data", None)
                and not choices._should_delete_form(choice)
                and choice.cleaned_data.get("text")
            ]
            error = question_setup_error(
                data.get("kind"), len(kept), sum(1 for c in kept if c.get("is_correct"))
            )
            if error:
                form.add_error(None, error)
                ok = False
        return ok
