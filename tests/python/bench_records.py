"""Typed records against plain xmlrpc.client, on the same bytes.

Builds the XML-RPC reply of ``VM.get_all_records`` for 1,000 fully
populated VMs (every field present), then times, on that one reply:

  * ``xmlrpc.client.loads`` alone (what the ``XenAPI`` module does), and
  * the generated package's full path: parse, unwrap, build typed records.

Run: python3 tests/python/bench_records.py  (from the repository root)
"""

from __future__ import annotations

import dataclasses
import datetime
import statistics
import sys
import time
import xmlrpc.client
from pathlib import Path
from typing import Any, Callable, Dict

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "generated" / "python" / "src"))

from xenapi_client import _wire, records  # noqa: E402
from xenapi_client.enums import ApiEnum  # noqa: E402


def sample(ann: str, i: int, name: str) -> Any:
    """A realistic wire value for a field annotation."""
    if ann == "str":
        return "%s value %d of a fairly ordinary length" % (name, i)
    if ann == "int":
        return str(1024 * 1024 * (i + 1))
    if ann == "float":
        return 1.5 + i
    if ann == "bool":
        return i % 2 == 0
    if ann == "datetime.datetime":
        return datetime.datetime(2024, 4, 20, 12, 0, i % 60)
    if ann.endswith("Ref"):
        return "OpaqueRef:%08d-1111-2222-3333-%012d" % (i, i)
    if ann.startswith("List["):
        inner = ann[5:-1]
        return [sample(inner, i * 10 + k, name) for k in range(3)]
    if ann.startswith("Dict["):
        k_ann, v_ann = ann[5:-1].split(", ", 1)
        return {str(sample(k_ann, i * 10 + k, name)): sample(v_ann, i * 10 + k, name) for k in range(4)}
    if ann.startswith("Optional["):
        return sample(ann[9:-1], i, name)
    enum_cls = getattr(sys.modules["xenapi_client.enums"], ann, None)
    if isinstance(enum_cls, type) and issubclass(enum_cls, ApiEnum):
        members = list(enum_cls)
        return members[i % len(members)].value
    raise ValueError(ann)


def build_reply(n: int) -> bytes:
    fields = dataclasses.fields(records.VmRecord)
    vms: Dict[str, Dict[str, Any]] = {}
    for i in range(n):
        rec = {}
        for f in fields:
            wire = f.metadata.get("wire", f.name)
            rec[wire] = sample(str(f.type), i, wire)
        vms["OpaqueRef:vm-%06d" % i] = rec
    body = "<?xml version=\"1.0\"?><methodResponse><params><param>%s</param></params></methodResponse>" % _wire.xml_value(
        {"Status": "Success", "Value": vms}
    )
    return body.encode("utf-8")


def median_time(f: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    body = build_reply(1000)
    conv = records.conv_dict_VmRef_VmRecord
    typed = conv(_wire.xml_result(body))
    assert len(typed) == 1000 and isinstance(next(iter(typed.values())), records.VmRecord)
    # Interleave the two so that load from other processes hits both alike.
    loads_times, typed_times = [], []
    for _ in range(7):
        loads_times.append(median_time(lambda: xmlrpc.client.loads(body), 1))
        typed_times.append(median_time(lambda: conv(_wire.xml_result(body)), 1))
    t_loads, t_typed = statistics.median(loads_times), statistics.median(typed_times)
    runs = 7
    value = _wire.xml_result(body)
    t_build = median_time(lambda: conv(value), runs)
    mb = len(body) / 1e6
    print("reply: %.1f MB, 1000 VMs, %d fields each" % (mb, len(dataclasses.fields(records.VmRecord))))
    print("xmlrpc.client.loads alone:        %7.1f ms" % (t_loads * 1e3))
    print("typed records, parse + build:     %7.1f ms" % (t_typed * 1e3))
    print("  of which building the records:  %7.1f ms" % (t_build * 1e3))
    print("ratio typed / loads alone: %.2fx (target: at most 1.5x)" % (t_typed / t_loads))


if __name__ == "__main__":
    main()
