"""Exports of any request: the signed URL, the POST form, the aliyun CLI command and two Python SDK snippets.

Workshops end with "now do it for real": from one request (an action and its parameters) a learner gets what the
cloud would receive, signed, and code to paste. Every signed export goes through `signature.sign`, so the lab's
endpoint verifies exactly what is taught. Standard library only, like the rest of the wire.

Decisions:
- Nonce and timestamp are the caller's, or made without the wall clock: the nonce from `random.Random(seed)` (a
  UUID-shaped string), the timestamp from `at` (pass `lab.now` so a local endpoint checking skew against the lab's
  clock accepts it) or else EPOCH, a fresh Lab's start. The wall clock is read only with `wall_clock=True`.
- The signed URL lists the parameters in canonical order with Signature last: the URL without `&Signature=...` is the
  canonicalized query of step 3, which the explorer can point at. The POST form puts every parameter in the body
  and none in the URL (a server merges query and form body, ECS and the local endpoint alike).
- A local endpoint (127.0.0.1, localhost, ::1) is spoken to over HTTP with the lab's key pair written into the
  command and the snippets: that pair opens nothing but the lab. For the cloud the snippets read the pair from the
  ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET environment variables and the CLI uses its configured profile: a real
  secret never appears in a printed export.
- aliyun-python-sdk-ecs: the action's own Request class (every action the lab answers has one); CreateSnapshot's
  documented parameters through their setters and tags through set_Tags (when numbered 1..N without a gap), every
  other parameter through add_query_param, so any request, even a wrong one, goes out as given. An action the SDK
  has no class for goes through CommonRequest.
- alibabacloud_ecs20140526: CreateSnapshot with only its documented parameters becomes the typed
  CreateSnapshotRequest (tags as CreateSnapshotRequestTag); anything else (other actions, unknown parameters, tags
  with a gap) goes through the generic `call_api`, since a typed model cannot carry a parameter it does not know.
  Integer fields get an int when the text is exactly an integer's decimal form (the SDK sends str(int), the same
  text); every other value stays the string it was, so the wire carries what the request said.
- `cli_command` lives here (moved from widgets/builder.py, which imports it): one definition for the builder's
  preview and the exports.
"""

from __future__ import annotations

import json
import random
import re
import shlex
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import signature

CLOUD_ENDPOINT = "ecs.aliyuncs.com"  # the central endpoint, the seed's sample URL
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
EPOCH = "2026-01-01T00:00:00Z"  # a fresh Lab's clock: the timestamp when none is given
DEFAULT_REGION = "cn-hangzhou"
KEY_ID_VARIABLE = "ALIBABA_CLOUD_ACCESS_KEY_ID"
KEY_SECRET_VARIABLE = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"

# The actions the lab answers: aliyun-python-sdk-ecs has a Request class for each (tests check it).
SDK_REQUEST_CLASSES = frozenset(
    {
        "ApplyAutoSnapshotPolicy",
        "AttachDisk",
        "CancelAutoSnapshotPolicy",
        "CreateAutoSnapshotPolicy",
        "CreateDisk",
        "CreateImage",
        "CreateInstance",
        "CreateSnapshot",
        "DeleteDisk",
        "DeleteImage",
        "DeleteSnapshot",
        "DescribeDisks",
        "DescribeInstances",
        "DescribeSnapshots",
        "DetachDisk",
        "ReplaceSystemDisk",
        "RunInstances",
        "StartInstance",
        "StopInstance",
    }
)
# CreateSnapshot's documented parameters (besides tags): name -> (new SDK field, integer field?).
CREATE_SNAPSHOT_FIELDS: dict[str, tuple[str, bool]] = {
    "Category": ("category", False),
    "ClientToken": ("client_token", False),
    "Description": ("description", False),
    "DiskId": ("disk_id", False),
    "InstantAccess": ("instant_access", False),  # bool in the SDK, but str(True) is "True": the text is kept
    "InstantAccessRetentionDays": ("instant_access_retention_days", True),
    "OwnerAccount": ("owner_account", False),
    "OwnerId": ("owner_id", True),
    "ResourceGroupId": ("resource_group_id", False),
    "ResourceOwnerAccount": ("resource_owner_account", False),
    "ResourceOwnerId": ("resource_owner_id", True),
    "RetentionDays": ("retention_days", True),
    "SnapshotName": ("snapshot_name", False),
    "StorageLocationArn": ("storage_location_arn", False),
}
_TAG = re.compile(r"Tag\.([1-9][0-9]*)\.(Key|Value)")


# ---------------------------------------------------------------------------------------------- nonce and time


