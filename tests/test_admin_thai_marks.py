"""Thai tone marks stacked over vowels (เนื้อ, เพื่อน) must not be cut off in the admin.

Wagtail's CSS gives headings, tabs, buttons, breadcrumbs and listing titles `overflow: hidden`
(for ellipses) with a tight line height; Thai marks stand above the Latin ascender, so the box
cuts them. The test measures it in Chromium: for every element that shows Thai with an upper or
lower mark and that is clipped (it, or an ancestor, hides its overflow), the ink of its text,
measured with the element's own font on a canvas, must lie inside every clipping box.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.users.models import UserProfile

from courses.models import LessonPage, ModulePage
from tests.factories import UserFactory, build_course

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STACKED = "เนื้อหาบทเรียนเพื่อนบ้าน"

# For each visible element with its own Thai text: its text's ink box (baseline from an
# empty inline-block put before the text, ascent and descent from canvas measureText with
# the computed font) against the padding box of itself and of each ancestor whose overflow
# is not visible. Returns the clipped ones.
MEASURE = r"""
async () => {
  await document.fonts.ready;
  const marks = /[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E]/;
  const canvas = document.createElement("canvas").getContext("2d");
  const clipped = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].filter(n => n.nodeType === 3).map(n => n.data).join("");
    if (!marks.test(own) || !element.getClientRects().length) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden" || style.display === "none") continue;
    // Text for screen readers only sits in a 1 px box on purpose.
    if (element.closest(".w-sr-only, .visuallyhidden, [hidden]")) continue;
    const text = own.trim();
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const ink = canvas.measureText(text);
    // The probe goes in a span around the text node, so that in a flex container (where
    // the text is an anonymous flex item) it still sits on the text's baseline.
    const first = [...element.childNodes].find(n => n.nodeType === 3 && marks.test(n.data));
    const wrapper = document.createElement("span");
    const probe = document.createElement("span");
    probe.style.cssText = "display:inline-block;width:0;height:0;";
    element.insertBefore(wrapper, first);
    wrapper.append(probe, first);
    const baseline = probe.getBoundingClientRect().bottom;
    element.insertBefore(first, wrapper);
    wrapper.remove();
    const top = baseline - ink.actualBoundingBoxAscent;
    const bottom = baseline + ink.actualBoundingBoxDescent;
    for (let box = element; box && box !== document.body; box = box.parentElement) {
      const boxStyle = getComputedStyle(box);
      // overflow does not apply to inline boxes: they clip nothing.
      const hides = boxStyle.display !== "inline"
        && [boxStyle.overflowY, boxStyle.overflow].some(v => v && v !== "visible");
      if (!hides) continue;
      const rect = box.getBoundingClientRect();
      // A box of a pixel or two hides its text on purpose (the visually-hidden pattern).
      if (rect.height <= 2) break;
      const clipTop = rect.top + parseFloat(boxStyle.borderTopWidth);
      const clipBottom = rect.bottom - parseFloat(boxStyle.borderBottomWidth);
      if (top < clipTop - 0.5 || bottom > clipBottom + 0.5) {
        clipped.push(`${element.tagName.toLowerCase()}.${element.className} "${text.slice(0, 30)}"`
          + ` ink ${top.toFixed(1)}..${bottom.toFixed(1)} clipped by`
          + ` ${box.tagName.toLowerCase()}.${box.className} ${clipTop.toFixed(1)}..${clipBottom.toFixed(1)}`);
        break;
      }
    }
  }
  // Form fields hold their text in a value, not a text node: the baseline of their first
  // line lies half the leading below the content box's top, plus the font's ascent.
  for (const field of document.querySelectorAll("input[type=text], input:not([type]), textarea")) {
    if (!marks.test(field.value) || !field.getClientRects().length) continue;
    const style = getComputedStyle(field);
    canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const ink = canvas.measureText(field.value.split("\n")[0]);
    const fontHeight = ink.fontBoundingBoxAscent + ink.fontBoundingBoxDescent;
    const lineHeight = style.lineHeight === "normal" ? fontHeight : parseFloat(style.lineHeight);
    const rect = field.getBoundingClientRect();
    const paddingTop = rect.top + parseFloat(style.borderTopWidth);
    const baseline = paddingTop + parseFloat(style.paddingTop)
      + (lineHeight - fontHeight) / 2 + ink.fontBoundingBoxAscent;
    const top = baseline - ink.actualBoundingBoxAscent;
    if (top < paddingTop - 0.5) {
      clipped.push(`${field.tagName.toLowerCase()}#${field.id} "${field.value.slice(0, 30)}"`
        + ` ink top ${top.toFixed(1)} above its box ${paddingTop.toFixed(1)}`);
    }
  }
  return clipped;
}
"""


@pytest.fixture
def trainer_desktop(desktop):
    from tests.browser import log_in

    trainer = UserFactory(username="trainer-marks")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    profile = UserProfile.get_for_user(trainer)
    profile.preferred_language = "th"
    profile.save()
    log_in(desktop, trainer)
    return desktop


def test_stacked_thai_marks_are_not_clipped_anywhere_in_the_admin(trainer_desktop, screenshot):
    course = build_course(modules=1, lessons=1, questions=1)
    module = ModulePage.objects.child_of(course).get()
    module.title = f"{STACKED} ที่หนึ่ง"
    module.save_revision().publish()
    lesson = LessonPage.objects.child_of(module).get()
    lesson.title = f"{STACKED} ที่สอง"
    lesson.save_revision().publish()
    screens = {
        "dashboard": "/admin/",
        "explorer": f"/admin/pages/{module.pk}/",
        "editor": f"/admin/pages/{lesson.pk}/edit/",
        "search": "/admin/pages/search/?q=" + "เนื้อหา",
    }
    problems = {}
    for name, url in screens.items():
        trainer_desktop.goto(url)
        clipped = trainer_desktop.evaluate(MEASURE)
        screenshot(trainer_desktop, name)
        if clipped:
            problems[name] = clipped
    assert not problems, "\n".join(f"{k}: {v}" for k, vs in problems.items() for v in vs)
