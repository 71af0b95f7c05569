"""`{% place_suggestions province district %}`: the <datalist>s that suggest the
district and sub-district of an address from the village register, rendered
for the province already chosen, so that they work without JavaScript; the
script of the address form fills them again when the province changes. Other
apps' templates load this library, so they need not import the register."""

from django import template

from npv_site.cohorts.places import places_of

register = template.Library()


@register.inclusion_tag("cohorts/includes/place_suggestions.html")
def place_suggestions(province: str = "", district: str = "") -> dict:
    places = places_of(province or "")
    return {
        "districts": list(places),
        "subdistricts": places.get(district or "", []),
    }
