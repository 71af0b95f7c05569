from certificates.models import Certificate


def certificates_section(user) -> list[dict]:
    """The volunteer's certificates as they were printed, for the data download."""
    return [
        {
            "number": certificate.number,
            "verification_code": certificate.display_code,
            "verification_url": certificate.get_verification_url(),
            "status": certificate.status,
            "issued_on": certificate.issued_on,
            "versions": [
                {
                    "version": version.version,
                    "created_at": version.created_at,
                    "holder_name": version.holder_name,
                    "holder_name_en": version.holder_name_en,
                    "village_no": version.village_no,
                    "village_name": version.village_name,
                    "subdistrict": version.subdistrict,
                    "district": version.district,
                    "province": version.province,
                    "course_title": version.course_title,
                    "reason": version.reason,
                }
                for version in certificate.versions.all()
            ],
        }
        for certificate in Certificate.objects.filter(user=user).prefetch_related("versions")
    ]
