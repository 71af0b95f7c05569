from django.core.management.base import BaseCommand

from certificates.fonts import FONT_FILES, STATIC_FOLDER, UPSTREAM_FILES, prepare


class Command(BaseCommand):
    help = (
        "Make the certificate's prepared Sarabun NPV fonts again from the upstream Sarabun "
        "files (see certificates/fonts.py); the same upstream files give the same bytes."
    )

    def handle(self, *args, **options):
        for weight, upstream in UPSTREAM_FILES.items():
            target = STATIC_FOLDER / FONT_FILES[weight]
            target.parent.mkdir(parents=True, exist_ok=True)
            prepare(STATIC_FOLDER / upstream).save(target)
            self.stdout.write(f"Wrote {target.relative_to(STATIC_FOLDER.parent)}")
