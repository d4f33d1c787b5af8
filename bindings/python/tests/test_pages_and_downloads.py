"""Lists that page by themselves (openai-python's has_next_page(),
get_next_page(), iter_pages(), `for x in page` over every page, sync and
async), models.retrieve, and file content taken as it arrives
(files.with_streaming_response.content), against the mock and against
servers whose paging or downloads lie."""

import asyncio
import tracemalloc

import pytest

import libkimi
from conftest import user

PAGED = {"X-Mock-Page-Size": "2"}


@pytest.fixture(scope="module")
def batches(mock_url, tmp_path_factory):
    """Five batches on the mock (newest first in its listings)."""
    path = tmp_path_factory.mktemp("pages") / "one.jsonl"
    path.write_text('{"custom_id": "a", "method": "POST", "url": "/v1/chat/completions", "body": '
                    '{"model": "kimi-k2.6", "messages": [{"role": "user", "content": "x"}]}}\n')
    with libkimi.Client(api_key="sk-test", base_url=mock_url) as client:
        return [client.batches.submit(path).id for _ in range(5)]


def test_batch_pages_walk_on_by_themselves(client, batches):
    page = client.batches.list(limit=2)
    assert len(page.data) == 2 and page.has_next_page()
    second = page.get_next_page()
    assert second.data[0].id != page.data[0].id and isinstance(second, libkimi.types.BatchPage)
    pages = list(page.iter_pages())
    assert pages[0] is page and len(pages) >= 3 and not pages[-1].has_next_page()
    every = [b.id for b in page]
    assert every == [b.id for p in pages for b in p.data] == [b.id for b in client.batches.list(limit=100)]
    assert set(batches) <= set(every) and len(every) == len(set(every))
    with pytest.raises(RuntimeError, match="has_next_page"):
        pages[-1].get_next_page()


def test_async_batch_pages(mock_url, batches):
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            page = await client.batches.list(limit=2)
            second = await page.get_next_page()
            pages = [p async for p in page.iter_pages()]
            every = [b.id async for b in page]
            assert [b.id async for b in client.batches.list(limit=2)] == every  # awaitable and async-iterable
            assert [m.id async for m in client.models.list()] == [m.id for m in (await client.models.list()).data]
            with pytest.raises(TypeError, match="async for"):
                list(page)
            return page, second, pages, every
    page, second, pages, every = asyncio.run(main())
    assert second.data[0].id == pages[1].data[0].id and len(pages) >= 3
    assert every == [b.id for p in pages for b in p.data] and set(batches) <= set(every)


def test_files_list_is_every_page_already(client):
    for n in range(3):
        client.files.create(file=(f"p{n}.txt", b"x"), purpose="file-extract")
    page = client.files.list(extra_headers=PAGED)  # the C library walked the server's pages
    assert len(page.data) >= 3 and not page.has_next_page()
    assert list(page.iter_pages()) == [page] and [f.id for f in page] == [f.id for f in page.data]


@pytest.mark.parametrize("how", ["repeat", "cycle", "emptymore", "badid"])
def test_hostile_paging_ends_with_an_error_not_a_loop(hostile_url, how):
    with libkimi.Client(api_key="sk-test", base_url=f"{hostile_url}/pages/{how}/v1", max_retries=0) as client:
        page = client.batches.list(limit=2)
        # A cursor that is no id is refused before it is sent back (a RequestRefusedError naming `after`).
        expected = libkimi.RequestRefusedError if how == "badid" else libkimi.APIResponseValidationError
        with pytest.raises(expected, match="instead of looping|after: "):
            list(page.iter_pages())
        with pytest.raises(expected):
            list(page)
        with pytest.raises(libkimi.OpenAIError):
            client.files.list()


def test_endless_paging_stops_at_the_limit(hostile_url):
    with libkimi.Client(api_key="sk-test", base_url=f"{hostile_url}/pages/endless/v1", max_retries=0) as client:
        walked = 0
        with pytest.raises(libkimi.APIResponseValidationError, match="more than 100,000"):
            for _ in client.batches.list(limit=100):
                walked += 1
        assert walked == 101_000 - 1000 or 100_000 <= walked <= 101_000


