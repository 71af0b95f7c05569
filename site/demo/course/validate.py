"""Check course.json against the demo-content rules. Exits non-zero on any problem.

    python validate.py
"""

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
BLOCK_TYPES = {"heading", "paragraph", "image", "video", "callout", "steps", "checklist", "document", "faq"}
ALLOWED_TAGS = {"p", "b", "i", "ul", "ol", "li", "a"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def main():
    data = json.loads((HERE / "course.json").read_text(encoding="utf-8"))
    errors = []
    err = errors.append
    used = Counter()
    images, documents, rich = set(), set(), []

    course = data["course"]
    if course["slug"] != "net-asa-pracharat":
        err("course slug")
    rich.append(course["intro"])
    if len(data["modules"]) != 4:
        err("expected 4 modules")

    for m in data["modules"]:
        where = m["title"]
        if not SLUG.match(m["slug"]):
            err(f"{where}: slug {m['slug']!r}")
        rich.append(m["intro"])
        if not 3 <= len(m["lessons"]) <= 4:
            err(f"{where}: {len(m['lessons'])} lessons")
        for les in m["lessons"]:
            if not SLUG.match(les["slug"]):
                err(f"{les['title']}: slug")
            if not les["summary"] or not isinstance(les["minutes"], int):
                err(f"{les['title']}: summary/minutes")
            kinds = {b["type"] for b in les["body"]}
            if len(kinds) < 4:
                err(f"{les['title']}: only {len(kinds)} block types")
            for b in les["body"]:
                t, v = b["type"], b["value"]
                used[t] += 1
                if t not in BLOCK_TYPES:
                    err(f"{les['title']}: unknown block {t}")
                elif t == "heading":
                    if v["level"] not in ("h2", "h3"):
                        err("heading level")
                elif t == "paragraph":
                    rich.append(v)
                elif t == "image":
                    images.add(v["image"])
                elif t == "video":
                    images.add(v["poster"])
                    for key in ("file", "captions"):
                        if v.get(key) and not (HERE / "videos" / v[key]).exists():
                            err(f"{les['title']}: missing video file {v[key]}")
                elif t == "callout":
                    if v["kind"] not in ("tip", "warning", "remember"):
                        err("callout kind")
                    rich.append(v["text"])
                elif t == "steps":
                    for s in v["steps"]:
                        rich.append(s["text"])
                        if s["image"]:
                            images.add(s["image"])
                elif t == "document":
                    documents.add(v["document"])
                elif t == "faq":
                    rich.extend(i["answer"] for i in v["items"])

        steps_in_module = sum(b["type"] == "steps" for les in m["lessons"] for b in les["body"])
        if m["slug"] == "equipment-care" and steps_in_module < 2:
            err("equipment module needs two steps blocks")

        quiz = m["quiz"]
        qs = quiz["questions"]
        if not 7 <= len(qs) <= 8:
            err(f"{where}: {len(qs)} questions")
        if {q["kind"] for q in qs} != {"single", "multiple", "true_false"}:
            err(f"{where}: quiz does not mix all three kinds")
        for q in qs:
            n, right = len(q["choices"]), sum(c["correct"] for c in q["choices"])
            if not q["explanation"]:
                err(f"no explanation: {q['text']}")
            ok = {
                "single": 3 <= n <= 4 and right == 1,
                "multiple": 4 <= n <= 5 and right >= 2,
                "true_false": [c["text"] for c in q["choices"]] == ["ถูก", "ผิด"] and right == 1,
            }[q["kind"]]
            if not ok:
                err(f"bad choices: {q['text']}")

    for t in BLOCK_TYPES:
        if used[t] < 2:
            err(f"block type {t} used {used[t]} times")
    if used["video"] > 2:
        err("more than 2 videos")
    for name in images:
        p = HERE / "images" / name
        if not p.exists():
            err(f"missing image {name}")
        elif p.stat().st_size > 60 * 1024:
            err(f"image too big {name}")
    for name in documents:
        p = HERE / "documents" / name
        if not p.exists():
            err(f"missing document {name}")
        elif p.stat().st_size > 100 * 1024:
            err(f"document too big {name}")
    for html in rich:
        for tag in re.findall(r"</?([a-zA-Z0-9]+)", html):
            if tag not in ALLOWED_TAGS:
                err(f"tag <{tag}> not allowed")
        if re.search(r"<\w+\s+(?!href=)", html):
            err("attribute other than href")
    if re.search(r"lorem|ipsum|TODO", json.dumps(data), re.I):
        err("placeholder text")

    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"ok: {len(data['modules'])} modules, "
          f"{sum(len(m['lessons']) for m in data['modules'])} lessons, "
          f"{sum(len(m['quiz']['questions']) for m in data['modules'])} questions, "
          f"blocks {dict(sorted(used.items()))}")


if __name__ == "__main__":
    main()
