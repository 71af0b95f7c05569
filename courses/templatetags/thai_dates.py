import datetime

from django import template
from django.utils import timezone, translation
from django.utils.formats import date_format

from courses.thai_dates import thai_date, thai_datetime

register = template.Library()


def _local(value):
    # Filters get the stored UTC value: only a variable printed as it is, or a
    # filter marked expects_localtime, is turned to local time by Django. Both
    # languages show Asia/Bangkok, so the English date of an early-morning
    # event is the same day as the Thai one.
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter(name="thai_date")
def thai_date_filter(value, arg=""):
    """Thai form in Thai; the language's own date format otherwise."""
    if translation.get_language() != "th":
        return date_format(_local(value), "DATE_FORMAT") if value else ""
    return thai_date(value, short=(arg == "short"))


@register.filter(name="thai_datetime")
def thai_datetime_filter(value):
    if translation.get_language() != "th":
        return date_format(_local(value), "DATETIME_FORMAT") if value else ""
    return thai_datetime(value)
