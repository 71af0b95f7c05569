from pathlib import Path

from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand
from wagtail.images import get_image_model
from wagtail.models import Collection

from certificates.models import CertificateSettings

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
DEMO_SIGNATORIES = [
    ("นายสมศักดิ์ ใจดี", "ผู้อำนวยการโครงการเน็ตอาสาประชารัฐ", "signature-1.png"),
    ("นางวิไลวรรณ ศรีสุข", "หัวหน้าฝ่ายฝึกอบรม", "signature-2.png"),
    ("นายปิยะ ทองคำ", "วิทยากรประจำหลักสูตร", "signature-3.png"),
]


class Command(BaseCommand):
    help = (
        "Give the certificate design three demo signatories with made-up signatures. "
        "Leaves a design that already has signatories alone. Safe to re-run."
    )

    def handle(self, *args, **options):
        design = CertificateSettings.load()
        if len(design.signatories):
            self.stdout.write("Certificate design already has signatories; left as it is.")
            return
        Image = get_image_model()
        root = Collection.get_first_root_node()
        blocks = []
        for name, position, filename in DEMO_SIGNATORIES:
            title = f"ลายมือชื่อตัวอย่าง {Path(filename).stem}"
            image = Image.objects.filter(title=title).first()
            if image is None:
                with open(DEMO_DIR / filename, "rb") as handle:
                    image = Image(title=title, collection=root)
                    image.file.save(filename, ImageFile(handle, name=filename), save=False)
                    image.save()
            blocks.append(("signatory", {"name": name, "position": position, "signature": image}))
        design.signatories = blocks
        design.save()
        self.stdout.write(
            self.style.SUCCESS(f"Certificate design: {len(blocks)} demo signatories added.")
        )
