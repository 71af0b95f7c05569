from django.dispatch import Signal

# Sent once, after the transaction commits, when a volunteer completes a course
# (every module passed). Arguments: user_id, course_id. The certificates app
# listens to issue the certificate.
course_completed = Signal()