def test_models_retrieve(client, mock_url):
    """GET /v1/models/{id}, as openai-python: the server's 404 for an id
    the key cannot use, with its status and response; an id that is no id
    is refused before sending, naming it."""
    model = client.models.retrieve("kimi-k2.6")
    assert (model.id, model.object, model.owned_by, model.context_length) == ("kimi-k2.6", "model", "moonshot", 262144)
    assert model.created > 0 and model.supports_reasoning is True
    assert model == next(m for m in client.models.list() if m.id == "kimi-k2.6")
    with pytest.raises(libkimi.NotFoundError, match="kimi-k9") as info:
        client.models.retrieve("kimi-k9")
    assert info.value.status_code == 404 and info.value.response.status_code == 404
    assert info.value.type == "resource_not_found_error" and info.value.param is None
    for hostile in ("../x", "a?b", "a/b", "", "m" * 300):
        with pytest.raises(libkimi.RequestRefusedError, match="model_id") as refused:
            client.models.retrieve(hostile)
        assert isinstance(refused.value, ValueError) and refused.value.param == "model_id"
    with pytest.raises(libkimi.RequestRefusedError, match="NUL") as refused:
        client.models.retrieve("kimi-k2.6\0x")
    assert refused.value.param == "model"

    async def run():
        async with libkimi.AsyncClient(api_key="sk-test", base_url=mock_url) as aclient:
            found = await aclient.models.retrieve("moonshot-v1-8k")
            assert (found.id, found.context_length, found.supports_image_in) == ("moonshot-v1-8k", 8192, False)
            with pytest.raises(libkimi.NotFoundError) as missing:
                await aclient.models.retrieve("kimi-k9")
            assert missing.value.status_code == 404
    asyncio.run(run())


def test_content_streams_without_holding_the_file(client, tmp_path):
    size = 48 << 20
    tracemalloc.start()
    try:
        with client.files.with_streaming_response.content(f"file-big-{size}") as response:
            total = 0
            for piece in response.iter_bytes(chunk_size=1 << 20):
                assert len(piece) == 1 << 20 or total + len(piece) == size
                total += len(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == size
    assert peak < 8 << 20, peak  # pieces pass through; the file is never whole in memory
    target = tmp_path / "big.bin"
    with client.files.with_streaming_response.content(f"file-big-{1 << 20}") as response:
        response.stream_to_file(target)
    data = target.read_bytes()
    assert len(data) == 1 << 20 and data[:256] == bytes(range(256))


def test_a_streamed_download_cut_midway(client, tmp_path):
    target = tmp_path / "cut.bin"
    with client.files.with_streaming_response.content(f"file-cut-{4 << 20}") as response:
        with pytest.raises(libkimi.APIConnectionError) as info:
            response.stream_to_file(target)
    assert isinstance(info.value, libkimi.IncompleteStreamError)
    assert 0 < target.stat().st_size < 4 << 20  # what came stays
    with pytest.raises(libkimi.NotFoundError):
        with client.files.with_streaming_response.content("file-missing"):
            pass  # refused on entering, as openai-python's


def test_file_content_is_bytes(client, tmp_path):
    uploaded = client.files.create(file=("n.txt", "héllo".encode()), purpose="file-extract")
    content = client.files.content(uploaded.id)
    assert content.content == content.read() == bytes(content) == "héllo".encode()
    assert content.text == "héllo" and b"".join(content.iter_bytes(2)) == content.content
    content.write_to_file(tmp_path / "n.txt")
    assert (tmp_path / "n.txt").read_bytes() == content.content


def test_async_streamed_content(mock_url, tmp_path):
    async def main():
        async with libkimi.AsyncOpenAI(api_key="sk-test", base_url=mock_url) as client:
            async with client.files.with_streaming_response.content(f"file-big-{3 << 20}") as response:
                sizes = [len(p) async for p in response.iter_bytes(chunk_size=1 << 20)]
            async with client.files.with_streaming_response.content(f"file-big-{1000}") as response:
                await response.stream_to_file(tmp_path / "a.bin")
            async with client.files.with_streaming_response.content(f"file-cut-{1 << 20}") as response:
                with pytest.raises(libkimi.IncompleteStreamError):
                    await response.read()
            return sizes
    assert asyncio.run(main()) == [1 << 20] * 3
    assert (tmp_path / "a.bin").read_bytes() == bytes(range(256)) * 3 + bytes(range(232))
