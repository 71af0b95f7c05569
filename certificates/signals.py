"""The certificates app's signals, each sent once after the transaction commits."""

from django.dispatch import Signal

# A version's PDF is rendered and can be downloaded. Arguments: certificate,
# version, reissued (True for a version after the first). The notifications app
# listens to tell the holder.
certificate_ready = Signal()

# A certificate was revoked. Arguments: certificate, event_id (its CertificateEvent).
certificate_revoked = Signal()
