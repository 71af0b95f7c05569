from django.urls import path

from npv_site.accounts import reset_code_views, views

urlpatterns = [
    path("welcome/", views.welcome, name="accounts_welcome"),
    path("profile/", views.profile, name="accounts_profile"),
    path("profile/data/", views.download_my_data, name="accounts_download_data"),
    path("profile/line/unlink/", views.unlink_line, name="accounts_unlink_line"),
    # Before allauth's: its third-party accounts page is the profile page here.
    path("3rdparty/", views.connections),
    path("social/connections/", views.connections),
    # Before allauth's own: a first password asks for LINE again (views.set_password).
    path("password/set/", views.set_password),
    path("delete/", views.delete_account, name="accounts_delete"),
    path("privacy/", views.privacy_notice, name="privacy_notice"),
    path("reset-code/", reset_code_views.reset_with_code, name="accounts_reset_code"),
]
