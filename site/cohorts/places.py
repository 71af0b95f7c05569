"""Districts and sub-districts of a province as the village register knows
them: suggestions for a volunteer typing their address (the profile page),
never a limit, since the register may lack a place."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from npv_site.accounts.provinces import PROVINCES
from npv_site.cohorts.models import Village

# Cache keys in ASCII: the province by its English name.
ENGLISH_NAMES = {thai: english.replace(" ", "-") for thai, english in PROVINCES}

# The register changes with a roster import or `load_villages`: a suggestion a
# few minutes old is still a good suggestion.
CACHE_SECONDS = 600


def places_of(province: str) -> dict[str, list[str]]:
    """{district: [sub-districts]} of `province`, both sorted; {} for a name
    that is not one of the 77 provinces."""
    if province not in ENGLISH_NAMES:
        return {}
    prefix = getattr(settings, "PLACES_CACHE_PREFIX", "npv:places")
    key = f"{prefix}:{ENGLISH_NAMES[province]}"
    places = cache.get(key)
    if places is None:
        places = {}
        rows = (
            Village.objects.filter(province=province)
            .values_list("district", "subdistrict")
            .distinct()
            .order_by("district", "subdistrict")
        )
        for district, subdistrict in rows:
            places.setdefault(district, []).append(subdistrict)
        cache.set(key, places, CACHE_SECONDS)
    return places
