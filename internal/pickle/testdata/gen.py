"""Writes the pickles internal/pickle's tests read, with Debian's Python:

    cd internal/pickle/testdata && /usr/bin/python3 gen.py

ok/NAME.pN.pkl are sessions as Django stores them (pickle.dumps of the
dict at protocol N, as django-redis and Django's RedisCache call it);
refused/NAME.pkl are pickles the decoder must refuse. The Go tests hold
what each ok/ file must decode to; these files are also the fuzz seeds.
"""
import collections
import datetime
import decimal
import os
import pickle

import pytz

tz = datetime.timezone


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


shared = [1, "x"]
recursive = []
recursive.append(recursive)
selfdict = {}
selfdict["me"] = selfdict
name = "a repeated string"

ok = {
    "login": {
        "_auth_user_id": "1",
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": "8f14e45fceea167a5a36dedd4bea2543b2f1b8f0c9d6a3c4b5e6f7a8b9c0d1e2",
        "_messages": '[["__json_message",0,25,"Bienvenue, Zo\\u00eb"]]',
    },
    "types": {
        "s": "Zoë é 😀 \u2028", "i": 42, "neg": -7, "i16": 65535, "i32": -2**31,
        "big": 2**70, "nbig": -2**70, "u64": 2**64 - 1, "i64min": -2**63, "i64max": 2**63 - 1,
        "f": 1.5, "f1": 1.0, "tiny": -3.25e-07, "yes": True, "no": False, "none": None,
        "l": [1, [2, [3, {"deep": "ü"}]]], "tu": (1, "a"), "tu0": (), "tu5": (1, 2, 3, 4, 5),
        "d": {"x": {"y": []}, "a": 0}, "empty": "",
    },
    "empty": {},
    "expiry_pytz": {"_session_expiry": datetime.datetime(2026, 12, 7, 18, 0, 0, 123456, tzinfo=pytz.utc), "a": 1},
    "expiry_utc": {"_session_expiry": datetime.datetime(2026, 12, 7, 18, 0, 0, tzinfo=tz.utc)},
    "expiry_offset": {"_session_expiry": datetime.datetime(2026, 1, 1, 23, 59, 59, 1, tzinfo=tz(datetime.timedelta(hours=-5, minutes=-30)))},
    "expiry_naive": {"_session_expiry": datetime.datetime(2000, 2, 29, 12, 0)},
    "shared": {"a": shared, "b": shared, "c": name, "d": [name, name], "e": (shared, shared)},
    "large": {"text": "é" * 33000, "list": list(range(3000)), "huge": 2**10000, "nhuge": -(2**10000) - 1},
}

refused = {
    "reduce_os_system": {"x": Evil()},
    "ordereddict": {"x": collections.OrderedDict(a=1)},
    "decimal": {"x": decimal.Decimal("1.5")},
    "set": {"x": {1, 2}},
    "frozenset": {"x": frozenset([1])},
    "bytes": {"x": b"raw"},
    "bytearray": {"x": bytearray(b"raw")},
    "int_key": {"x": {1: "a"}},
    "tuple_key": {"x": {(1, 2): "a"}},
    "datetime_nested": {"x": [datetime.datetime(2026, 1, 1)]},
    "date": {"_session_expiry": datetime.date(2026, 1, 1)},
    "timedelta": {"x": datetime.timedelta(1)},
    "pytz_paris": {"_session_expiry": pytz.timezone("Europe/Paris").localize(datetime.datetime(2026, 1, 1))},
    "recursive_list": {"x": recursive},
    "recursive_dict": selfdict,
    "top_list": [1, 2],
    "top_str": "x",
    "complex": {"x": 1j},
    "surrogate": {"x": "\ud800"},
}

os.makedirs("ok", exist_ok=True)
os.makedirs("refused", exist_ok=True)
for name, value in ok.items():
    # "large" crosses protocol 4's 64 KiB frames; two protocols are enough.
    for proto in (2, 4) if name == "large" else (2, 3, 4, 5):
        with open("ok/%s.p%d.pkl" % (name, proto), "wb") as f:
            f.write(pickle.dumps(value, proto))
for name, value in refused.items():
    with open("refused/%s.pkl" % name, "wb") as f:
        f.write(pickle.dumps(value, 4))
for proto in (0, 1):
    with open("refused/protocol%d.pkl" % proto, "wb") as f:
        f.write(pickle.dumps(ok["login"], proto))
