"""How django-axes finds the client's address (AXES_IPWARE_* settings, read by
django-ipware), from the number of our reverse proxies in front of the app. Plain
Python: config/settings.py calls it."""
from __future__ import annotations


def axes_ipware_settings(trusted_proxies: int) -> dict[str, object]:
    """No proxy: REMOTE_ADDR, and X-Forwarded-For is ignored (any client can send one).
    ``trusted_proxies`` proxies, each appending the address it was reached from to
    X-Forwarded-For (nginx: ``$proxy_add_x_forwarded_for``): the entry the outermost of
    ours appended — the ``trusted_proxies``-th from the right. Entries a client forges come
    before it and are not read. A request without the header (not through the proxies)
    falls back to REMOTE_ADDR."""
    if trusted_proxies <= 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",), "AXES_IPWARE_PROXY_COUNT": None}
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_ORDER": "left-most",
        # ipware counts the proxies after the client's entry: our outermost proxy's own
        # entry is the client's.
        "AXES_IPWARE_PROXY_COUNT": trusted_proxies - 1,
        # Not strict: a chain lengthened by forged entries still yields our proxy's entry.
        "IPWARE_STRICT": False,
    }
