from django.dispatch import Signal

# Sent once, after the transaction commits, when a volunteer completes a course
# (every module passed). Arguments: user_id, course_id. The certificates app
# listens to issue the certificate.
course_completed = Signal()

# Sent by the host when a learner's profile (COURSES_LEARNER_PROFILE) was saved,
# so that what waited for a complete profile goes ahead. Argument: user_id. The
# certificates app listens to issue the certificates of courses completed meanwhile.
learner_profile_changed = Signal()

# Sent once, after the transaction commits, when a quiz attempt's grade is final
# (courses.attempts.grade_job). Arguments: user_id, attempt_id, passed, and
# module_id, module_title, score_percent so that a listener needs no query.
# The notifications app listens to tell the learner.
attempt_graded = Signal()
