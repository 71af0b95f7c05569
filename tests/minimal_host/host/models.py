"""The host's own models: a home page that is not `home.HomePage`, and a user
model with one name field instead of first_name/last_name."""

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from wagtail.models import Page


class User(AbstractBaseUser, PermissionsMixin):
    username = models.CharField(max_length=150, unique=True)
    full_name = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name or self.username


class HostHomePage(Page):
    pass
