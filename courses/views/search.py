from django.http import JsonResponse
from django.views.decorators.http import require_GET

from courses.searching import search_course, suggest
from courses.shortcuts import render


@require_GET
def search(request):
    outcome = search_course(request.GET.get("q", ""))
    return render(request, "courses/search.html", {"outcome": outcome, "query": outcome.query})


@require_GET
def search_suggestions(request):
    """Pages for the list under the search box while the volunteer types;
    the search page itself works without it."""
    hits = suggest(request.GET.get("q", ""))
    return JsonResponse(
        {
            "suggestions": [
                {
                    "title": hit.page.title,
                    "url": hit.page.get_url(request),
                    "context": hit.parent.title if hit.parent else "",
                }
                for hit in hits
            ]
        }
    )
