"""One client from many threads; a client in a child after fork()."""

import multiprocessing
import os
import threading

import libkimi
from conftest import user


def test_eight_threads_share_one_client(client):
    results = {}
    errors = []

    def work(n):
        try:
            for i in range(10):
                text = f"thread {n} call {i}"
                if i % 2:
                    with client.chat.completions.create(messages=user(text), stream=True) as stream:
                        results[(n, i)] = stream.text()
                else:
                    results[(n, i)] = client.chat.completions.create(messages=user(text)).choices[0].message.content
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == {(n, i): f"You said: thread {n} call {i}" for n in range(8) for i in range(10)}


def _child(url, queue):
    with libkimi.Client(api_key="sk-child", base_url=url) as child:
        queue.put(child.chat.completions.create(messages=user("from the child")).choices[0].message.content)


def test_fork_child_makes_its_own_client(client, mock_url):
    client.chat.completions.create(messages=user("warm the parent's connection"))
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            with libkimi.Client(api_key="sk-child", base_url=mock_url) as child:
                answer = child.chat.completions.create(messages=user("forked")).choices[0].message.content
            os.write(write, answer.encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 100).decode() == "You said: forked"
    assert status == 0
    # The parent's client still works after the child exited.
    assert client.chat.completions.create(messages=user("parent")).choices[0].message.content == "You said: parent"


def test_multiprocessing_with_fork(mock_url):
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(mock_url, queue))
    process.start()
    process.join(30)
    assert process.exitcode == 0
    assert queue.get(timeout=5) == "You said: from the child"


def test_handles_are_freed_once(mock_url):
    c = libkimi.Client(api_key="sk", base_url=mock_url)
    c.close()
    c.close()
    try:
        c.chat.completions.create(messages=user("x"))
    except ValueError as exc:
        assert "closed" in str(exc)
    else:
        raise AssertionError("a closed client must refuse calls")
