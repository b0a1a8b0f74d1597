"""Seeded identifiers: the same seed and the same calls give the same ids, so notebooks are reproducible."""

from __future__ import annotations

import random

ID_LENGTH = 20
# Each random byte becomes one of 32 lower-case letters and digits (Crockford's alphabet: no i, l, o, u).
# 256 is a multiple of 32, so every character is equally likely.
_ALPHABET = b"0123456789abcdefghjkmnpqrstvwxyz"
_SPELLING = bytes(_ALPHABET[b % 32] for b in range(256))


class IdFactory:
    """Resource ids (`s-`, `d-`, `i-`, `m-`, `sp-` + 20 lower-case alphanumerics) and upper-case UUID RequestIds."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def resource(self, prefix: str) -> str:
        return prefix + self.rng.randbytes(ID_LENGTH).translate(_SPELLING).decode("ascii")

    def request_id(self) -> str:
        bits = self.rng.getrandbits(128)
        # Shape it as a version-4 UUID, as the real RequestIds are.
        bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
        bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
        h = f"{bits:032X}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def token(self) -> str:
        """A fresh ClientToken, lower-case UUID-shaped like the ones SDKs generate."""
        return self.request_id().lower()

    def get_state(self) -> list:
        version, internal, gauss = self.rng.getstate()
        return [version, list(internal), gauss]

    def set_state(self, state: list) -> None:
        version, internal, gauss = state
        self.rng.setstate((version, tuple(internal), gauss))
