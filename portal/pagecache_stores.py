"""Where the page cache keeps its entries: `Entry` (a kept response and how it is stored),
`LocalStore` (this process's memory, least recently used dropped first) and `RedisStore`
(shared by every process and machine when `CACHE_URL` is set). The middleware that decides
what to keep and when to replay it is `portal.pagecache`.
"""

from __future__ import annotations

import json
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass

from portal import clock


def _now() -> float:
    """Now as a POSIX timestamp, on the app's clock (portal.clock)."""
    return clock.now().timestamp()


@dataclass
class Entry:
    version: str
    expires: float
    max_age: int
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    def dump(self) -> bytes:
        head = json.dumps([self.version, self.expires, self.max_age, self.status, self.headers],
                          ensure_ascii=False).encode()
        return struct.pack("!I", len(head)) + head + self.body

    @classmethod
    def load(cls, raw: bytes) -> Entry | None:
        try:
            (length,) = struct.unpack_from("!I", raw)
            version, expires, max_age, status, headers = json.loads(raw[4:4 + length])
            return cls(str(version), float(expires), int(max_age), str(status),
                       [(str(k), str(v)) for k, v in headers], raw[4 + length:])
        except (struct.error, ValueError, TypeError):
            return None


class LocalStore:
    """Entries in this process's memory, least recently used dropped beyond `max_bytes`."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, key: str, entry: Entry) -> None:
        if entry.size() > self.max_bytes // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size()
            self._entries[key] = entry
            self._bytes += entry.size()
            while self._bytes > self.max_bytes and self._entries:
                _key, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size()

    def delete(self, key: str) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old.size()


class RedisStore:
    """Entries in Redis, shared by every app process; each expires with its page."""

    PREFIX = "zg:page:"

    def __init__(self, url: str) -> None:
        import redis  # the client is loaded only where a Redis page cache is configured

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> Entry | None:
        try:
            raw = self._redis.get(self.PREFIX + key)
        except Exception:  # noqa: BLE001 - a cache that cannot answer is a miss
            return None
        return Entry.load(raw) if raw else None

    def set(self, key: str, entry: Entry) -> None:
        ttl = int(entry.expires - _now())
        if ttl < 1:
            return
        try:
            self._redis.set(self.PREFIX + key, entry.dump(), ex=ttl)
        except Exception:  # noqa: BLE001 - a cache that cannot keep is only slower
            return


# Set a township's version unless Redis already holds a newer one (a later commit's): two
# commits whose notes arrive out of order never leave the older version in place.
_SET_UNLESS_NEWER = """
local current = redis.call('GET', KEYS[1])
if current then
  local n = tonumber(string.match(current, '^(%d+)@'))
  if n and n > tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


class Unavailable(Exception):
    """Redis did not answer: the database says which version is current."""


class RedisVersions:
    """Each township's current data version in Redis, so that a replay needs no database.

    Set after every commit that changes a township (`publish`), read on every replay (`get`),
    filled from the database when missing (`fill`). Every key lives `seconds` only: a change
    made behind the app's back (SQL by hand, a restored database) or a note lost while Redis
    was unreachable is seen within that bound, when the key is read again from the database.
    """

    PREFIX = "zg:ver:"

    def __init__(self, url: str, seconds: int) -> None:
        import redis  # the client is loaded only where a Redis page cache is configured

        self.seconds = seconds
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._set = self._redis.register_script(_SET_UNLESS_NEWER)

    def get(self, code: str) -> str | None:
        """The version Redis holds (None when it holds none); raises Unavailable."""
        try:
            raw = self._redis.get(self.PREFIX + code)
        except Exception as error:  # noqa: BLE001 - any failure: ask the database
            raise Unavailable from error
        return raw.decode() if raw else None

    def fill(self, code: str, version: str) -> None:
        """Keep the version just read from the database, unless a commit set one meanwhile."""
        try:
            self._redis.set(self.PREFIX + code, version, ex=self.seconds, nx=True)
        except Exception:  # noqa: BLE001 - the next replay asks the database again
            return

    def publish(self, versions: list[tuple[str, int, str]]) -> bool:
        """Set the versions a commit made: (code, data_version, version string) each."""
        try:
            pipe = self._redis.pipeline(transaction=False)
            for code, number, version in versions:
                self._set(keys=[self.PREFIX + code], args=[version, number, self.seconds],
                          client=pipe)
            pipe.execute()
        except Exception:  # noqa: BLE001 - dropped instead: replays ask the database
            return self.forget([code for code, _n, _v in versions])
        return True

    def forget(self, codes: list[str]) -> bool:
        try:
            if codes:
                self._redis.delete(*(self.PREFIX + code for code in codes))
        except Exception:  # noqa: BLE001 - Redis is away: its keys end within `seconds`
            return False
        return True
