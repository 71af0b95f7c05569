from wagtail import hooks
from wagtail.permissions import register_permission_policy

from certificates.admin_views import CertificateViewSet, IssuedCertificatePolicy
from certificates.models import Certificate

register_permission_policy(Certificate, IssuedCertificatePolicy(Certificate), exact_class=True)


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet("issued_certificates")
