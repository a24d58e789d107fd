"""The shared cache (REDIS_URL): one client per connection pool, reused by every call."""

import uuid

from django.core.cache.backends.redis import RedisCacheClient

from apps.core.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/0"


def test_it_reuses_one_client_for_every_call():
    cache = RedisCache(REDIS, {})
    first = cache._cache.get_client()
    assert cache._cache.get_client() is first
    assert cache._cache.get_client(write=True) is first  # one server: reads and writes share it
    assert isinstance(cache._cache, RedisCacheClient)


def test_it_stores_and_reads_through_redis():
    cache = RedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("a", {"x": 1}, 30)
    cache.set_many({"b": 2, "c": "three"}, 30)
    assert cache.get("a") == {"x": 1}
    assert cache.get_many(["a", "b", "c", "missing"]) == {"a": {"x": 1}, "b": 2, "c": "three"}
    cache.delete_many(["a", "b", "c"])
    assert cache.get("a") is None
