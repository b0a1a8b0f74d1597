"""The V3 signature (ACS3-HMAC-SHA256, an `Authorization` header), every step inspectable like signature.py.

The new SDK (`alibabacloud_ecs20140526`) signs this way by default: Action and Version travel in the `x-acs-action`
and `x-acs-version` headers, only the action's own parameters in the query, and the signature in the header
`Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>`.

The steps (the same on both sides, so the local endpoint checks exactly what is taught):
1. canonical query: every query parameter, sorted by name (code-point order), names and values percent-encoded as
   RFC 3986 (signature.percent_encode), `name=value` joined with `&`;
2. canonical headers: the signed headers' names in lower case, sorted, each `name:value` (value stripped; a header
   sent twice has its values sorted and joined with `,`), one per line; SignedHeaders = the names joined with `;`;
3. hashed payload: hex SHA-256 of the body (of b"" when there is none), also sent as `x-acs-content-sha256`;
4. canonical request = METHOD, path, canonical query, canonical headers, SignedHeaders, hashed payload, one per line;
5. string to sign = "ACS3-HMAC-SHA256" + newline + hex SHA-256 of the canonical request;
6. signature = hex HMAC-SHA256(AccessKeySecret, string to sign).

Decisions:
- Headers are given as (name, value) pairs, so a header sent twice is signed as the SDK signs it.
- `sign` takes the nonce and the date from the caller (reproducible), never from the wall clock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .signature import VERSION, percent_encode

ALGORITHM = "ACS3-HMAC-SHA256"


def hashed_payload(body: bytes = b"") -> str:
    """Step 3: hex SHA-256 of the body."""
    return hashlib.sha256(body).hexdigest()


def canonical_query(query: Mapping[str, str]) -> str:
    """Step 1: the query parameters sorted by name, encoded, joined."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(query.items()))


def _header_pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


def canonical_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]], signed: Iterable[str]) -> tuple[str, str]:
    """Step 2: (canonical headers, SignedHeaders) for the headers named in `signed` (any case)."""
    wanted = {name.lower() for name in signed}
    values: dict[str, list[str]] = {}
    for name, value in _header_pairs(headers):
        key = name.lower()
        if key in wanted:
            values.setdefault(key, []).append(str(value).strip())
    names = sorted(values)
    text = "".join(f"{name}:{','.join(sorted(values[name]))}\n" for name in names)
    return text, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    signed: Iterable[str],
    payload_hash: str,
) -> str:
    """Step 4: the six parts, one per line (the headers part ends with its own newline)."""
    header_text, signed_headers = canonical_headers(headers, signed)
    return "\n".join([method.upper(), path or "/", canonical_query(query), header_text, signed_headers, payload_hash])


def string_to_sign(canonical: str) -> str:
    """Step 5: the algorithm and the hex SHA-256 of the canonical request."""
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(access_key_secret: str, to_sign: str) -> str:
    """Step 6: hex HMAC-SHA256 keyed with the secret itself (no "&", unlike v1)."""
    return hmac.new(access_key_secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(access_key_id: str, signed_headers: str, sig: str) -> str:
    """The Authorization header's value."""
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={sig}"


@dataclass(frozen=True)
class Authorization:
    """An Authorization header taken apart."""

    algorithm: str
    credential: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> Authorization:
    """Split `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`; ValueError if it is not that shape."""
    algorithm, _, rest = value.strip().partition(" ")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if not sep or name in fields:
            raise ValueError(f"not a name=value part: {part.strip()!r}")
        fields[name] = field_value
    if set(fields) != {"Credential", "SignedHeaders", "Signature"} or not all(fields.values()):
        raise ValueError("an Authorization header needs Credential, SignedHeaders and Signature")
    return Authorization(algorithm, fields["Credential"], fields["SignedHeaders"].split(";"), fields["Signature"])


@dataclass(frozen=True)
class V3Steps:
    """Each step of one V3 signature, as a learner would write them down."""

    canonical_request: str
    string_to_sign: str
    signed_headers: str
    signature: str

    def explain(self) -> str:
        lines = ["1-4. Canonical request (method, path, query, headers, signed header names, payload hash):"]
        lines += [f"     {line}" for line in self.canonical_request.split("\n")]
        lines += [
            "5. String to sign (algorithm, then hex SHA-256 of the canonical request):",
            *(f"     {line}" for line in self.string_to_sign.split("\n")),
            "6. Signature = hex(HMAC-SHA256(AccessKeySecret, string to sign)):",
            f"     {self.signature}",
            f"   SignedHeaders={self.signed_headers}",
        ]
        return "\n".join(lines)


def explain(
    access_key_secret: str,
    method: str,
    path: str,
    query: Mapping[str, str],
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    signed: Iterable[str],
    body: bytes = b"",
) -> V3Steps:
    """Every step of the V3 signature of this request."""
    signed = list(signed)
    canonical = canonical_request(method, path, query, headers, signed, hashed_payload(body))
    to_sign = string_to_sign(canonical)
    return V3Steps(canonical, to_sign, canonical_headers(headers, signed)[1], signature(access_key_secret, to_sign))


def sign(
    action: str,
    query: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    host: str,
    nonce: str,
    date: str,
    method: str = "POST",
    body: bytes = b"",
    version: str = VERSION,
) -> dict[str, str]:
    """The headers of a V3-signed request (every one signed, Authorization last), as the new SDK sends them."""
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date,
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": hashed_payload(body),
    }
    steps = explain(access_key_secret, method, "/", query, headers, headers, body)
    headers["Authorization"] = authorization(access_key_id, steps.signed_headers, steps.signature)
    return headers
