"""A local LINE Login (v2.1) for the tests: a real HTTP server in a thread.

It answers the four endpoints allauth's LINE provider uses, and refuses what
the real API refuses (https://developers.line.biz/en/reference/line-login/):
- GET  /oauth2/v2.1/authorize: response_type=code, the channel id as client_id,
  redirect_uri, state, a scope with "profile", PKCE (S256) when sent, bot_prompt
  "normal" or "aggressive" when sent. It stands for the volunteer's LINE app:
  it "logs in" as `fake.user` (or refuses, `fake.deny_next`) and redirects back
  to redirect_uri with code and state (and friendship_status_changed, which LINE
  adds when bot_prompt is sent).
- POST /oauth2/v2.1/token: a form (application/x-www-form-urlencoded) with
  grant_type=authorization_code, the code (once, unexpired), the same
  redirect_uri, client_id and client_secret, and the PKCE code_verifier.
  Answers access_token, expires_in, refresh_token, scope, token_type (and an
  id_token when the scope had openid).
- GET  /v2/profile: `Authorization: Bearer <access token>`; answers userId,
  displayName, pictureUrl, statusMessage.
- POST /oauth2/v2.1/verify: id_token and client_id (allauth calls it only
  with the email scope, which this site does not ask); answers the token's claims.
Anything refused is answered as LINE does (400 or 401 with a JSON error) and
kept in `fake.refusals`, which a test asserts is empty.

allauth's LINE provider keeps LINE's URLs as class attributes of its adapter
(allauth.socialaccount.providers.line.views.LineOAuth2Adapter), not settings:
`fake.install(monkeypatch)` points them at this server for one test (the site's
CSP takes the authorize origin from the same attribute, so it follows).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

CHANNEL_ID = "1650000000"
CHANNEL_SECRET = "fake-line-channel-secret-0123456789ab"
CODE_LIFETIME = 600  # seconds: LINE's authorization codes live 10 minutes


@dataclass
class LineUser:
    user_id: str
    display_name: str
    picture_url: str = "https://profile.line-scdn.net/fake-picture"
    status_message: str = "สวัสดี"

    def profile(self) -> dict:
        return {
            "userId": self.user_id,
            "displayName": self.display_name,
            "pictureUrl": self.picture_url,
            "statusMessage": self.status_message,
        }


@dataclass
class _Grant:
    user: LineUser
    client_id: str
    redirect_uri: str
    scope: list[str]
    code_challenge: str | None
    issued: float = field(default_factory=time.monotonic)


def new_line_user_id() -> str:
    # LINE user ids are "U" and 32 hexadecimal digits.
    return "U" + secrets.token_hex(16)


class FakeLineLogin:
    def __init__(self, channel_id: str = CHANNEL_ID, channel_secret: str = CHANNEL_SECRET):
        self.channel_id = channel_id
        self.channel_secret = channel_secret
        self.user = LineUser(new_line_user_id(), "สมศรี LINE")
        self.deny_next = False
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.profile_requests = 0
        self.refusals: list[str] = []
        self._grants: dict[str, _Grant] = {}
        self._tokens: dict[str, LineUser] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- running -------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeLineLogin:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def install(self, monkeypatch) -> None:
        from allauth.socialaccount.providers.line.views import LineOAuth2Adapter

        monkeypatch.setattr(LineOAuth2Adapter, "authorize_url", f"{self.url}/oauth2/v2.1/authorize")
        monkeypatch.setattr(LineOAuth2Adapter, "access_token_url", f"{self.url}/oauth2/v2.1/token")
        monkeypatch.setattr(LineOAuth2Adapter, "profile_url", f"{self.url}/v2/profile")
        monkeypatch.setattr(LineOAuth2Adapter, "id_token_url", f"{self.url}/oauth2/v2.1/verify")

    def log_in_as(self, user_id: str | None = None, display_name: str = "สมศรี LINE") -> LineUser:
        """Who the next authorization is for (a new LINE user unless an id is given)."""
        self.user = LineUser(user_id or new_line_user_id(), display_name)
        return self.user

    # -- the endpoints -------------------------------------------------------

    def _authorize(self, query: dict[str, str]) -> tuple[int, dict, bytes]:
        self.authorize_requests.append(query)
        problems = []
        if query.get("response_type") != "code":
            problems.append("response_type must be code")
        if query.get("client_id") != self.channel_id:
            problems.append("client_id is not the channel id")
        for name in ("redirect_uri", "state", "scope"):
            if not query.get(name):
                problems.append(f"{name} is required")
        scope = query.get("scope", "").split(" ")
        if "profile" not in scope:
            problems.append("scope must include profile to read /v2/profile")
        if unknown := set(scope) - {"profile", "openid", "email"}:
            problems.append(f"unknown scope {sorted(unknown)}")
        challenge = query.get("code_challenge")
        if challenge and query.get("code_challenge_method") != "S256":
            problems.append("code_challenge_method must be S256")
        if "bot_prompt" in query and query["bot_prompt"] not in ("normal", "aggressive"):
            problems.append("bot_prompt must be normal or aggressive")
        if problems:
            return self._refuse(400, "invalid_request", problems)
        redirect_uri = query["redirect_uri"]
        back = {"state": query["state"]}
        if self.deny_next:
            self.deny_next = False
            back.update(error="access_denied", error_description="The resource owner denied the request.")
        else:
            code = secrets.token_urlsafe(16)
            with self._lock:
                self._grants[code] = _Grant(
                    self.user, query["client_id"], redirect_uri, scope, challenge
                )
            back["code"] = code
            if "bot_prompt" in query:
                back["friendship_status_changed"] = "true"
        separator = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": f"{redirect_uri}{separator}{urlencode(back)}"}, b""

    def _token(self, headers, form: dict[str, str]) -> tuple[int, dict, bytes]:
        self.token_requests.append(form)
        if not headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self._refuse(400, "invalid_request", ["Content-Type must be a form"])
        if form.get("grant_type") != "authorization_code":
            return self._refuse(400, "unsupported_grant_type", ["grant_type"])
        if form.get("client_id") != self.channel_id or form.get("client_secret") != self.channel_secret:
            return self._refuse(400, "invalid_client", ["client_id or client_secret"])
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or time.monotonic() - grant.issued > CODE_LIFETIME:
            return self._refuse(400, "invalid_grant", ["unknown, used or expired code"])
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._refuse(400, "invalid_grant", ["redirect_uri differs from the authorize one"])
        if grant.code_challenge:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                return self._refuse(400, "invalid_grant", ["code_verifier does not match"])
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant.user
        body = {
            "access_token": access_token,
            "expires_in": 2592000,
            "refresh_token": secrets.token_urlsafe(16),
            "scope": " ".join(grant.scope),
            "token_type": "Bearer",
        }
        if "openid" in grant.scope:
            body["id_token"] = self._id_token(grant.user)
        return self._json(200, body)

    def _profile(self, headers) -> tuple[int, dict, bytes]:
        self.profile_requests += 1
        authorization = headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization.startswith("Bearer ") else ""
        user = self._tokens.get(token)
        if user is None:
            self.refusals.append("profile: no valid Bearer token")
            return self._json(401, {"message": "Authentication failed."})
        return self._json(200, user.profile())

    def _verify(self, form: dict[str, str]) -> tuple[int, dict, bytes]:
        if form.get("client_id") != self.channel_id:
            return self._refuse(400, "invalid_client", ["client_id"])
        try:
            claims = json.loads(base64.urlsafe_b64decode(form["id_token"] + "=="))
        except (KeyError, ValueError):
            return self._refuse(400, "invalid_request", ["id_token"])
        return self._json(200, claims)

    def _id_token(self, user: LineUser) -> str:
        # Opaque to allauth here (only /verify reads it, and only with the email scope).
        claims = {"iss": "https://access.line.me", "sub": user.user_id, "aud": self.channel_id,
                  "name": user.display_name}
        return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    # -- plumbing ------------------------------------------------------------

    def _refuse(self, status: int, error: str, problems: list[str]):
        self.refusals.append(f"{error}: {', '.join(problems)}")
        return self._json(status, {"error": error, "error_description": "; ".join(problems)})

    @staticmethod
    def _json(status: int, body: dict):
        return status, {"Content-Type": "application/json"}, json.dumps(body).encode()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, headers, body):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _query(self) -> dict[str, str]:
                return {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                return {k: v[0] for k, v in parse_qs(raw).items()}

            def do_GET(self):
                path = urlsplit(self.path).path
                if path == "/oauth2/v2.1/authorize":
                    self._answer(*fake._authorize(self._query()))
                elif path == "/v2/profile":
                    self._answer(*fake._profile(self.headers))
                else:
                    self._answer(404, {}, b"")

            def do_POST(self):
                path = urlsplit(self.path).path
                if path == "/oauth2/v2.1/token":
                    self._answer(*fake._token(self.headers, self._form()))
                elif path == "/oauth2/v2.1/verify":
                    self._answer(*fake._verify(self._form()))
                else:
                    self._answer(404, {}, b"")

        return Handler


def line_settings(settings, fake: FakeLineLogin, bot_prompt: str = "normal") -> None:
    """Configure the site's LINE channel as LINE_LOGIN_CHANNEL_ID and
    LINE_LOGIN_CHANNEL_SECRET would (site/settings/base.py), for the fake."""
    providers = json.loads(json.dumps(settings.SOCIALACCOUNT_PROVIDERS))
    providers["line"]["APPS"] = [{"client_id": fake.channel_id, "secret": fake.channel_secret}]
    providers["line"]["AUTH_PARAMS"] = {"bot_prompt": bot_prompt} if bot_prompt else {}
    settings.SOCIALACCOUNT_PROVIDERS = providers
