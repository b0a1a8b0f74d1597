"""Who may call the local endpoint: AccessKey pairs, the v1 and V3 signatures checked, nonces and timestamps.

The endpoint refuses a request as Alibaba Cloud's gateway does, with the gateway's codes, before the lab sees it.
Checks in this order (the first that fails is the answer):
1. the signing parameters are there and name a supported scheme (else IncompleteSignature; a signed request
   without AccessKeyId is MissingParameter);
2. the AccessKeyId is one of the endpoint's keys (else InvalidAccessKeyId.NotFound, 404);
3. the Timestamp (v1) or x-acs-date (V3) is well formed and close enough (else IllegalTimestamp);
4. the signature matches (else SignatureDoesNotMatch, whose message ends with the server's string to sign, so the
   old SDK can tell a wrong secret from a wrongly built request);
5. the SignatureNonce (v1) or x-acs-signature-nonce (V3) has not been used by this key (else SignatureNonceUsed),
   and the timestamp is outside the range of forgotten ones (else IllegalTimestamp, below). Only a request that
   passed 1-4 uses up its nonce: a refused request can be sent again.

Decisions:
- Timestamp skew: 15 minutes either way, against the wall clock OR the lab's clock, whichever is closer. The SDKs
  stamp requests with the real time; a learner signing by hand in a notebook may use the lab's time. Either is
  accepted, a timestamp far from both (a replay from last week, a broken system clock) is not.
- Nonces are remembered, per AccessKeyId, as long as their request could be accepted again: a request stamped
  with the lab's time stays refused as a replay while the lab's clock stays near it, however much wall-clock time
  passes (issue 14: a lab-stamped URL replayed 15.5 minutes later made a second disk). Both clocks only move
  forward, so a nonce is forgotten once its timestamp is more than 15 minutes behind the wall clock and not within
  15 minutes of the lab's. Forgotten nonces leave a closed range of timestamps behind, refused from then on
  (IllegalTimestamp), so a forgotten nonce can never be replayed: if the lab's clock is later moved into a span of
  real time this endpoint has served (advanced months ahead), or back by /admin/reset, requests stamped with the
  lab's time in that span are refused; the SDKs stamp with the wall clock and are never affected.
- Bounds: a nonce is at most MAX_NONCE_LENGTH characters (IncompleteSignature beyond: the SDKs send 32 or 36);
  at most `max_nonces` (MAX_NONCES) are remembered. When that many are still in their window, a new request is
  refused (ServiceUnavailable, 503: the SDKs retry) rather than a remembered nonce forgotten early.
- Timestamps are ASCII digits only (full-width digits are refused, as `int()` would read them).
- The wire's own codes live here (WIRE_ERRORS, as ErrorEntry rows), not in rules/catalog.toml: the catalogue's
  every code has a recipe that a fresh Lab reproduces through lab.call, and these codes never come from a Lab.
- The V3 scheme requires x-acs-action, x-acs-version, x-acs-date and x-acs-signature-nonce to be signed (and host
  if it is sent); the payload hash is computed from the body received, never taken from the request.
"""

from __future__ import annotations

import heapq
import hmac
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ..rules.catalog import ErrorEntry
from ..rules.catalog import lookup as catalog_lookup
from . import signature as v1
from . import v3

SKEW_SECONDS = 15 * 60
NONCE_WINDOW_SECONDS = 15 * 60
MAX_NONCES = 50_000  # remembered at once: about 12 MB at most (64-character nonces)
MAX_NONCE_LENGTH = 64
V3_REQUIRED_HEADERS = ("x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce")
TIMESTAMP = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?Z")


def _wire(code: str, status: int, message: str, description: str, trigger: str) -> ErrorEntry:
    return ErrorEntry(
        code=code,
        http_status=status,
        message=message,
        description=description,
        sentence="Signature mechanism of Alibaba Cloud OpenAPI (RPC v1 and V3); common errors of the gateway.",
        trigger=trigger,
        basis="model choice",
    )


