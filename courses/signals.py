from django.dispatch import Signal

# Sent once, after the transaction commits, when a volunteer completes a course
# (every module passed). Arguments: user_id, course_id. The certificates app
# listens to issue the certificate.
course_completed = Signal()

# Sent by the host when a learner's profile (COURSES_LEARNER_PROFILE) was saved,
# so that what waited for a complete profile goes ahead. Argument: user_id. The
# certificates app listens to issue the certificates of courses completed meanwhile.
learner_profile_changed = Signal()