def make_nonce(seed: int | random.Random) -> str:
    """A UUID-shaped SignatureNonce from a seed (or a Random to draw successive ones from)."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def format_timestamp(when: datetime | str) -> str:
    """The API's Timestamp, yyyy-MM-ddTHH:mm:ssZ in UTC (a string is taken as already written so)."""
    if isinstance(when, str):
        return when
    if when.tzinfo is None:
        raise ValueError("a Timestamp needs a timezone-aware datetime (UTC)")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_timestamp(at: datetime | str | None = None, *, wall_clock: bool = False) -> str:
    """`at` formatted, else the wall clock if asked for, else EPOCH: never the wall clock by surprise."""
    if at is not None:
        return format_timestamp(at)
    if wall_clock:
        return format_timestamp(datetime.now(UTC))
    return EPOCH


# ---------------------------------------------------------------------------------------------- endpoints


def is_local(endpoint: str) -> bool:
    """True for an endpoint on this machine, spoken to over plain HTTP."""
    host = endpoint.rsplit(":", 1)[0] if endpoint.count(":") == 1 or endpoint.startswith("[") else endpoint
    return host in LOCAL_HOSTS


def base_url(endpoint: str) -> str:
    """`http://host:port/` for a local endpoint, `https://host/` for the cloud."""
    return f"{'http' if is_local(endpoint) else 'https'}://{endpoint}/"


# ---------------------------------------------------------------------------------------------- signed requests


def _encode(params: Mapping[str, str]) -> str:
    """Canonical order, Signature last: the part before `&Signature=` is the canonicalized query."""
    query = signature.canonicalized_query(params)
    if "Signature" in params:
        query += f"&Signature={signature.percent_encode(params['Signature'])}"
    return query


def _get_url(endpoint: str, signed: Mapping[str, str]) -> str:
    """A GET URL carrying these signed parameters."""
    return base_url(endpoint) + "?" + _encode(signed)


def _signing(nonce: str, timestamp: str, response_format: str, method: str) -> dict[str, str]:
    """The keyword arguments of `signature.sign` that every signed export passes through."""
    return {"nonce": nonce, "timestamp": timestamp, "response_format": response_format, "method": method}


def signed_url(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    nonce: str,
    timestamp: str,
    endpoint: str = CLOUD_ENDPOINT,
    response_format: str = "JSON",
) -> str:
    """The whole request as one GET URL, signed for GET."""
    signed = signature.sign(
        action, params, access_key_id, access_key_secret, **_signing(nonce, timestamp, response_format, "GET")
    )
    return _get_url(endpoint, signed)


@dataclass(frozen=True)
class PostForm:
    """A POST with every parameter in an application/x-www-form-urlencoded body, signed for POST."""

    url: str
    body: str
    params: dict[str, str]
    content_type: str = "application/x-www-form-urlencoded"


def post_form(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    nonce: str,
    timestamp: str,
    endpoint: str = CLOUD_ENDPOINT,
    response_format: str = "JSON",
) -> PostForm:
    """The whole request as a POST form, signed for POST."""
    signed = signature.sign(
        action, params, access_key_id, access_key_secret, **_signing(nonce, timestamp, response_format, "POST")
    )
    return PostForm(url=base_url(endpoint), body=_encode(signed), params=signed)


# ---------------------------------------------------------------------------------------------- aliyun CLI


def cli_command(
    params: Mapping[str, str],
    action: str = "CreateSnapshot",
    *,
    endpoint: str | None = None,
    access_key_id: str | None = None,
    access_key_secret: str | None = None,
    region_id: str | None = None,
) -> str:
    """`aliyun ecs ACTION --Name value ...`, every word shell-quoted; a local endpoint adds `--endpoint host:port
    --insecure` (plain HTTP) and the lab's key pair, the cloud uses the CLI's configured profile."""
    parts = ["aliyun", "ecs", shlex.quote(action)]
    for key, value in params.items():
        parts += [shlex.quote(f"--{key}"), shlex.quote(value)]
    if endpoint is not None:
        parts += ["--endpoint", shlex.quote(endpoint)]
        if is_local(endpoint):
            parts.append("--insecure")
            if access_key_id is not None and access_key_secret is not None:
                parts += ["--mode", "AK", "--access-key-id", shlex.quote(access_key_id)]
                parts += ["--access-key-secret", shlex.quote(access_key_secret)]
    if region_id is not None:
        parts += ["--region", shlex.quote(region_id)]
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------- SDK snippets


def _tags(params: Mapping[str, str]) -> tuple[list[dict[str, str]], dict[str, str]] | None:
    """(tags in order 1..N, the other parameters), or None when the tag numbers have a gap (or start past 1)."""
    numbered: dict[int, dict[str, str]] = {}
    rest: dict[str, str] = {}
    for name, value in params.items():
        match = _TAG.fullmatch(name)
        if match:
            numbered.setdefault(int(match[1]), {})[match[2]] = value
        else:
            rest[name] = value
    if sorted(numbered) != list(range(1, len(numbered) + 1)):
        return None
    return [numbered[n] for n in sorted(numbered)], rest