WIRE_ERRORS: dict[str, ErrorEntry] = {
    e.code: e
    for e in (
        _wire(
            "SignatureDoesNotMatch",
            400,
            "Specified signature is not matched with our calculation. server string to sign is:{param}",
            "The signature sent is not the one the server computes with the key's secret.",
            "A wrong AccessKeySecret, or a parameter changed after signing.",
        ),
        _wire(
            "IncompleteSignature",
            400,
            "The request signature does not conform to Aliyun standards.",
            "A signing parameter is missing or names a method or version the endpoint does not support.",
            "No Signature / SignatureNonce / SignatureMethod=HMAC-SHA1 / SignatureVersion=1.0 (v1), or a bad "
            "Authorization header (V3).",
        ),
        _wire(
            "InvalidAccessKeyId.NotFound",
            404,
            "Specified access key is not found.",
            "The AccessKeyId is not one of the endpoint's keys.",
            "An AccessKeyId the endpoint was not started with.",
        ),
        _wire(
            "SignatureNonceUsed",
            400,
            "Specified signature nonce was used already.",
            "A SignatureNonce can be used once per AccessKeyId within 15 minutes.",
            "The same signed request sent twice (a replay).",
        ),
        _wire(
            "IllegalTimestamp",
            400,
            'The input parameter "Timestamp" that is mandatory for processing this request is not supplied.',
            "The Timestamp is missing, not yyyy-MM-ddTHH:mm:ssZ, or more than 15 minutes from the server's time.",
            "A Timestamp 15 minutes away from both the wall clock and the lab's clock.",
        ),
        _wire(
            "ServiceUnavailable",
            503,
            "The request has failed due to a temporary failure of the server.",
            "The endpoint is at one of its bounds (connections, remembered nonces); retry a little later.",
            "More connections at once than max_connections, or max_nonces requests within 15 minutes.",
        ),
        _wire(
            "LengthRequired",
            411,
            "A {param} request needs its Content-Length header.",
            "The endpoint reads a body only by its Content-Length (0 for none), never by guessing where it ends.",
            "A POST without Content-Length (send Content-Length: 0 when there is no body).",
        ),
        _wire(
            "RequestURITooLong",
            414,
            "The request is larger than the endpoint accepts ({param}).",
            "The request line (method, path and query string) is over the endpoint's bound.",
            "A GET whose query string is over max_request_line bytes.",
        ),
        _wire(
            "RequestHeaderFieldsTooLarge",
            431,
            "The request is larger than the endpoint accepts ({param}).",
            "The request's headers are over the endpoint's bound, or over 100 of them.",
            "Over max_header_bytes bytes of headers.",
        ),
        _wire(
            "InvalidVersion",
            400,
            "Specified parameter Version is not valid.",
            "The API version is not 2014-05-26.",
            "Version=2016-01-01.",
        ),
        _wire(
            "UnsupportedHTTPMethod",
            405,
            "This http method is not supported.",
            "The RPC style takes GET or POST only.",
            "PUT, DELETE, PATCH or OPTIONS on the endpoint.",
        ),
        _wire(
            "RequestEntityTooLarge",
            413,
            "The request is larger than the endpoint accepts ({param}).",
            "The body or the whole request is over the endpoint's bound.",
            "A body over max_body bytes, or a chunked body (the endpoint needs its Content-Length).",
        ),
    )
}


def error_entry(code: str) -> ErrorEntry:
    """The entry for a code the wire answers with: its own, or the catalogue's (MissingParameter, ...)."""
    return WIRE_ERRORS.get(code) or catalog_lookup(code)


class AuthFailure(Exception):
    """A request refused before the lab sees it: the code and the text for the message's {param}."""

    def __init__(self, code: str, param: str = "", detail: str = "") -> None:
        super().__init__(f"{code}: {detail or param}")
        self.code = code
        self.param = param
        self.detail = detail

    @property
    def entry(self) -> ErrorEntry:
        return error_entry(self.code)

    @property
    def message(self) -> str:
        return self.entry.render(self.param)


