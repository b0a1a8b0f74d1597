"""The RPC signature (SignatureVersion 1.0, HMAC-SHA1; Alibaba now calls it "V2"), every step inspectable.

A learner who will sign requests for real needs to see each step: the parameters sorted, the canonicalized query,
the string to sign and the signature. `explain` returns them all; `sign` adds the common parameters and the
signature to a request; the local endpoint verifies with the same functions, so what is taught is what is checked.

The steps (from the reference facts, checked against the official test vectors in tests/test_wire_signature.py):
1. every parameter except Signature, empty values included, sorted by name in code-point order;
2. names and values percent-encoded as UTF-8 per RFC 3986 (`A-Z a-z 0-9 - _ . ~` kept, a space is %20, `*` is %2A);
3. `name=value` joined with `&`: the canonicalized query;
4. StringToSign = METHOD & enc("/") & enc(canonicalized query);
5. Signature = Base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign)).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from ..i18n import _

VERSION = "2014-05-26"
UNRESERVED = "-_.~"  # kept as they are, with letters and digits (RFC 3986)
SIGNATURE_METHOD = "HMAC-SHA1"
SIGNATURE_VERSION = "1.0"


def percent_encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, upper-case hex: a space is %20 (never +), `*` is %2A, `~` stays."""
    return quote(text, safe=UNRESERVED)


def sorted_parameters(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """Step 1: every parameter but Signature, sorted by name in code-point order."""
    return sorted((str(k), str(v)) for k, v in params.items() if k != "Signature")


def canonicalized_query(params: Mapping[str, str]) -> str:
    """Steps 2 and 3: the sorted parameters, encoded, joined."""
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted_parameters(params))


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    """Step 4: METHOD & %2F & the encoded canonicalized query."""
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonicalized_query(params))}"


def hmac_sha1(key: str, text: str) -> str:
    """Base64 of HMAC-SHA1 over UTF-8: the raw primitive (the signature's key is the secret plus "&")."""
    digest = hmac.new(key.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signature(access_key_secret: str, method: str, params: Mapping[str, str]) -> str:
    """Step 5: the Signature parameter for these parameters."""
    return hmac_sha1(access_key_secret + "&", string_to_sign(method, params))


@dataclass(frozen=True)
class SigningSteps:
    """Each step of one signature, as a learner would write them down."""

    method: str
    sorted_parameters: list[tuple[str, str]]
    canonicalized_query: str
    string_to_sign: str
    signature: str

    def explain(self) -> str:
        lines = [_("1. Parameters, sorted by name (Signature left out):")]
        lines += [f"     {name} = {value}" for name, value in self.sorted_parameters]
        lines += [
            _("2-3. Percent-encoded and joined (canonicalized query):"),
            f"     {self.canonicalized_query}",
            _("4. String to sign ({method} & %2F & the encoded query):").format(method=self.method),
            f"     {self.string_to_sign}",
            _("5. Signature = Base64(HMAC-SHA1(AccessKeySecret + '&', string to sign)):"),
            f"     {self.signature}",
        ]
        return "\n".join(lines)


def explain(access_key_secret: str, method: str, params: Mapping[str, str]) -> SigningSteps:
    """Every step of the signature of `params` sent with `method`."""
    to_sign = string_to_sign(method, params)
    return SigningSteps(
        method=method.upper(),
        sorted_parameters=sorted_parameters(params),
        canonicalized_query=canonicalized_query(params),
        string_to_sign=to_sign,
        signature=hmac_sha1(access_key_secret + "&", to_sign),
    )


def common_parameters(
    action: str, access_key_id: str, nonce: str, timestamp: str, response_format: str = "JSON"
) -> dict[str, str]:
    """The parameters every signed RPC request carries besides its own (Timestamp as yyyy-MM-ddTHH:mm:ssZ, UTC)."""
    return {
        "Action": action,
        "Version": VERSION,
        "Format": response_format,
        "AccessKeyId": access_key_id,
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": SIGNATURE_VERSION,
        "SignatureNonce": nonce,
        "Timestamp": timestamp,
    }


def sign(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    nonce: str,
    timestamp: str,
    method: str = "GET",
    response_format: str = "JSON",
) -> dict[str, str]:
    """The whole signed request: the action's parameters, the common ones, and Signature last.

    The nonce and timestamp are the caller's (a seeded lab gives reproducible ones), never taken from the wall clock
    here, so the same inputs always sign the same way."""
    signed = {**{str(k): str(v) for k, v in params.items()}}
    signed.update(common_parameters(action, access_key_id, nonce, timestamp, response_format))
    signed["Signature"] = signature(access_key_secret, method, signed)
    return signed
