"""Wire encoding for XML-RPC and JSON-RPC, and the conversions from wire
values to typed Python values used by the generated code."""

from __future__ import annotations

import datetime as _dt
import json
import math
import xml.parsers.expat
import xmlrpc.client
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TypeVar
from xml.sax.saxutils import escape as _escape

from .errors import ProtocolError, error_from_description

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


# --- XML-RPC -----------------------------------------------------------------


def _xml_value(v: object, out: List[str]) -> None:
    if isinstance(v, str):
        out.append("<value><string>")
        out.append(_escape(v))
        out.append("</string></value>")
    elif isinstance(v, bool):
        out.append("<value><boolean>1</boolean></value>" if v else "<value><boolean>0</boolean></value>")
    elif isinstance(v, int):
        # XenAPI carries 64-bit ints as decimal strings.
        out.append("<value><string>%d</string></value>" % v)
    elif isinstance(v, float):
        out.append("<value><double>%s</double></value>" % _float_text(v))
    elif isinstance(v, _dt.datetime):
        out.append("<value><dateTime.iso8601>%s</dateTime.iso8601></value>" % format_datetime(v))
    elif isinstance(v, Mapping):
        out.append("<value><struct>")
        for k, x in v.items():
            out.append("<member><name>")
            out.append(_escape(k if isinstance(k, str) else str(k)))
            out.append("</name>")
            _xml_value(x, out)
            out.append("</member>")
        out.append("</struct></value>")
    elif isinstance(v, (list, tuple, set, frozenset)):
        out.append("<value><array><data>")
        for x in v:
            _xml_value(x, out)
        out.append("</data></array></value>")
    elif v is None:
        out.append("<value><string></string></value>")
    else:
        raise TypeError("cannot send a value of type %s" % type(v).__name__)


