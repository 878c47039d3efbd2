"""The public limits count across web processes: two servers share one counter (the
cache is the database's), so a client cannot get the limit again from another worker."""
import urllib.error
import urllib.request

from tests.fixtures.browser import web_process


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_limit_reached_on_one_web_process_holds_on_another(transactional_db):
    with web_process(TRACK_RATE="3/min") as first, web_process(TRACK_RATE="3/min") as second:
        answers = [_status(f"{server}/api/v1/track/NO-SUCH-CASE/") for server in (first, second, first, second)]
    assert answers[:3] == [404, 404, 404]
    assert answers[3] == 429