def _py(value: object) -> str:
    """A Python literal in double quotes (the style of the printed snippets); JSON's escapes are Python's too."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_py(k)}: {_py(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_py(item) for item in value) + "]"
    raise TypeError(f"no literal for {type(value).__name__}")


def _value(name: str, value: str) -> str:
    """An int literal for CreateSnapshot's integer fields when the text is exactly an integer (same text on the
    wire), else the string."""
    integer = CREATE_SNAPSHOT_FIELDS.get(name, ("", False))[1]
    if integer and value.isascii() and value.isdigit() and str(int(value)) == value:
        return value
    return _py(value)


def _credentials(endpoint: str, access_key_id: str, access_key_secret: str) -> tuple[list[str], str, str]:
    """(imports, id expression, secret expression): literals for a local endpoint, environment for the cloud."""
    if is_local(endpoint):
        return [], _py(access_key_id), _py(access_key_secret)
    return ["import os"], f"os.environ[{_py(KEY_ID_VARIABLE)}]", f"os.environ[{_py(KEY_SECRET_VARIABLE)}]"


def core_sdk_snippet(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    endpoint: str = CLOUD_ENDPOINT,
    region_id: str = DEFAULT_REGION,
) -> str:
    """A script for aliyun-python-sdk-core + aliyun-python-sdk-ecs that sends this request and prints the answer
    (a refusal raises the SDK's ServerException, carrying the API's code)."""
    imports, key_id, secret = _credentials(endpoint, access_key_id, access_key_secret)
    imports.append("from aliyunsdkcore.client import AcsClient")
    lines: list[str] = []
    if action in SDK_REQUEST_CLASSES:
        imports.append(f"from aliyunsdkecs.request.v20140526.{action}Request import {action}Request")
        lines.append(f"request = {action}Request()")
    else:
        imports.append("from aliyunsdkcore.request import CommonRequest")
        lines += [
            f"request = CommonRequest(version={_py(signature.VERSION)}, action_name={_py(action)})",
            'request.set_method("POST")',
        ]
    lines.append(f"request.set_endpoint({_py(endpoint)})")
    if not is_local(endpoint):
        lines.append('request.set_protocol_type("https")')
    rest: Mapping[str, str] = params
    if action == "CreateSnapshot" and (split := _tags(params)) is not None and split[0]:
        tags, rest = split
        lines.append(f"request.set_Tags({_py(tags)})")
    for name, value in rest.items():
        if action == "CreateSnapshot" and name in CREATE_SNAPSHOT_FIELDS:
            lines.append(f"request.set_{name}({_value(name, value)})")
        else:
            lines.append(f"request.add_query_param({_py(name)}, {_py(value)})")
    body = [
        f"client = AcsClient({key_id}, {secret}, {_py(region_id)})",
        *lines,
        "response = client.do_action_with_exception(request)",
        'print(response.decode("utf-8"))',
    ]
    return "\n".join([*imports, "", *body]) + "\n"


def _typed_arguments(params: Mapping[str, str]) -> list[str] | None:
    """keyword=value lines for models.CreateSnapshotRequest, or None when a parameter has no field."""
    split = _tags(params)
    if split is None:
        return None
    tags, rest = split
    arguments = []
    for name, value in rest.items():
        if name not in CREATE_SNAPSHOT_FIELDS:
            return None
        arguments.append(f"{CREATE_SNAPSHOT_FIELDS[name][0]}={_value(name, value)},")
    if tags:
        arguments.append("tag=[")
        for tag in tags:
            inner = ", ".join(f"{k.lower()}={_py(v)}" for k, v in tag.items())
            arguments.append(f"    ecs_models.CreateSnapshotRequestTag({inner}),")
        arguments.append("],")
    return arguments


def tea_sdk_snippet(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    endpoint: str = CLOUD_ENDPOINT,
    region_id: str = DEFAULT_REGION,
    signature_algorithm: str | None = None,
) -> str:
    """A script for alibabacloud_ecs20140526 that sends this request and prints the answer (a refusal raises the
    SDK's exception, whose .code is the API's). `signature_algorithm="v2"` picks the HMAC-SHA1 RPC signature
    instead of the SDK's default V3."""
    imports, key_id, secret = _credentials(endpoint, access_key_id, access_key_secret)
    config = _tea_config(key_id, secret, endpoint, region_id, signature_algorithm)
    arguments = _typed_arguments(params) if action == "CreateSnapshot" else None
    if arguments is not None:
        imports += [
            "from alibabacloud_ecs20140526 import models as ecs_models",
            "from alibabacloud_ecs20140526.client import Client",
            "from alibabacloud_tea_openapi import models as open_api_models",
        ]
        body = [
            *config,
            "client = Client(config)",
            "request = ecs_models.CreateSnapshotRequest(",
            *(f"    {line}" for line in arguments),
            ")",
            "response = client.create_snapshot(request)",
            "print(response.body.to_map())",
        ]
    else:
        imports += [
            "from alibabacloud_tea_openapi import models as open_api_models",
            "from alibabacloud_tea_openapi.client import Client",
            "from darabonba.runtime import RuntimeOptions",
        ]
        body = [*config, "client = Client(config)", *_tea_call_api(action, params, endpoint)]
    return "\n".join([*imports, "", *body]) + "\n"


