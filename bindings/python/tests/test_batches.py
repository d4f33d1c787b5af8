"""Batch input files, the batch lifecycle, results and cost accounting,
against the mock's Batch API (one state per poll)."""

import json
import threading

import pytest

import libkimi
from conftest import user


def write(path, n):
    """n requests; every 10th line fails with an API error, every 25th with
    a line error."""
    with libkimi.BatchInput(path) as batch_input:
        for i in range(1, n + 1):
            text = f"prompt {i}"
            if i % 25 == 0:
                text += " [[mock: batch_error]]"
            elif i % 10 == 0:
                text += " [[mock: status=429 type=rate_limit_reached_error message=slow_down]]"
            batch_input.add(f"req-{i}", messages=user(text), max_tokens=50)
        assert len(batch_input) == n
    return path


def test_input_writes_lines_and_refuses_bad_ones(tmp_path):
    path = tmp_path / "in.jsonl"
    batch_input = libkimi.BatchInput(path)
    batch_input.add("a", messages=user("hello"))
    with pytest.raises(libkimi.RequestRefusedError, match='line 2: custom_id "a" is already used by line 1'):
        batch_input.add("a", messages=user("again"))
    with pytest.raises(libkimi.RequestRefusedError, match="line 2: custom_id must not be empty"):
        batch_input.add("", messages=user("again"))
    with pytest.raises(libkimi.RequestRefusedError, match=r'line 2 \(custom_id "b"\): temperature'):
        batch_input.add("b", messages=user("hot"), temperature=0.2)
    batch_input.add("b", messages=user("fine"))
    assert batch_input.close() == 2
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["custom_id"] for line in lines] == ["a", "b"]
    assert lines[0]["method"] == "POST" and lines[0]["url"] == "/v1/chat/completions"
    assert lines[1]["body"]["messages"] == [{"role": "user", "content": "fine"}]


def test_input_keeps_the_batch_rules(client, tmp_path):
    """One model per file, a model the Batch API serves, no sampling fields;
    the upload is named .jsonl (the mock, as Kimi, refuses other names)."""
    path = tmp_path / "jobs.txt"
    with libkimi.BatchInput(path) as batch_input:
        with pytest.raises(libkimi.RequestRefusedError, match='Batch API does not serve "moonshot-v1-8k"; '
                                                          'it runs kimi-k2.6 and kimi-k2.5'):
            batch_input.add("a", model="moonshot-v1-8k", messages=user("hello"))
        batch_input.add("a", messages=user("hello"), temperature=1.0, top_p=0.95)
        with pytest.raises(libkimi.RequestRefusedError, match='model: "kimi-k2.5", but the lines before are for '
                                                          '"kimi-k2.6"'):
            batch_input.add("b", model="kimi-k2.5", messages=user("hello"))
        with pytest.raises(libkimi.RequestRefusedError, match="but the lines before"):
            batch_input.add("b", messages=user("hello"), extra_body={"model": "kimi-k2.5"}, model="kimi-k2.5")
        with pytest.raises(libkimi.RequestRefusedError, match="seed: not a request field of Kimi's API reference"):
            batch_input.add("b", messages=user("hello"), seed=3)
        with pytest.raises(libkimi.RequestRefusedError, match="model: given twice"):
            batch_input.add("b", messages=user("hello"), extra_body={"model": "kimi-k2.5"})
    body = json.loads(path.read_text())["body"]
    assert "temperature" not in body and "top_p" not in body
    batch = client.batches.submit(path)
    assert client.files.retrieve(batch.input_file_id).filename == "jobs.jsonl"


def test_two_hundred_requests_come_back_by_custom_id(client, tmp_path):
    path = write(tmp_path / "200.jsonl", 200)
    batch = client.batches.submit(path, metadata={"job": "python"})
    assert batch.status == "validating" and batch.metadata == {"job": "python"}
    seen = []
    client.batches.wait(batch, poll_interval=0.01, on_progress=lambda b: seen.append(
        (b.status, b.request_counts.completed + b.request_counts.failed)))
    assert batch.status == "completed" and batch.is_final
    assert [s for s, _ in seen][-1] == "completed" and len(seen) >= 4
    assert [done for _, done in seen] == sorted(done for _, done in seen)
    assert batch.request_counts.total == 200 and batch.request_counts.failed == 24
    assert batch.completed_at and batch.output_file_id and batch.error_file_id

    before = client.usage.responses
    results = {r.custom_id: r for r in client.batches.results(batch)}
    assert sorted(results) == sorted(f"req-{i}" for i in range(1, 201))
    for i in range(1, 201):
        r = results[f"req-{i}"]
        if i % 25 == 0:
            assert not r.ok and r.status_code == 0 and "request_failed" in r.error
        elif i % 10 == 0:
            assert not r.ok and r.status_code == 429 and "slow down" in r.error
        else:
            assert r.ok and r.status_code == 200 and r.error is None
            assert r.response.choices[0].message.content == f"You said: prompt {i}"
            assert r.response.cost_usd > 0
    assert client.usage.responses - before == 176
    # Reading again counts nothing twice.
    assert sum(1 for _ in client.batches.results(batch.id)) == 200
    assert client.usage.responses - before == 176


