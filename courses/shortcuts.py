"""render() for the plugins' views: Django's, with the name of the host's base template
in the context, which courses/base.html and certificates/base.html extend.

A context variable, because `{% extends %}` must be a template's first tag (no
`{% load %}` before it) but takes a variable; not a context processor, which every
host would have to add to its settings. Wagtail pages get it from their get_context
(courses.models.pages.HostBaseTemplateMixin)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render

from courses import conf

BASE_TEMPLATE_VARIABLE = "courses_base_template"


def base_template_context() -> dict[str, str]:
    return {BASE_TEMPLATE_VARIABLE: conf.base_template()}


def render(
    request: HttpRequest, template_name: str, context: dict | None = None, status: int = 200
) -> HttpResponse:
    return django_render(
        request, template_name, {**base_template_context(), **(context or {})}, status=status
    )
