"""Images and video from files and bytes, the Files API, estimates, models,
balance."""

import pytest

import libkimi
from conftest import fnv1a, manifest


def test_every_format_round_trips(client, samples):
    for name, mime in manifest(samples).items():
        if mime is None:
            continue
        data = (samples / name).read_bytes()
        kind = mime.split("/")[0]
        from_path = getattr(libkimi, f"{kind}_from_path")(samples / name)
        from_bytes = getattr(libkimi, f"{kind}_from_bytes")(data)
        for part in (from_path, from_bytes):
            reply = client.chat.completions.create(messages=[{"role": "user", "content": [
                {"type": "text", "text": "what?"}, part]}])
            assert f"[{kind} {mime} {len(data)} bytes fnv1a={fnv1a(data)}]" in reply.choices[0].message.content


def test_refused_media_names_what_was_found(client, samples):
    with pytest.raises(libkimi.RequestRefusedError, match="found a PDF document"):
        client.chat.completions.create(messages=[{"role": "user", "content": [
            libkimi.image_from_path(samples / "document.pdf")]}])
    with pytest.raises(libkimi.RequestRefusedError, match="Kimi does not accept http"):
        client.chat.completions.create(messages=[{"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}])


def test_media_part_as_a_plain_dict(samples):
    part = libkimi.image_from_path(samples / "png-named.jpg").to_dict()
    assert part["image_url"]["url"].startswith("data:image/png;base64,iVBOR")


def test_files_api(client, samples):
    progress = []
    uploaded = client.files.create(file=samples / "video.mp4", purpose="video",
                                   on_progress=lambda sent, total: progress.append((sent, total)))
    assert uploaded.purpose == "video" and uploaded.filename == "video.mp4"
    assert progress and progress[-1][0] == progress[-1][1]
    assert client.files.retrieve(uploaded.id).bytes == uploaded.bytes
    assert uploaded.id in [f.id for f in client.files.list()]
    reply = client.chat.completions.create(messages=[{"role": "user", "content": [
        {"type": "video_url", "video_url": {"url": f"ms://{uploaded.id}"}}]}])
    assert f"[video ms://{uploaded.id} video/mp4" in reply.choices[0].message.content
    assert client.files.delete(uploaded.id).deleted
    with pytest.raises(libkimi.NotFoundError):
        client.files.retrieve(uploaded.id)

    doc = client.files.create(file=("notes.txt", b"The launch is on Tuesday.\n"), purpose="file-extract")
    assert client.files.content(doc.id).text == "The launch is on Tuesday.\n"
    client.files.delete(doc.id)


def test_upload_cancel_and_callback_exceptions(client, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (2 << 20))
    with pytest.raises(libkimi.StreamAborted):
        client.files.create(file=big, purpose="file-extract", on_progress=lambda sent, total: False)

    def explode(sent, total):
        raise ValueError("progress bar broke")

    with pytest.raises(ValueError, match="progress bar broke"):
        client.files.create(file=big, purpose="file-extract", on_progress=explode)


def test_estimate_models_balance(client, samples):
    assert client.estimate_tokens(messages=[{"role": "user", "content": "How many tokens is this?"}]) == 8
    with_image = client.estimate_tokens(messages=[{"role": "user", "content": [
        "How many tokens is this?", libkimi.image_from_path(samples / "image.png")]}])
    assert with_image == 8 + 85
    models = client.models.list()
    k26 = next(m for m in models if m.id == "kimi-k2.6")
    assert (k26.context_length, k26.supports_image_in, k26.supports_video_in) == (262144, True, True)
    balance = client.balance()
    assert round(balance.available_balance, 5) == 49.58894


def test_files_list_follows_the_pages(client):
    """The mock pages like OpenAI when asked (X-Mock-Page-Size); files.list()
    walks every page through the library's iterator."""
    made = [client.files.create(file=(f"page-{i}.txt", b"text"), purpose="file-extract") for i in range(5)]
    try:
        everything = client.files.list()
        paged = client.files.list(extra_headers={"X-Mock-Page-Size": "2"})
        assert [f.id for f in paged] == [f.id for f in everything]
        assert {f.id for f in made} <= {f.id for f in paged}
    finally:
        for f in made:
            client.files.delete(f.id)


def test_content_and_download_piece_by_piece(client, tmp_path):
    """The mock's file-big-<N> is N bytes, byte i being i % 256;
    file-cut-<N> stops halfway."""
    target = tmp_path / "content.bin"
    progress = []
    assert client.files.download("file-big-5000000", target,
                                 on_progress=lambda received, total: progress.append((received, total))) == 5000000
    data = target.read_bytes()
    assert len(data) == 5000000 and data[:256] == bytes(range(256)) and data[-1] == 4999999 % 256
    assert progress[-1] == (5000000, 5000000) and len(progress) > 1
    assert client.files.content("file-big-300").content == bytes(range(256)) + bytes(range(44))
    with pytest.raises(libkimi.StreamAborted):
        client.files.download("file-big-1000000", target, on_progress=lambda received, total: False)
    with pytest.raises(libkimi.IncompleteStreamError, match=r"was cut after \d+ of 2000000 bytes") as cut:
        client.files.download("file-cut-2000000", target)
    assert "file-cut-2000000" in str(cut.value)
    assert 0 < target.stat().st_size < 2000000  # what arrived is kept
    with pytest.raises(libkimi.NotFoundError):
        client.files.download("file-missing", target)
