# A minimal copy of the channel interface the notifications helper implements (its file wins at
# the merge); here only so the LINE channel and its tests import.
class TransientError(Exception):  # retry later; retry_after seconds or None (then backoff)
    def __init__(self, message="", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    pass


class Channel:
    name: str
    label: str  # Thai
    idempotent: bool = False  # True when resending the same delivery.key can never make a 2nd message

    def reaches(self, user) -> bool:
        raise NotImplementedError

    def send(self, delivery) -> None:  # raises TransientError / PermanentError
        raise NotImplementedError
