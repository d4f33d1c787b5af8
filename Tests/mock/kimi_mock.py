#!/usr/bin/env python3
"""A local mock of the Kimi API for tests, the demo and benchmarks.

    python3 Tests/mock/kimi_mock.py --port 0

prints "PORT <n>" on its first line, then serves on 127.0.0.1 until killed.
Standard library only. See mockkimi/scenario.py for the scenarios a request
can ask for, and mockkimi/chat.py for the deterministic replies.
"""

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mockkimi import batches, chat, files, http, media, scenario as scen  # noqa: E402
from mockkimi.validation import MODELS, APIError, validate_chat  # noqa: E402

request_ids = itertools.count(1)


def check_auth(request):
    """Bearer auth in Kimi's 401 shapes. Keys starting with sk-bad are
    invalid; keys starting with sk-cn- belong to the other region."""
    header = request.header("authorization")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise APIError(401, "invalid_authentication_error", "Invalid Authentication")
    key = header[7:].strip()
    if key.startswith("sk-bad"):
        raise APIError(401, "invalid_authentication_error", "Invalid Authentication")
    if key.startswith("sk-cn-"):
        raise APIError(401, "incorrect_api_key_error", "Incorrect API key provided")


async def chat_completions(request, response, headers):
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIError(400, "invalid_request_error", f"Invalid request: body is not valid JSON: {exc}")
    if not isinstance(body, dict):
        raise APIError(400, "invalid_request_error", "Invalid request: body must be a JSON object")
    s, text = scen.extract(body, request.header("x-mock-scenario"))
    key = s.get("key")
    s = scen.count(s)
    with scen.in_flight(key):
        await answer_chat(request, response, headers, body, s, text)


async def answer_chat(request, response, headers, body, s, text):
    if s.get("drop"):
        response.abort()
        return
    auth = request.header("authorization") or ""
    if s.get("echo_auth") == "fields":  # the key and control characters in every field of an error
        nasty = auth + "\n\x1b[2J\x1b]0;pwned\x07\u009b31m\x7f"
        raise APIError(400, nasty, "rejected " + nasty, nasty, request_id=nasty)
    if s.get("echo_auth") == "header":  # the key in the request id of a good answer
        headers = [h for h in headers if h[0].lower() != "x-request-id"] + [("X-Request-Id", auth + "\x1b[1m")]
    elif s.get("echo_auth"):  # a careless server that quotes the key back
        raise APIError(400, "invalid_request_error", f"rejected header Authorization: {auth}")
    if s.get("redirect"):
        await response.send(307, b"", headers=headers + [("Location", s["redirect"])])
        return
    if s.int("stall_ms") and not s.int("stall_after"):
        await asyncio.sleep(s.int("stall_ms") / 1000)
    if s.int("html"):
        page = f"<html><head><title>{s.int('html')} Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
        await response.send(s.int("html"), page, content_type="text/html", headers=headers)
        return
    if s.int("empty"):
        await response.send(s.int("empty"), b"", content_type="application/json", headers=headers)
        return
    if s.get("garbage"):
        await response.send(200, b"\x00\x01 this is not json \xff", content_type="application/json", headers=headers)
        return
    error = chat.scripted_error(s)
    if error:
        raise error
    validate_chat(body)
    notes = check_media(body)
    for name in str(s.get("show_header", "")).split(","):
        if name and name is not True:
            notes.append(f"{name}={request.header(name, '(none)')}")
    if s.get("show_query"):
        notes.append(f"query={request.query or '(none)'}")
    headers = headers + chat.response_headers(s)
    await chat.respond(body, s, text, response, notes, headers)


def check_media(body):
    """Decodes every media part (400 in Kimi's shape when one is bad) and
    describes what arrived: kind, MIME type, size and FNV-1a digest."""
    notes = []
    for kind, url in media.media_parts(body):
        try:
            mime, data, where = media.decode_part(kind, url, files.store)
        except ValueError as exc:
            raise APIError(400, "invalid_request_error", str(exc))
        source = "" if where == "inline" else f"{where} "
        notes.append(f"{kind} {source}{mime} {len(data)} bytes fnv1a={media.fnv1a(data)}")
    return notes


