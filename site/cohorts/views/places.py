"""The village register's districts and sub-districts of a province, as JSON
for the address fields' suggestions (static/js/place-suggestions.js)."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from npv_site.cohorts.places import places_of


@require_GET
@cache_control(public=True, max_age=600)
def province_places(request):
    # Place names only: the register is public, so no login is asked.
    return JsonResponse({"districts": places_of(request.GET.get("province", ""))})
