from django import template
from django.utils import translation

from npv_site.thai_dates import thai_date, thai_datetime

register = template.Library()


@register.filter(name="thai_date")
def thai_date_filter(value, arg=""):
    """Thai form in Thai; the language's own date format otherwise."""
    if translation.get_language() != "th":
        from django.utils.formats import date_format

        return date_format(value, "DATE_FORMAT") if value else ""
    return thai_date(value, short=(arg == "short"))


@register.filter(name="thai_datetime")
def thai_datetime_filter(value):
    if translation.get_language() != "th":
        from django.utils.formats import date_format

        return date_format(value, "DATETIME_FORMAT") if value else ""
    return thai_datetime(value)