def _float_text(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


def xml_call(method: str, params: Sequence[object]) -> bytes:
    out = ["<?xml version=\"1.0\"?><methodCall><methodName>", _escape(method), "</methodName><params>"]
    for p in params:
        out.append("<param>")
        _xml_value(p, out)
        out.append("</param>")
    out.append("</params></methodCall>")
    return "".join(out).encode("utf-8")


def xml_value(v: object) -> str:
    """A value as an XML-RPC ``<value>`` element."""
    out: List[str] = []
    _xml_value(v, out)
    return "".join(out)


def _xml_loads(body: bytes) -> Any:
    try:
        # expat reads bytes directly (and detects the encoding itself).
        parser, unmarshaller = xmlrpc.client.getparser()
        parser.feed(body)
        parser.close()
        params = unmarshaller.close()
    except xmlrpc.client.Fault as e:
        raise ProtocolError("the server answered with an XML-RPC fault %s: %s" % (e.faultCode, e.faultString)) from None
    except (xml.parsers.expat.ExpatError, ValueError, TypeError, IndexError) as e:
        raise ProtocolError("the server's reply is not valid XML-RPC: %s" % e) from None
    if len(params) != 1:
        raise ProtocolError("the server's reply holds %d values instead of one" % len(params))
    return params[0]


def xml_result(body: bytes) -> Any:
    """The ``Value`` of a reply, or the typed error it carries."""
    return _unwrap(_xml_loads(body))


def xml_decode_value(text: str) -> Any:
    """Decodes a lone ``<value>`` element (as a task's result holds it)."""
    if not text.strip():
        return ""
    doc = "<?xml version=\"1.0\"?><methodResponse><params><param>%s</param></params></methodResponse>" % text
    return _xml_loads(doc.encode("utf-8"))


def _unwrap(reply: Any) -> Any:
    if not isinstance(reply, dict):
        raise ProtocolError("the server's reply is not a struct")
    status = reply.get("Status")
    if status == "Success":
        return reply.get("Value", "")
    if status == "Failure":
        desc = reply.get("ErrorDescription")
        if isinstance(desc, list):
            if not desc or not isinstance(desc[0], str):
                raise ProtocolError("the server's error description has no code: %s" % _clip(desc))
            raise error_from_description([str(x) for x in desc])
        if isinstance(desc, str):
            raise error_from_description([desc])
        raise ProtocolError("the server's error description is not a list: %s" % _clip(desc))
    raise ProtocolError("the server's reply has no valid Status (%r)" % (status,))


# --- JSON-RPC ----------------------------------------------------------------


def _json_default(v: object) -> object:
    if isinstance(v, _dt.datetime):
        return format_datetime(v)
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    raise TypeError("cannot send a value of type %s" % type(v).__name__)


def json_call(method: str, params: Sequence[object], call_id: int, version: str) -> bytes:
    msg: Dict[str, object] = {"method": method, "params": list(params), "id": call_id}
    if version == "2.0":
        msg["jsonrpc"] = "2.0"
    return json.dumps(msg, default=_json_default, allow_nan=False).encode("utf-8")


def json_result(body: bytes) -> Any:
    try:
        reply = json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise ProtocolError("the server's reply is not valid JSON: %s" % e) from None
    if not isinstance(reply, dict):
        raise ProtocolError("the server's reply is not a JSON object")
    err = reply.get("error")
    if err is not None:
        raise _json_error(err)
    if "result" not in reply:
        raise ProtocolError("the server's reply has neither result nor error")
    return reply["result"]


def _json_error(err: object) -> Exception:
    """The error a reply's ``error`` member stands for. A 1.0 list (code
    first), a 2.0 object (code in ``message``, parameters in ``data``, a
    single value counting as one) and a bare code are API errors; anything
    without a string code is a :class:`ProtocolError`."""
    if isinstance(err, list):
        if not err or not isinstance(err[0], str):
            return ProtocolError("the server's error list has no code: %s" % _clip(err))
        return error_from_description([_param_text(x) for x in err])
    if isinstance(err, dict):
        code = err.get("message")
        if not isinstance(code, str):
            return ProtocolError("the server's error object has no string message: %s" % _clip(err))
        data = err.get("data")
        items = data if isinstance(data, list) else ([] if data is None else [data])
        return error_from_description([code] + [_param_text(x) for x in items])
    if isinstance(err, str):
        return error_from_description([err])
    return ProtocolError("the server's error is of unexpected type: %s" % _clip(err))


def _param_text(x: object) -> str:
    return x if isinstance(x, str) else json.dumps(x)


def _clip(v: object) -> str:
    text = repr(v)
    return text if len(text) <= 200 else text[:200] + "..."


# --- Conversions to typed values ---------------------------------------------


class DecodeError(ProtocolError):
    """A value in a reply does not have the type the API says."""


def to_str(v: object) -> str:
    if type(v) is str:
        return v
    if isinstance(v, str):
        return str(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    raise DecodeError("expected a string, got %s" % type(v).__name__)


def to_int(v: object) -> int:
    if type(v) is int:
        return v
    try:
        if isinstance(v, str):
            return int(v)
        if isinstance(v, float) and v.is_integer():
            return int(v)
    except ValueError:
        pass
    raise DecodeError("expected an int, got %r" % (v,))


_FLOAT_WORDS = {"nan": math.nan, "infinity": math.inf, "+infinity": math.inf, "-infinity": -math.inf, "inf": math.inf, "-inf": -math.inf}


def to_float(v: object) -> float:
    if type(v) is float:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        word = _FLOAT_WORDS.get(v.strip().lower())
        if word is not None:
            return word
        try:
            return float(v)
        except ValueError:
            pass
    raise DecodeError("expected a float, got %r" % (v,))


def to_bool(v: object) -> bool:
    if type(v) is bool:
        return v
    if isinstance(v, str) and v.lower() in ("true", "1", "false", "0"):
        return v.lower() in ("true", "1")
    if isinstance(v, int):
        return v != 0
    raise DecodeError("expected a bool, got %r" % (v,))


def parse_datetime(text: str) -> _dt.datetime:
    """Reads every form servers send: ``20240420T12:00:00Z``, without the
    ``Z``, ISO 8601 with dashes, and seconds since the epoch."""
    s = text.strip()
    try:
        return _EPOCH + _dt.timedelta(seconds=float(s))
    except ValueError:
        pass
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    if len(s) >= 8 and s[:8].isdigit() and (len(s) == 8 or s[8] == "T"):
        s = "%s-%s-%s%s" % (s[:4], s[4:6], s[6:8], s[8:])
    try:
        d = _dt.datetime.fromisoformat(s)
    except ValueError:
        raise DecodeError("not a date and time: %r" % (text,)) from None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d


def to_datetime(v: object) -> _dt.datetime:
    if isinstance(v, _dt.datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=_dt.timezone.utc)
    if isinstance(v, xmlrpc.client.DateTime):
        return parse_datetime(v.value)
    if isinstance(v, str):
        return parse_datetime(v)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return _EPOCH + _dt.timedelta(seconds=v)
    raise DecodeError("expected a date and time, got %r" % (v,))


def format_datetime(d: _dt.datetime) -> str:
    if d.tzinfo is not None:
        d = d.astimezone(_dt.timezone.utc)
    return d.strftime("%Y%m%dT%H:%M:%SZ")


def to_list(v: object) -> List[Any]:
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    if v == "":
        return []
    raise DecodeError("expected a list, got %s" % type(v).__name__)


def to_dict(v: object) -> Dict[Any, Any]:
    if isinstance(v, dict):
        return v
    if v == "" or v == [] or v == ():
        return {}
    raise DecodeError("expected a struct, got %s" % type(v).__name__)


def to_strs(v: object) -> List[str]:
    items = to_list(v)
    if all(type(x) is str for x in items):
        return items
    return [to_str(x) for x in items]


def to_str_map(v: object) -> Dict[str, str]:
    d = to_dict(v)
    if all(type(x) is str for x in d.values()):
        return d
    return {to_str(k): to_str(x) for k, x in d.items()}


def list_of(conv: Callable[[object], T]) -> Callable[[object], List[T]]:
    def f(v: object) -> List[T]:
        return [conv(x) for x in to_list(v)]

    return f


def dict_of(kconv: Callable[[object], K], vconv: Callable[[object], V]) -> Callable[[object], Dict[K, V]]:
    def f(v: object) -> Dict[K, V]:
        return {kconv(k): vconv(x) for k, x in to_dict(v).items()}

    return f


def optional(conv: Callable[[object], T]) -> Callable[[object], Optional[T]]:
    def f(v: object) -> Optional[T]:
        if v is None or v == "" or v == []:
            return None
        return conv(v)

    return f


def to_void(v: object) -> None:
    return None


def to_any_dict(v: object) -> Dict[str, Any]:
    return {to_str(k): x for k, x in to_dict(v).items()}


