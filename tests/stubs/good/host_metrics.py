"""Reads each host's memory figures and the time they were last updated."""
from __future__ import annotations

import datetime
from xmlrpc.client import DateTime

import XenAPI


def updated(value: DateTime) -> datetime.datetime:
    """A DateTime as the server sends it (UTC, `YYYYMMDDTHH:MM:SSZ`)."""
    return datetime.datetime.strptime(value.value, "%Y%m%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def run(session: XenAPI.Session) -> None:
    x = session.xenapi
    for host in x.host.get_all():
        metrics = x.host.get_metrics(host)
        rec = x.host_metrics.get_record(metrics)
        total, free = int(rec["memory_total"]), int(rec["memory_free"])
        assert 0 <= free <= total
        assert rec["live"] is True
        assert updated(rec["last_updated"]).year >= 1970
        assert x.host_metrics.get_memory_total(metrics) == rec["memory_total"]
        cpus = x.host.get_host_CPUs(host)
        assert all(isinstance(x.host_cpu.get_number(c), str) for c in cpus)
