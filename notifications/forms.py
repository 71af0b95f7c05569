from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    """One box per channel that reaches the person, and the quiet hours."""

    allow_during_quiet_hours = forms.BooleanField(
        required=False, label=_("รับข้อความในช่วง 21:00–07:00 ได้ (ปกติจะรอส่งตอนเช้า)")
    )

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channel_names = []
        for channel in channels:
            self.fields[f"channel_{channel.name}"] = forms.BooleanField(
                required=False, label=channel.label
            )
            self.channel_names.append(channel.name)
        # The channels first, then the quiet hours.
        self.order_fields([*(f"channel_{name}" for name in self.channel_names)])
