"""Repository credentials encrypted at rest (Fernet: AES-128-CBC with an HMAC).

The key comes from the environment: ADROIT_SECRET_KEY, or SECRET_KEY when that is unset,
stretched to a Fernet key with SHA-256. A database dump alone never gives the token away.
Changing the key makes stored credentials unreadable: the repository page then asks for them
again instead of failing obscurely.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class CredentialUnreadable(Exception):
    """The stored credential was encrypted with another key."""


def _fernet() -> Fernet:
    secret = settings.ADROIT_SECRET_KEY.encode()
    digest = hashlib.sha256(b"adroit git credentials\x00" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialUnreadable(
            "The stored credential cannot be decrypted (did ADROIT_SECRET_KEY change?): "
            "enter it again."
        ) from None