async def estimate_tokens(request, response, headers):
    try:
        body = request.json()
    except ValueError:
        raise APIError(400, "invalid_request_error", "Invalid request: body is not valid JSON")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise APIError(400, "invalid_request_error", "Invalid request: messages must be a non-empty array")
    if body.get("model") not in MODELS:
        raise APIError(404, "resource_not_found_error", f"Not found the model {body.get('model')} or Permission denied")
    total = chat.prompt_tokens(body)
    for kind, url in media.media_parts(body):
        try:
            _, data, _ = media.decode_part(kind, url, files.store)
        except ValueError as exc:
            raise APIError(400, "invalid_request_error", str(exc))
        total += (85 if kind == "image" else 500) + len(data) // 1000
    await response.send_json(200, {"data": {"total_tokens": total}}, headers=headers)


async def mock_count(request, response, headers):
    key = request.path.rsplit("/", 1)[-1]
    await response.send_json(200, {"key": key, "count": scen.counts[key], "active": scen.active[key],
                                   "peak": scen.peak[key]}, headers=headers)


async def balance(request, response, headers):
    await response.send_json(200, {"code": 0, "data": {"available_balance": 49.58894, "voucher_balance": 46.58893,
                                                       "cash_balance": 3.00001}, "scode": "0x0", "status": True},
                             headers=headers)


async def models(request, response, headers):
    data = [dict(id=name, object="model", created=chat.CREATED, owned_by="moonshot", **caps) for name, caps in MODELS.items()]
    await response.send_json(200, {"object": "list", "data": data}, headers=headers)


async def model(request, response, headers):
    """GET /v1/models/{id}: one model (openai-python's models.retrieve)."""
    name = request.path.split("/", 3)[3]
    if name not in MODELS:
        raise APIError(404, "resource_not_found_error", f"Not found the model {name} or Permission denied")
    await response.send_json(200, dict(id=name, object="model", created=chat.CREATED, owned_by="moonshot",
                                       **MODELS[name]), headers=headers)


ROUTES = {
    ("POST", "/v1/chat/completions"): chat_completions,
    ("GET", "/v1/models"): models,
    ("POST", "/v1/tokenizers/estimate-token-count"): estimate_tokens,
    ("GET", "/v1/users/me/balance"): balance,
}


#: The headers and query of the latest API request (GET /mock/last tells).
last_request = {"headers": {}, "query": ""}


async def handle(request, response):
    headers = [("X-Request-Id", f"req-mock-{next(request_ids)}")]
    if request.body is None:
        await response.send_json(413, APIError(413, "invalid_request_error", "Request body too large").body(), headers=headers)
        return
    if request.method == "GET" and request.path.startswith("/mock/count/"):
        await mock_count(request, response, headers)
        return
    if request.method == "GET" and request.path == "/mock/last":
        await response.send_json(200, last_request, headers=headers)
        return
    last_request["headers"] = dict(request.headers)
    last_request["query"] = request.query
    # Any route can be slowed down with the scenario header (chat reads its own).
    stall = scen.parse(request.header("x-mock-scenario")).int("stall_ms")
    if stall and request.path != "/v1/chat/completions":
        await asyncio.sleep(stall / 1000)
    if request.method == "GET" and request.path.startswith("/v1/models/") and request.path.count("/") == 3:
        route = model
    else:
        route = None
    route = (route or ROUTES.get((request.method, request.path)) or files.route(request.method, request.path)
             or batches.route(request.method, request.path))
    try:
        if route is None:
            raise APIError(404, "resource_not_found_error", f"Not found: {request.method} {request.path}")
        check_auth(request)
        await route(request, response, headers)
    except APIError as error:
        if response.started:
            raise
        await response.send_json(error.status, error.body(), headers=headers + error.headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="serve HTTPS with this certificate")
    args = parser.parse_args()
    context = None
    if args.tls:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)

    async def run():
        server = await http.serve(handle, args.host, args.port, context)
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # A test server keeps nothing worth saving: stop at once, quietly.
            loop.add_signal_handler(sig, os._exit, 0)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


if __name__ == "__main__":
    main()
