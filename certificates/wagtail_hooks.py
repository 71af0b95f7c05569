from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from certificates.admin_views import CertificateViewSet, IssuedCertificatePolicy
from certificates.models import Certificate

register_permission_policy(Certificate, IssuedCertificatePolicy(Certificate), exact_class=True)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("issued_certificates")


# The learner's certificates on the courses' pages, through the courses'
# extension points (courses/templatetags/courses_panels.py).
@hooks.register("courses_my_learning_panels_below")
def my_certificates_panel(request):
    return render_to_string("certificates/includes/my_certificates.html", request=request)


@hooks.register("courses_completed_course_panels")
def course_certificate_panel(request, course):
    return render_to_string(
        "certificates/includes/course_certificate.html", {"course": course}, request=request
    )


@hooks.register("courses_course_finished_panels")
def course_finished_certificate_panel(request, course):
    return render_to_string(
        "certificates/includes/course_finished.html", {"course": course}, request=request
    )