def _tea_config(key_id: str, secret: str, endpoint: str, region_id: str, signature_algorithm: str | None) -> list[str]:
    """The lines that make the SDK's Config: the credentials (as _credentials spells them), where, which signature."""
    config = [
        "config = open_api_models.Config(",
        f"    access_key_id={key_id},",
        f"    access_key_secret={secret},",
        f"    endpoint={_py(endpoint)},",
        f"    protocol={_py('http' if is_local(endpoint) else 'https')},",
        f"    region_id={_py(region_id)},",
    ]
    if signature_algorithm is not None:
        config.append(f"    signature_algorithm={_py(signature_algorithm)},")
    config.append(")")
    return config


def _tea_call_api(action: str, params: Mapping[str, str], endpoint: str) -> list[str]:
    """The lines that send any action through the generic call_api (no typed request model for it)."""
    return [
        "params = open_api_models.Params(",
        f"    action={_py(action)},",
        f"    version={_py(signature.VERSION)},",
        f"    protocol={_py('HTTP' if is_local(endpoint) else 'HTTPS')},",
        '    pathname="/",',
        '    method="POST",',
        '    auth_type="AK",',
        '    style="RPC",',
        '    req_body_type="formData",',
        '    body_type="json",',
        ")",
        f"request = open_api_models.OpenApiRequest(query={_py(dict(params))})",
        "response = client.call_api(params, request, RuntimeOptions())",
        'print(response["body"])',
    ]


# ---------------------------------------------------------------------------------------------- all at once


@dataclass(frozen=True)
class Exports:
    """Every export of one request, for one key pair, nonce and timestamp."""

    action: str
    params: dict[str, str]
    endpoint: str
    access_key_id: str
    nonce: str
    timestamp: str
    signed_url: str
    post: PostForm
    cli: str
    core_sdk: str  # aliyun-python-sdk-ecs
    tea_sdk: str  # alibabacloud_ecs20140526
    get_params: dict[str, str] = field(repr=False, default_factory=dict)  # the GET request's signed parameters


def export(
    action: str,
    params: Mapping[str, str],
    access_key_id: str,
    access_key_secret: str,
    *,
    endpoint: str = CLOUD_ENDPOINT,
    nonce: str | None = None,
    timestamp: str | None = None,
    at: datetime | str | None = None,
    seed: int = 0,
    wall_clock: bool = False,
    region_id: str = DEFAULT_REGION,
    response_format: str = "JSON",
    signature_algorithm: str | None = None,
) -> Exports:
    """All exports of `action` with `params`: nonce from `seed` and timestamp from `at` unless given (see Decisions)."""
    params = {str(k): str(v) for k, v in params.items()}
    nonce = nonce if nonce is not None else make_nonce(seed)
    timestamp = timestamp if timestamp is not None else make_timestamp(at, wall_clock=wall_clock)
    keys = (access_key_id, access_key_secret)
    signing = {"nonce": nonce, "timestamp": timestamp, "endpoint": endpoint, "response_format": response_format}
    get_params = signature.sign(action, params, *keys, **_signing(nonce, timestamp, response_format, "GET"))
    return Exports(
        action=action,
        params=params,
        endpoint=endpoint,
        access_key_id=access_key_id,
        nonce=nonce,
        timestamp=timestamp,
        signed_url=_get_url(endpoint, get_params),
        post=post_form(action, params, *keys, **signing),
        cli=cli_command(
            params,
            action,
            endpoint=endpoint if is_local(endpoint) else None,
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            region_id=region_id if is_local(endpoint) else None,
        ),
        core_sdk=core_sdk_snippet(action, params, *keys, endpoint=endpoint, region_id=region_id),
        tea_sdk=tea_sdk_snippet(
            action, params, *keys, endpoint=endpoint, region_id=region_id, signature_algorithm=signature_algorithm
        ),
        get_params=get_params,
    )
