"""A local fake of LINE's Messaging API: a real HTTP server in a thread, for the SDK's host.

It implements what the LINE channel calls (push, multicast, the month's quota and consumption,
the bot's info and a user's profile) and refuses what the real API refuses, with the same
status codes and the same JSON error shape (``{"message": ..., "details": [...]}``):

- ``Authorization: Bearer <token>`` with the channel's token, else 401;
- ``Content-Type: application/json`` on POST, else 400; a body that is not JSON, 400;
- ``to`` (a user id ``U`` + 32 hex digits; multicast: 1 to 500 of them) and ``messages``
  (1 to 5 objects of type ``text`` (1 to 5,000 characters, counted in UTF-16 as LINE counts)
  or ``flex`` (an ``altText`` of 1 to 1,500 characters and a bubble or carousel whose buttons
  open http(s) addresses)), else 400 with the property named;
- ``X-Line-Retry-Key`` a hexadecimal UUID, else 400; on a GET it is refused (400), as LINE
  refuses it on endpoints that do not support it. Unlike LINE, this fake also requires it on
  push and multicast (``require_retry_key``), so a send without one fails the test;
- a retry key already accepted: 409 ``The retry key is already accepted`` with
  ``x-line-accepted-request-id``, and no second message recorded;
- LINE's per-second rate limits (push 2,000 and multicast 200 requests a second unless told
  otherwise): 429 ``The API rate limit has been exceeded...`` with ``Retry-After`` (seconds)
  when ``rate_limit_retry_after`` is set (LINE documents no such header; the fake offers it so
  that honouring it can be tested);
- a monthly limit (``quota_limit``): 429 ``You have reached your monthly limit.``;
- failures injected by a test (``fail_next``): any status with or without ``Retry-After``,
  before the request is accepted or after (the message recorded, the answer lost: a 500 or a
  reply held back until the client times out).

Like LINE, a push to a user who blocked the account is accepted (200) and not delivered, and
such a user's profile is 404; an id that does not exist is 400 ``Failed to send messages``.
Every accepted message is recorded per user (``messages_for``), so a test can assert that each
person got exactly one.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER_ID = re.compile(r"^U[0-9a-f]{32}$")
RETRY_KEY = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
URI_SCHEMES = ("http://", "https://", "line://", "tel:")
TEXT_MAX = 5000
ALT_TEXT_MAX = 1500
MULTICAST_MAX = 500
RATE_LIMITED = "The API rate limit has been exceeded. Try again later."
MONTHLY_LIMIT = "You have reached your monthly limit."


def line_user_id(n: int) -> str:
    """A well-formed LINE user id for test person number n."""
    return "U" + uuid.UUID(int=n).hex


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Failure:
    status: int
    retry_after: float | None = None
    message: str = ""
    accept_first: bool = False  # record the message, then answer with the failure
    hang: float = 0.0  # hold the answer back this long (a client with a shorter timeout gives up)
    endpoints: tuple[str, ...] = ("push", "multicast")


@dataclass
class Delivery:
    user_id: str
    retry_key: str
    request_id: str
    messages: list
    endpoint: str


class BadRequest(Exception):
    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.details = details or []


@dataclass
class FakeLineAPI:
    token: str = "fake-line-channel-token"
    push_rate: int = 2000
    multicast_rate: int = 200
    rate_limit_retry_after: float | None = 1
    quota_limit: int | None = None
    require_retry_key: bool = True
    host: str = "127.0.0.1"
    port: int = 0
    blocked: set = field(default_factory=set)
    unknown: set = field(default_factory=set)

    def __post_init__(self):
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.reset()

    def reset(self) -> None:
        """Forget what was sent and asked (a session's fake, between tests)."""
        self.delivered: dict[str, list[Delivery]] = defaultdict(list)
        self.accepted: dict[str, str] = {}  # retry key -> request id
        self.consumption = 0
        self.failures: deque[Failure] = deque()
        self.statuses: Counter = Counter()
        self.requests: list[tuple[str, str, int]] = []
        # (time.time(), method, path, status) of each request, for waits between them.
        self.timeline: list[tuple[float, str, str, int]] = []
        self._windows: dict[str, tuple[int, int]] = {}

    # -- running -----------------------------------------------------------------------------
    def start(self) -> FakeLineAPI:
        fake = self

        class Handler(LineHandler):
            api = fake

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeLineAPI:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- what a test sets and reads ------------------------------------------------------------
    def fail_next(self, status: int, times: int = 1, **options) -> None:
        with self.lock:
            self.failures.extend(Failure(status=status, **options) for _ in range(times))

    def messages_for(self, user_id: str) -> list[Delivery]:
        with self.lock:
            return list(self.delivered.get(user_id, []))

    def delivered_counts(self) -> Counter:
        with self.lock:
            return Counter({user: len(items) for user, items in self.delivered.items()})

    def status_count(self, status: int) -> int:
        with self.lock:
            return self.statuses[status]

    # -- the API -------------------------------------------------------------------------------
    def _rate_limited(self, endpoint: str) -> bool:
        limit = {"push": self.push_rate, "multicast": self.multicast_rate}.get(endpoint, 2000)
        second = int(time.monotonic())
        with self.lock:
            window, count = self._windows.get(endpoint, (second, 0))
            if window != second:
                window, count = second, 0
            count += 1
            self._windows[endpoint] = (window, count)
        return count > limit

    def _next_failure(self, endpoint: str) -> Failure | None:
        with self.lock:
            if self.failures and endpoint in self.failures[0].endpoints:
                return self.failures.popleft()
        return None

    def handle(self, method: str, path: str, headers, body: bytes):
        """(status, extra headers, JSON body, hang seconds) for one request."""
        request_id = uuid.uuid4().hex
        head = {"x-line-request-id": request_id}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, head, {"message": "Authentication failed. Confirm that the access token in the authorization header is valid."}, 0
        retry_key = headers.get("X-Line-Retry-Key")
        if method == "GET":
            if retry_key is not None:
                return 400, head, {"message": "The retry key is not supported by this API."}, 0
            return self._get(path, head)
        endpoint = {"/v2/bot/message/push": "push", "/v2/bot/message/multicast": "multicast"}.get(path)
        if method != "POST" or endpoint is None:
            return 404, head, {"message": "Not found"}, 0
        if self._rate_limited(endpoint):
            if self.rate_limit_retry_after is not None:
                head["Retry-After"] = str(self.rate_limit_retry_after)
            return 429, head, {"message": RATE_LIMITED}, 0
        failure = self._next_failure(endpoint)
        if failure and not failure.accept_first:
            if failure.retry_after is not None:
                head["Retry-After"] = str(failure.retry_after)
            return failure.status, head, {"message": failure.message or "Injected failure"}, failure.hang
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type != "application/json":
            return 400, head, {"message": f"The content type, {content_type or 'none'}, is not supported"}, 0
        if retry_key is None and self.require_retry_key:
            return 400, head, {"message": "The fake requires X-Line-Retry-Key on every send."}, 0
        if retry_key is not None and not RETRY_KEY.match(retry_key):
            return 400, head, {"message": "The value for the 'X-Line-Retry-Key' header is invalid"}, 0
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise BadRequest("The request body could not be parsed as JSON")
        except ValueError:
            return 400, head, {"message": "The request body could not be parsed as JSON"}, 0
        except BadRequest as error:
            return 400, head, {"message": str(error)}, 0
        try:
            recipients = self._recipients(endpoint, payload.get("to"))
            messages = payload.get("messages")
            validate_messages(messages)
        except BadRequest as error:
            return 400, head, {"message": str(error), "details": error.details}, 0
        with self.lock:
            if retry_key is not None and retry_key in self.accepted:
                head["x-line-accepted-request-id"] = self.accepted[retry_key]
                answer = {"message": "The retry key is already accepted"}
                if endpoint == "push":
                    answer["sentMessages"] = [{"id": str(i), "quoteToken": "q"} for i, _ in enumerate(messages)]
                return 409, head, answer, 0
            if endpoint == "push" and recipients[0] in self.unknown:
                return 400, head, {"message": "Failed to send messages"}, 0
            reached = [user for user in recipients if user not in self.blocked and user not in self.unknown]
            if self.quota_limit is not None and self.consumption + len(reached) > self.quota_limit:
                return 429, head, {"message": MONTHLY_LIMIT}, 0
            if retry_key is not None:
                self.accepted[retry_key] = request_id
            for user in reached:
                self.delivered[user].append(Delivery(user, retry_key or "", request_id, messages, endpoint))
            self.consumption += len(reached)
        if failure:  # accepted, and the answer lost on the way back
            return failure.status, head, {"message": failure.message or "Injected failure"}, failure.hang
        if endpoint == "push":
            sent = [{"id": str(uuid.uuid4().int)[:18], "quoteToken": uuid.uuid4().hex} for _ in messages]
            return 200, head, {"sentMessages": sent}, 0
        return 200, head, {}, 0

    def _recipients(self, endpoint: str, to) -> list[str]:
        if endpoint == "push":
            if not isinstance(to, str) or not USER_ID.match(to):
                raise BadRequest("The request body has 1 error(s)", [{"message": "Invalid user ID", "property": "to"}])
            return [to]
        if not isinstance(to, list) or not 1 <= len(to) <= MULTICAST_MAX:
            raise BadRequest("The request body has 1 error(s)", [{"message": f"Size must be between 1 and {MULTICAST_MAX}", "property": "to"}])
        for index, user in enumerate(to):
            if not isinstance(user, str) or not USER_ID.match(user):
                raise BadRequest("The request body has 1 error(s)", [{"message": "Invalid user ID", "property": f"to[{index}]"}])
        return list(to)

    def _get(self, path: str, head):
        if path == "/v2/bot/message/quota":
            if self.quota_limit is None:
                return 200, head, {"type": "none"}, 0
            return 200, head, {"type": "limited", "value": self.quota_limit}, 0
        if path == "/v2/bot/message/quota/consumption":
            with self.lock:
                return 200, head, {"totalUsage": self.consumption}, 0
        if path == "/v2/bot/info":
            return 200, head, {
                "userId": line_user_id(10**9), "basicId": "@npv-fake", "displayName": "เน็ตอาสาประชารัฐ",
                "chatMode": "bot", "markAsReadMode": "auto",
            }, 0
        match = re.fullmatch(r"/v2/bot/profile/([^/]+)", path)
        if match:
            user = match.group(1)
            if not USER_ID.match(user) or user in self.blocked or user in self.unknown:
                return 404, head, {"message": "Not found"}, 0
            return 200, head, {"userId": user, "displayName": f"อาสา {user[-4:]}", "language": "th"}, 0
        return 404, head, {"message": "Not found"}, 0


def _error(property_: str, message: str) -> BadRequest:
    return BadRequest("The request body has 1 error(s)", [{"message": message, "property": property_}])


def validate_messages(messages) -> None:
    if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
        raise _error("messages", "Size must be between 1 and 5")
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _error(where, "Must be an object")
        kind = message.get("type")
        if kind == "text":
            text = message.get("text")
            if not isinstance(text, str) or not text:
                raise _error(f"{where}.text", "May not be empty")
            if utf16_len(text) > TEXT_MAX:
                raise _error(f"{where}.text", f"Length must be between 0 and {TEXT_MAX}")
        elif kind == "flex":
            alt = message.get("altText")
            if not isinstance(alt, str) or not alt:
                raise _error(f"{where}.altText", "May not be empty")
            if utf16_len(alt) > ALT_TEXT_MAX:
                raise _error(f"{where}.altText", f"Length must be between 0 and {ALT_TEXT_MAX}")
            _validate_container(message.get("contents"), f"{where}.contents")
        else:
            raise _error(f"{where}.type", "Must be one of the following values: [text, flex, ...]")


def _validate_container(container, where: str) -> None:
    if not isinstance(container, dict):
        raise _error(where, "May not be empty")
    if container.get("type") == "carousel":
        bubbles = container.get("contents")
        if not isinstance(bubbles, list) or not 1 <= len(bubbles) <= 12:
            raise _error(f"{where}.contents", "Size must be between 1 and 12")
        for index, bubble in enumerate(bubbles):
            _validate_container(bubble, f"{where}.contents[{index}]")
        return
    if container.get("type") != "bubble":
        raise _error(f"{where}.type", "Must be one of the following values: [bubble, carousel]")
    if not any(block in container for block in ("header", "hero", "body", "footer")):
        raise _error(where, "A bubble needs a header, hero, body or footer")
    for block in ("header", "body", "footer"):
        if block in container:
            _validate_component(container[block], f"{where}.{block}", box_only=True)


def _validate_component(component, where: str, box_only: bool = False) -> None:
    if not isinstance(component, dict):
        raise _error(where, "Must be an object")
    kind = component.get("type")
    if kind == "box":
        if component.get("layout") not in ("horizontal", "vertical", "baseline"):
            raise _error(f"{where}.layout", "Must be one of the following values: [horizontal, vertical, baseline]")
        contents = component.get("contents")
        if not isinstance(contents, list):
            raise _error(f"{where}.contents", "May not be empty")
        for index, child in enumerate(contents):
            _validate_component(child, f"{where}.contents[{index}]")
    elif box_only:
        raise _error(f"{where}.type", "Must be a box")
    elif kind == "text":
        if not component.get("text") and not component.get("contents"):
            raise _error(f"{where}.text", "May not be empty")
    elif kind == "button":
        action = component.get("action")
        if not isinstance(action, dict) or action.get("type") != "uri":
            raise _error(f"{where}.action", "The fake accepts URI actions only")
        uri = action.get("uri") or ""
        if not uri.startswith(URI_SCHEMES) or len(uri) > 1000:
            raise _error(f"{where}.action.uri", "Invalid uri scheme or length")
        if not action.get("label"):
            raise _error(f"{where}.action.label", "May not be empty")
    elif kind not in ("separator", "filler", "image", "icon", "span", "spacer", "video"):
        raise _error(f"{where}.type", "Unknown component type")


class LineHandler(BaseHTTPRequestHandler):
    # Keep-alive, as api.line.me: the SDK's connection pool reuses its connections.
    protocol_version = "HTTP/1.1"
    # The head and the body leave in two writes: without this, Nagle's algorithm meets the
    # client's delayed ACK and every answer waits 40 ms.
    disable_nagle_algorithm = True
    api: FakeLineAPI

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, head, answer, hang = self.api.handle(method, self.path.split("?")[0], self.headers, body)
        with self.api.lock:
            self.api.statuses[status] += 1
            self.api.requests.append((method, self.path, status))
            self.api.timeline.append((time.time(), method, self.path, status))
        if hang:
            time.sleep(hang)
        data = json.dumps(answer).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in head.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting

    def do_GET(self):  # noqa: N802
        self._serve("GET")

    def do_POST(self):  # noqa: N802
        self._serve("POST")

    def log_message(self, format, *args):  # noqa: A002
        pass
