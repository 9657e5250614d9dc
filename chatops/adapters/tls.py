"""Custom CA bundles (SSL_CERT_FILE / REQUESTS_CA_BUNDLE) for every connection."""

from __future__ import annotations

import ssl
from functools import cache


@cache
def ssl_context(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """A verifying SSL context for httpx-based clients (True: the default trust store)."""
    if not ca_bundle:
        return True
    return ssl.create_default_context(cafile=ca_bundle)


def requests_verify(ca_bundle: str | None) -> str | bool:
    """The `verify` value for requests-based clients."""
    return ca_bundle or True
