"""Seeded identifiers: the same seed and the same calls give the same ids, so notebooks are reproducible."""

from __future__ import annotations

import random

ID_LENGTH = 20
# Each random byte becomes one of 32 lower-case letters and digits (Crockford's alphabet: no i, l, o, u).
# 256 is a multiple of 32, so every character is equally likely.
_ALPHABET = b"0123456789abcdefghjkmnpqrstvwxyz"
_SPELLING = bytes(_ALPHABET[b % 32] for b in range(256))
_VARIANT = {d: "89AB"[int(d, 16) % 4] for d in "0123456789ABCDEF"}  # the UUID variant digit: 8, 9, A or B


class IdFactory:
    """Resource ids (`s-`, `d-`, `i-`, `m-`, `sp-` + 20 lower-case alphanumerics) and upper-case UUID RequestIds."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def resource(self, prefix: str) -> str:
        return prefix + self.rng.randbytes(ID_LENGTH).translate(_SPELLING).decode("ascii")

    def request_id(self) -> str:
        """An upper-case version-4 UUID, like the real RequestIds."""
        h = self.rng.randbytes(16).hex().upper()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"

    def get_state(self) -> list:
        version, internal, gauss = self.rng.getstate()
        return [version, list(internal), gauss]

    def set_state(self, state: list) -> None:
        version, internal, gauss = state
        self.rng.setstate((version, tuple(internal), gauss))
