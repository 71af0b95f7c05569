from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import admin_views
from npv_site.accounts.admin_views import AdminLogoutView, AdminPasswordResetView
from npv_site.accounts.apps import hide_social_accounts

hide_social_accounts(admin.site)

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Before Wagtail's own: the site history is for administrators only
    # (home/admin_views.py).
    path("admin/reports/site-history/", admin_views.site_history),
    path("admin/reports/site-history/results/", admin_views.site_history_results),
    # In place of Wagtail's own (see npv_site.accounts.admin_views): a logout
    # that a GET cannot trigger, and a rate-limited password reset request.
    path("admin/logout/", AdminLogoutView.as_view(), name="wagtailadmin_logout"),
    path(
        "admin/password_reset/",
        AdminPasswordResetView.as_view(),
        name="wagtailadmin_password_reset",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("npv_site.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("learn/invitations/", include("npv_site.cohorts.invitation_urls")),
    path("learn/", include("courses.urls")),
    path("claim/", include("npv_site.cohorts.urls")),
    path("places/", include("npv_site.cohorts.place_urls")),
    path("certificates/", include("certificates.urls")),
    path("notifications/", include("notifications.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

# A database error outside a view gets the Thai 503 page too (npv_site.middleware).
handler500 = "npv_site.middleware.server_error"
# allauth answers its own rate limits with ROOT_URLCONF.handler429.
handler429 = "npv_site.accounts.views.too_many_requests"