def parse_timestamp(text: str) -> float:
    """Seconds since the epoch of `yyyy-MM-ddTHH:mm:ssZ` (fractions allowed); ValueError otherwise."""
    match = TIMESTAMP.fullmatch(text)
    if match is None:
        raise ValueError(text)
    year, month, day, hour, minute, second = map(int, match.groups())
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class Verified:
    """A request that passed: its key and scheme ("v1" or "v3")."""

    access_key_id: str
    scheme: str


class Verifier:
    """Checks signatures against the endpoint's keys; remembers nonces. Thread-safe."""

    def __init__(
        self,
        access_keys: Mapping[str, str],
        *,
        wall_clock: Callable[[], float] = time.time,
        lab_clock: Callable[[], float] | None = None,
        skew_seconds: float = SKEW_SECONDS,
        nonce_window_seconds: float = NONCE_WINDOW_SECONDS,
        max_nonces: int = MAX_NONCES,
    ) -> None:
        self.access_keys = dict(access_keys)
        self.wall_clock = wall_clock
        self.lab_clock = lab_clock
        self.skew_seconds = skew_seconds
        self.nonce_window_seconds = nonce_window_seconds
        self.max_nonces = max_nonces
        self._nonces: dict[str, float] = {}  # "key id\nnonce" -> the request's timestamp
        self._by_wall = _Expiry()  # nonces whose timestamp was near the wall clock when they came
        self._by_lab = _Expiry()  # the others: near the lab's clock only
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ the two schemes

    def verify_v1(self, method: str, params: Mapping[str, str]) -> Verified:
        """The RPC signature (SignatureVersion 1.0) over every parameter received, query and body merged."""
        for name in ("Signature", "SignatureNonce"):
            if not params.get(name):
                raise AuthFailure("IncompleteSignature", detail=f"no {name}")
        _check_nonce_length(params["SignatureNonce"])
        key_id = params.get("AccessKeyId")
        if not key_id:
            raise AuthFailure("MissingParameter", "AccessKeyId")
        if params.get("SignatureMethod") != v1.SIGNATURE_METHOD:
            raise AuthFailure("IncompleteSignature", detail="SignatureMethod must be HMAC-SHA1")
        if params.get("SignatureVersion") != v1.SIGNATURE_VERSION:
            raise AuthFailure("IncompleteSignature", detail="SignatureVersion must be 1.0")
        secret = self._secret(key_id)
        when = self._check_time(params.get("Timestamp"))
        to_sign = v1.string_to_sign(method, params)
        expected = v1.hmac_sha1(secret + "&", to_sign)
        if not _same(expected, params["Signature"]):
            raise AuthFailure("SignatureDoesNotMatch", to_sign)
        self._use_nonce(key_id, params["SignatureNonce"], when)
        return Verified(key_id, "v1")

    def verify_v3(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Iterable[tuple[str, str]],
        body: bytes,
    ) -> Verified:
        """The ACS3-HMAC-SHA256 Authorization header over the query, the signed headers and the body."""
        pairs = list(headers)
        lowered: dict[str, str] = {}
        for name, value in pairs:
            lowered.setdefault(name.lower(), value)
        try:
            auth = v3.parse_authorization(lowered.get("authorization", ""))
        except ValueError as exc:
            raise AuthFailure("IncompleteSignature", detail=str(exc)) from None
        if auth.algorithm != v3.ALGORITHM:
            raise AuthFailure("IncompleteSignature", detail=f"{auth.algorithm} is not supported")
        signed = [name.lower() for name in auth.signed_headers]
        required = [*V3_REQUIRED_HEADERS, *(("host",) if "host" in lowered else ())]
        missing = [name for name in required if name not in signed or not lowered.get(name)]
        if missing:
            raise AuthFailure("IncompleteSignature", detail=f"{', '.join(missing)} must be sent and signed")
        _check_nonce_length(lowered["x-acs-signature-nonce"])
        secret = self._secret(auth.credential)
        when = self._check_time(lowered["x-acs-date"])
        canonical = v3.canonical_request(method, path, query, pairs, signed, v3.hashed_payload(body))
        to_sign = v3.string_to_sign(canonical)
        if not _same(v3.signature(secret, to_sign), auth.signature):
            raise AuthFailure("SignatureDoesNotMatch", to_sign.replace("\n", "\\n"))
        self._use_nonce(auth.credential, lowered["x-acs-signature-nonce"], when)
        return Verified(auth.credential, "v3")

    # ------------------------------------------------------------------ the shared checks

    def _secret(self, key_id: str) -> str:
        secret = self.access_keys.get(key_id)
        if secret is None:
            raise AuthFailure("InvalidAccessKeyId.NotFound", detail=key_id[:64])
        return secret

    def _clocks(self) -> list[float]:
        clocks = [self.wall_clock()]
        if self.lab_clock is not None:
            clocks.append(self.lab_clock())
        return clocks

    def _check_time(self, stamp: str | None) -> float:
        """The request's time, if it is well formed and within 15 minutes of either clock."""
        try:
            when = parse_timestamp(stamp or "")
        except (ValueError, OverflowError):
            shown = (stamp or "")[:40]
            raise AuthFailure("IllegalTimestamp", detail=f"{shown!r} is not yyyy-MM-ddTHH:mm:ssZ") from None
        if min(abs(when - now) for now in self._clocks()) > self.skew_seconds:
            raise AuthFailure("IllegalTimestamp", detail=f"{stamp} is more than 15 minutes from the server's time")
        return when

    def _use_nonce(self, key_id: str, nonce: str, when: float) -> None:
        """Remember the nonce while its timestamp could be accepted again; refuse it if remembered or forgotten."""
        key = f"{key_id}\n{nonce}"
        window = self.nonce_window_seconds
        wall = self.wall_clock()
        lab = self.lab_clock() if self.lab_clock is not None else None
        with self._lock:
            self._forget(wall - window, lab, window)
            if self._by_wall.closes(when) or self._by_lab.closes(when):
                raise AuthFailure("IllegalTimestamp", detail=f"{when} is in the range of forgotten nonces")
            if key in self._nonces:
                raise AuthFailure("SignatureNonceUsed", detail=nonce[:64])
            if len(self._nonces) >= self.max_nonces:
                raise AuthFailure("ServiceUnavailable", detail=f"{self.max_nonces} nonces are in their window")
            self._nonces[key] = when
            (self._by_wall if abs(when - wall) <= window else self._by_lab).add(when, key)

    def _forget(self, behind_wall: float, lab: float | None, window: float) -> None:
        """Forget the nonces the wall clock has left behind and the lab's clock is not near (the lab's clock only
        moves forward: one it has left behind too can never come back; one ahead of it is kept out by `closes`)."""
        if lab is None:
            self._by_wall.forget(self._nonces, lambda when: when < behind_wall)
            return
        self._by_wall.forget(self._nonces, lambda when: when < behind_wall and abs(when - lab) > window)
        self._by_lab.forget(self._nonces, lambda when: when < behind_wall and when < lab - window)

    @property
    def remembered_nonces(self) -> int:
        return len(self._nonces)


class _Expiry:
    """Nonces in the order they may be forgotten (a heap by timestamp), and the range of timestamps forgotten."""

    def __init__(self) -> None:
        self.heap: list[tuple[float, str]] = []
        self.low = float("inf")
        self.high = float("-inf")

    def add(self, when: float, key: str) -> None:
        heapq.heappush(self.heap, (when, key))

    def forget(self, nonces: dict[str, float], may_forget: Callable[[float], bool]) -> None:
        heap = self.heap
        while heap and may_forget(heap[0][0]):
            when, key = heapq.heappop(heap)
            del nonces[key]
            self.low = min(self.low, when)
            self.high = max(self.high, when)

    def closes(self, when: float) -> bool:
        """Whether `when` lies in the range of forgotten timestamps (a request stamped so might be a replay)."""
        return self.low <= when <= self.high


def _check_nonce_length(nonce: str) -> None:
    if len(nonce) > MAX_NONCE_LENGTH:
        raise AuthFailure("IncompleteSignature", detail=f"a nonce over {MAX_NONCE_LENGTH} characters")


def _same(expected: str, given: str) -> bool:
    """Constant-time comparison, on bytes so that a non-ASCII signature is simply unequal."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogatepass"))
