"""Certificate numbers: NPV-2569-000311 is the 311th certificate of the
Buddhist-era year 2569. The running number is per year; the prefix is only
printed, so changing it never restarts or repeats the count."""

from django.db import transaction

from certificates.models import CertificateNumberCounter

SERIAL_DIGITS = 6


def format_number(prefix: str, year_be: int, serial: int) -> str:
    return f"{prefix}-{year_be}-{serial:0{SERIAL_DIGITS}d}"


def allocate_serial(year_be: int) -> int:
    """The next running number of the year. Call it inside the transaction
    that creates the certificate: the counter row stays locked until that
    transaction ends, and a rollback gives the number back, so concurrent
    issuing leaves neither gaps nor duplicates."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_serial() must run inside the issuing transaction")
    CertificateNumberCounter.objects.get_or_create(year_be=year_be)
    counter = CertificateNumberCounter.objects.select_for_update().get(year_be=year_be)
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    return counter.last_serial
