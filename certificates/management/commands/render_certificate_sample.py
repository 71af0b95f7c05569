from pathlib import Path

from django.core.management.base import BaseCommand

from certificates.models import CertificateSettings
from certificates.previews import sample_content
from certificates.rendering import pdf_to_png, render_pdf


class Command(BaseCommand):
    help = (
        "Render a sample certificate with the current design to PNG or PDF "
        "(e.g. the README picture: --output docs/images/certificate.png --clean)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="a .png or .pdf file")
        parser.add_argument("--dpi", type=int, default=60)
        parser.add_argument(
            "--clean", action="store_true", help="without the ตัวอย่าง (sample) watermark"
        )

    def handle(self, *args, output, dpi, clean, **options):
        content = sample_content(CertificateSettings.load())
        content.sample = not clean
        pdf = render_pdf(content)
        target = Path(output)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = pdf if target.suffix.lower() == ".pdf" else pdf_to_png(pdf, dpi=dpi)
        target.write_bytes(data)
        self.stdout.write(f"Wrote {target} ({len(data) // 1024} KB)")
