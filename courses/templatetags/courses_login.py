"""`{% login_url %}` and `{% signup_url %}`: the host's login and signup pages, from its
LOGIN_URL and COURSES_SIGNUP_URL settings (URL names or paths, as Django's login_required
reads LOGIN_URL), so the plugins' templates name no view of the host's (the Net Pracharat
site's are allauth's `account_login` and `account_signup`)."""

from django import template
from django.conf import settings
from django.shortcuts import resolve_url

from courses import conf

register = template.Library()


@register.simple_tag
def login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


@register.simple_tag
def signup_url() -> str:
    """The signup page's URL, or "" where the host has none (COURSES_SIGNUP_URL unset)."""
    url = conf.signup_url()
    return resolve_url(url) if url else ""
