"""Referral codes (*Vermittlungscodes*): the only identifier a provider ever sees.

Short and easy to read aloud or type from paper: eight characters from an alphabet without the
look-alikes 0/O and 1/I, grouped ``XXXX-XXXX``, plus a check character (Luhn mod N) that catches
every single mistyped character and most swaps of neighbours.
"""

from __future__ import annotations

import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BODY_LENGTH = 8


def check_character(body: str) -> str:
    """Luhn mod N over ``body`` (characters of :data:`ALPHABET`)."""
    base = len(ALPHABET)
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * ALPHABET.index(char)
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def new_referral_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return f"{body[:4]}-{body[4:]}-{check_character(body)}"


def normalised_referral_code(code: str) -> str:
    """As typed from paper: any case, spaces, hyphens anywhere or none — the canonical form
    when the characters fit, else the input upper-cased (which then fails validation)."""
    compact = "".join(char for char in code.upper() if char not in " -")
    if len(compact) != BODY_LENGTH + 1:
        return code.upper()
    return f"{compact[:4]}-{compact[4:8]}-{compact[8]}"


def is_valid_referral_code(code: str) -> bool:
    parts = code.upper().split("-")
    if len(parts) != 3 or [len(part) for part in parts] != [4, 4, 1]:
        return False
    body, check = parts[0] + parts[1], parts[2]
    if any(char not in ALPHABET for char in body + check):
        return False
    return check_character(body) == check
