"""The sizing model of docs/capacity.md (benchmarks/course_steps.py), on
figures chosen so that its arithmetic can be checked by hand."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

course_steps = pytest.importorskip("course_steps")


def step(name, **ms):
    return {"step": name, "ms": {"database": 0.0, "broker": 0.0, **ms}}


ROWS = [
    step("sign-up", web=100.0),
    step("bare (baseline)", web=2.0),
    step("lesson (view + read)", web=10.0),
    step("quiz-pages (module, start, attempt)", web=15.0, database=2.0),
    step("quiz-submit (submit, polls, grade, result)", web=25.0, grading=20.0, database=4.0),
    step("certificate (worker + download)", web=0.0, certificates=60.0, database=3.0),
]


def test_course_cpu_is_sign_up_thirteen_lessons_four_quizzes_and_a_certificate():
    model = course_steps.capacity_model(ROWS)
    # 100 + 13 x 10 + 4 x (15 + 25 + 20) + 60
    assert model["course_cpu_ms"]["total_app"] == 530.0
    assert model["volunteers_per_core_hour"] == int(3_600_000 * 0.6 / 530)


def test_ten_rooms_arriving_in_ten_seconds_size_web_grading_and_certificates_apart():
    ten = course_steps.capacity_model(ROWS)["ten_rooms"]
    assert ten["per_second"] == 311.0
    # Only the submission is at the peak: 311/s x 25 ms / 0.6 busy, and 311/s x 20 ms / 0.6
    assert ten["web_cores"] == pytest.approx(13.0, abs=0.05)
    assert ten["grading_cores"] == pytest.approx(10.4, abs=0.05)
    # 3,110 x 60 ms within 300 s, at 0.6 busy
    assert ten["certificate_cores"] == pytest.approx(1.0, abs=0.05)
    assert ten["web_machines"] == 7
    assert ten["worker_machines"] == 6
    assert ten["web_processes"] == 35


def test_procfile_commands_are_the_deployment_s_with_defaults_expanded(monkeypatch):
    monkeypatch.delenv("GRADING_CONCURRENCY", raising=False)
    grading = course_steps.procfile_command("grading")
    assert grading[0].endswith("celery")
    assert grading[grading.index("--concurrency") + 1] == "4"
    monkeypatch.setenv("CERTIFICATE_CONCURRENCY", "2")
    certificates = course_steps.procfile_command("certificates")
    assert certificates[certificates.index("--concurrency") + 1] == "2"
    assert "certificates" in certificates[certificates.index("-Q") + 1]