def test_stopping_early(client, tmp_path):
    path = write(tmp_path / "10.jsonl", 10)
    batch = client.batches.submit(path, completion_window="3d")
    client.batches.wait(batch, poll_interval=0.01, on_progress=lambda b: False)
    assert batch.status == "in_progress"
    client.batches.wait(batch, poll_interval=0.01)
    results = client.batches.results(batch)
    first = [next(results) for _ in range(3)]
    results.close()  # the reader thread stops with it
    assert len({r.custom_id for r in first}) == 3
    assert not [t for t in threading.enumerate() if t.name == "libkimi-batch-results"]


def test_cancel_list_and_retrieve(client, tmp_path):
    path = write(tmp_path / "4.jsonl", 4)
    batch = client.batches.submit(path)
    client.batches.cancel(batch)
    assert batch.status == "cancelling"
    client.batches.wait(batch, poll_interval=0.01)
    assert batch.status == "cancelled" and batch.cancelled_at
    with pytest.raises(libkimi.RequestRefusedError, match="is cancelled; only a validating, in_progress or finalizing"):
        client.batches.cancel(batch)
    page = client.batches.list(limit=1)
    assert len(page) == 1 and page.has_more and page[0].id == batch.id and page.last_id == batch.id
    assert page[0].status == "cancelled"
    assert client.batches.list(after=page.last_id, limit=100)[0].id != batch.id
    # Iterating a page goes on through the pages after it (the library's iterator).
    every = [b.id for b in client.batches.list(limit=1)]
    assert every[0] == batch.id and len(every) == len(set(every)) >= 2
    assert every == [b.id for b in client.batches.list(limit=100)]
    assert client.batches.retrieve(batch.id).id == batch.id
    with pytest.raises(libkimi.NotFoundError):
        client.batches.retrieve("batch_missing")


def test_limits_are_checked_before_any_request(tmp_path):
    path = write(tmp_path / "1.jsonl", 1)
    with libkimi.Client(api_key="sk-test", base_url="http://127.0.0.1:1/v1", max_retries=0) as offline:
        with pytest.raises(libkimi.RequestRefusedError, match="Kimi accepts 12h to 7d"):
            offline.batches.submit(path, completion_window="30d")
        with pytest.raises(libkimi.RequestRefusedError, match="17 pairs; Kimi accepts at most 16"):
            offline.batches.submit(path, metadata={f"k{i}": "v" for i in range(17)})
        with pytest.raises(libkimi.RequestRefusedError, match="at most 512"):
            offline.batches.create(input_file_id="file-x", metadata={"k": "v" * 513})
        with pytest.raises(libkimi.APIConnectionError):
            offline.batches.submit(path, completion_window="12h")


def test_cost_and_usage(mock_url):
    messages = user("[[mock: prompt_tokens=1000000 cached=400000 completion_tokens=100000]] hi")
    with libkimi.Client(api_key="sk-test", base_url=mock_url) as client:
        reply = client.chat.completions.create(messages=messages)
        assert reply.cost_usd == pytest.approx(0.72, abs=1e-12)
        with client.chat.completions.create(messages=messages, stream=True) as stream:
            for _ in stream:
                pass
        usage = client.usage
        assert (usage.prompt_tokens, usage.cached_tokens, usage.completion_tokens, usage.responses) == \
            (2_000_000, 800_000, 200_000, 2)
        assert usage.cost_usd == pytest.approx(1.44, abs=1e-12)
        client.reset_usage()
        assert client.usage.responses == 0
    with libkimi.Client(api_key="sk-test", base_url=mock_url, pricing=(1.0, 0.5, 2.0)) as priced:
        assert priced.chat.completions.create(messages=messages).cost_usd == pytest.approx(1.0)
    with pytest.raises(libkimi.RequestRefusedError, match="input price"):
        libkimi.Client(api_key="sk-test", base_url=mock_url, pricing={"input": -1, "cached_input": 0, "output": 0})
