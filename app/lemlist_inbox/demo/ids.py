"""lemlist-looking ids (``ctc_`` + 17 base-62 characters) that decode back to an index.

A 100,000-conversation dataset must start in well under a second and stay small in
memory, so the stand-in keeps no id -> conversation dictionary: each generated id is an
affine permutation of the conversation's index modulo 62**17, which looks random (like
lemlist's ids) and inverts with one modular multiplication.
"""

from __future__ import annotations

import base64
import random
import string

_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
_BASE = len(_ALPHABET)
_WIDTH = 17
_MOD = _BASE**_WIDTH
_INDEX = {ch: i for i, ch in enumerate(_ALPHABET)}


class IdCodec:
    """Encode a non-negative index as ``prefix_XXXXXXXXXXXXXXXXX`` and back, per seed."""

    def __init__(self, prefix: str, seed: int) -> None:
        rng = random.Random(f"{prefix}:{seed}")
        multiplier = rng.randrange(_MOD // 3, _MOD)
        # Invertible modulo 62**17 = 2**17 * 31**17: odd and not a multiple of 31.
        while multiplier % 2 == 0 or multiplier % 31 == 0:
            multiplier += 1
        self.prefix = prefix + "_"
        self._mul = multiplier
        self._inv = pow(multiplier, -1, _MOD)
        self._add = rng.randrange(_MOD)

    def encode(self, index: int) -> str:
        value = (index * self._mul + self._add) % _MOD
        chars = []
        for _ in range(_WIDTH):
            value, digit = divmod(value, _BASE)
            chars.append(_ALPHABET[digit])
        return self.prefix + "".join(reversed(chars))

    def decode(self, text: str) -> int | None:
        """The index an id stands for, or None if it is not one of ours."""
        if not text.startswith(self.prefix) or len(text) != len(self.prefix) + _WIDTH:
            return None
        value = 0
        for ch in text[len(self.prefix) :]:
            digit = _INDEX.get(ch)
            if digit is None:
                return None
            value = value * _BASE + digit
        index: int = ((value - self._add) * self._inv) % _MOD
        return index


_B64_TO_ALNUM = bytes.maketrans(b"+/", b"Qx")


def random_id(rng: random.Random, prefix: str) -> str:
    """A throw-away id (messages, tasks, mailboxes) drawn from the caller's generator.

    One ``getrandbits`` call and a base-64 encoding: pages of 100 conversations draw
    hundreds of these, and ``rng.choices`` per character was the generator's hot spot.
    """
    raw = base64.b64encode(rng.getrandbits(104).to_bytes(13, "big")).translate(_B64_TO_ALNUM)
    return prefix + "_" + raw[:_WIDTH].decode("ascii")
