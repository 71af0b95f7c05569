"""Load the village register from a CSV or XLSX file.

Any file with the columns province, district, subdistrict, village_no and
village (English or Thai headers) will do, a volunteer roster included; other
columns are ignored. Villages already in the register are left as they are,
so the command can be run again safely.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from npv_site.cohorts.importing import insert_rows
from npv_site.cohorts.models import Village
from npv_site.cohorts.models.villages import VillageSource
from npv_site.cohorts.roster import (
    VILLAGE_COLUMNS,
    RosterFileError,
    clean_province,
    read_roster,
    village_key_of,
)


class Command(BaseCommand):
    help = "Load the village register from a CSV or XLSX file (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, path: Path, **options):
        try:
            parsed = read_roster(
                path.read_bytes(), path.name, columns=VILLAGE_COLUMNS, allow_extra=True
            )
        except (OSError, RosterFileError) as error:
            raise CommandError(str(error)) from error

        villages, skipped = {}, []
        for raw in parsed.rows:
            values = raw.values
            province = clean_province(values["province"])
            number = values["village_no"].strip()
            name = " ".join(values["village"].split())
            if not (province and name and number.isdigit() and 1 <= int(number) <= 99):
                skipped.append(raw.line)
                continue
            key = village_key_of(province, values["district"], values["subdistrict"], int(number))
            if not (key[1] and key[2]):
                skipped.append(raw.line)
                continue
            villages.setdefault(key, name)

        with transaction.atomic():
            existing = set(
                Village.objects.values_list("province", "district", "subdistrict", "village_no")
            )
            missing = [key for key in villages if key not in existing]
            insert_rows(
                Village,
                [
                    {
                        "province": province,
                        "district": district,
                        "subdistrict": subdistrict,
                        "village_no": number,
                        "name": villages[(province, district, subdistrict, number)],
                        "source": VillageSource.REGISTER.value,
                    }
                    for province, district, subdistrict, number in missing
                ],
            )
        kept = len(villages) - len(missing)
        self.stdout.write(f"{len(missing)} villages added, {kept} already in the register.")
        if skipped:
            lines = ", ".join(str(line) for line in skipped[:20])
            more = "…" if len(skipped) > 20 else ""
            self.stdout.write(f"{len(skipped)} rows skipped (incomplete): lines {lines}{more}")
