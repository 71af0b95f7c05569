"""The one-time code with which a volunteer claims the account a trainer
imported for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClaimCode(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_code"
    )
    # Stored in clear so that the trainer can print the slip again; it is only
    # good until it is used or expires, and a new one replaces it.
    code = models.CharField(_("รหัสรับบัญชี"), max_length=12, unique=True)
    created_at = models.DateTimeField(_("ออกรหัสเมื่อ"), default=timezone.now)
    expires_at = models.DateTimeField(_("หมดอายุเมื่อ"))
    claimed_at = models.DateTimeField(_("รับบัญชีเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("รหัสรับบัญชี")
        verbose_name_plural = _("รหัสรับบัญชี")

    def __str__(self):
        return self.display_code

    @property
    def display_code(self) -> str:
        """Three groups of four digits, easy to read out over the phone."""
        return " ".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def is_claimed(self) -> bool:
        return self.claimed_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
