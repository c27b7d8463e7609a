"""Talks to xapi over its Unix socket, as plugins and scripts on a host do:
`xapi_local()` there, or a session over any socket path elsewhere."""
from __future__ import annotations

import XenAPI


def over_socket(path: str) -> XenAPI.Session:
    """A session over the Unix socket at `path`: the module reads the
    socket's path from the URL's host, with `_` standing for `/`."""
    if "_" in path:
        raise ValueError("the module cannot reach a socket whose path holds `_`: " + path)
    return XenAPI.Session("http://" + path.replace("/", "_") + "/", transport=XenAPI.UDSTransport())


def on_this_host() -> XenAPI.Session:
    """What a plugin running on a host uses."""
    return XenAPI.xapi_local()


def run(session: XenAPI.Session) -> None:
    # The version of the API the pool's master speaks, as "major.minor".
    major, minor = session.API_version.split(".")
    assert int(major) >= 2 and int(minor) >= 0
    assert isinstance(on_this_host(), XenAPI.Session)
