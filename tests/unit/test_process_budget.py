"""A TikTok shop's request budget is shared by every client of that shop in one process."""

from __future__ import annotations

import threading

from feedbridge.http.ratelimit import SharedBucket, process_budget
from feedbridge.tiktok.client import TikTokClient


def test_callers_past_the_burst_are_given_later_turns() -> None:
    bucket = SharedBucket(rate=10, burst=1)
    waits = [bucket.reserve() for _ in range(3)]
    assert waits[0] == 0
    assert 0 < waits[1] < waits[2]
    assert abs(waits[2] - 0.2) < 0.05


def test_threads_reserving_together_get_distinct_turns() -> None:
    bucket = SharedBucket(rate=100, burst=1)
    waits: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(25):
            wait = bucket.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 100 reservations at 100/s with a burst of 1: the last turn is about a second away, none shares a slot.
    assert len(waits) == 100
    assert max(waits) > 0.9


def test_two_clients_of_one_shop_share_one_budget() -> None:
    first = TikTokClient("http://tts.test", "key", "secret-123", access_token="tok-1", shop_cipher="CIPHER-A")
    second = TikTokClient("http://tts.test", "key", "secret-123", access_token="tok-2", shop_cipher="CIPHER-A")
    other = TikTokClient("http://tts.test", "key", "secret-123", access_token="tok-3", shop_cipher="CIPHER-B")
    assert first._limits is second._limits
    assert first._limits is not other._limits


def test_process_budget_is_per_scope_and_rate() -> None:
    assert process_budget("a", 50) is process_budget("a", 50)
    assert process_budget("a", 50) is not process_budget("a", 10)
    assert process_budget("a", 50) is not process_budget("b", 50)
