"""POST /v1/chat/completions: deterministic replies, streamed or whole.

The answer to a user text T is "You said: T"; with thinking on (the K2.6
default) it is preceded by the reasoning 'The user said "T".'. Streams send
one piece (a word and its trailing space) per chunk: a role chunk, the
reasoning pieces, the answer pieces, a finish chunk carrying Kimi's
choices[0].usage, the include_usage chunk when asked for, then [DONE].

Token counts: prompt_tokens = words in all message texts + 3 per message;
completion_tokens = reasoning pieces + answer pieces.
"""

import asyncio
import email.utils
import hashlib
import json
import re
import time

from . import scenario as scen
from .validation import APIError, thinking_enabled

CREATED = 1700000000
PIECE = re.compile(r"\s*\S+\s*|\s+")
UNICODE_REPLY = "Grüße aus Zürich, 世界 🌍 — ok"
MIXED_PIECE = "Grüße 世界 🌍 "


def pieces(text):
    return PIECE.findall(text) if text else []


def prompt_tokens(body):
    total = 0
    for message in body.get("messages") or []:
        if isinstance(message, dict):
            total += len(scen.message_text(message).split()) + 3
    return total


class Reply:
    """What the model 'says' to one request, per choice."""

    def __init__(self, body, scenario, text, media_notes=()):
        self.body = body
        self.scenario = scenario
        self.media_notes = list(media_notes)
        self.model = body.get("model")
        self.thinking = thinking_enabled(body)
        n = body.get("n") or 1
        self.prefix = partial_prefix(body)
        self.tool_plan, self.tool_results = plan_tools(body, scenario)
        self.choices = [self._choice(text, i) for i in range(n)]
        self.prompt_tokens = scenario.int("prompt_tokens") or prompt_tokens(body)
        digest = hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest()
        self.id = "cmpl-" + digest[:24]
        long_ids = scenario.int("long_ids")
        if long_ids:  # a server whose id and model names are long (queue storage tests)
            self.id = (self.id + "-" + "i" * long_ids)[:long_ids]
            self.model = (str(self.model) + "-" + "m" * long_ids)[:long_ids]

    def _choice(self, text, index):
        s = self.scenario
        if s.int("chunks") is not None and s.get("mixed"):
            content = [MIXED_PIECE] * (s.int("chunks") // 2)
        elif s.int("chunks") is not None:
            content = ["tok "] * s.int("chunks")
        elif s.get("unicode"):
            content = pieces(UNICODE_REPLY)
        elif isinstance(self.body.get("response_format"), dict) and \
                self.body["response_format"].get("type") == "json_schema":
            # Structured output: a document that follows the schema.
            schema = (self.body["response_format"].get("json_schema") or {}).get("schema") or {}
            content = pieces(json.dumps(sample(schema, schema), separators=(",", ":")))
        else:
            answer = s.text("reply") or f"You said: {text}"
            answer += "".join(f" [{note}]" for note in self.media_notes)
            if index > 0:
                answer += f" (choice {index})"
            content = pieces(answer)
        if s.int("reasoning_chunks") is not None:
            reasoning = ["think "] * s.int("reasoning_chunks")
        elif self.thinking:
            reasoning = pieces(f'The user said "{text}".')
        else:
            reasoning = []
        finish = "stop"
        calls = []
        if s.get("calls"):
            names = [n for n in str(s["calls"]).split(",") if n]
            calls = [{"id": f"functions.{name}:{i}", "name": name,
                      "arguments": json.dumps({"city": "Paris", "n": i}, separators=(",", ":"))}
                     for i, name in enumerate(names)]
            content = []
            finish = "tool_calls"
        elif index == 0 and self.tool_plan is not None:
            calls = self.tool_plan
            content = []
            finish = "tool_calls"
            reasoning = pieces(f"I should call {', '.join(c['name'] for c in calls)}.") if self.thinking else []
        elif index == 0 and self.tool_results:
            content = pieces("Tool results: " + "; ".join(f"{n}={v}" for n, v in self.tool_results))
        if s.get("mixed") and s.int("chunks"):
            # Non-ASCII answer pieces, then one call whose arguments arrive
            # in as many 6-character pieces.
            pieces_wanted = s.int("chunks") - len(content)
            arguments = '{"q":"' + "ä" * (6 * pieces_wanted - 8) + '"}'
            calls = [{"id": "functions.search:0", "name": "search", "arguments": arguments}]
            finish = "tool_calls"
        prefix = self.prefix
        if prefix is not None and not calls:
            whole = "".join(content)
            content = pieces(whole[len(prefix):] if whole.startswith(prefix) else " " + whole)
        if s.get("finish"):
            finish = str(s["finish"])
        limit = self.body.get("max_completion_tokens") or self.body.get("max_tokens")
        if isinstance(limit, int) and limit < len(reasoning) + len(content):
            keep = max(0, limit - len(reasoning))
            reasoning = reasoning[:limit]
            content = content[:keep]
            finish = "length"
        return {"reasoning": reasoning, "content": content, "finish": finish, "calls": calls}

    def usage(self, choice):
        completion = self.scenario.int("completion_tokens") or len(choice["reasoning"]) + len(choice["content"])
        usage = {"prompt_tokens": self.prompt_tokens, "completion_tokens": completion,
                 "total_tokens": self.prompt_tokens + completion}
        cached = self.scenario.int("cached")
        spelling = self.scenario.text("spelling", "top")
        if cached is None:
            cached = 0
        if spelling in ("top", "both"):
            usage["cached_tokens"] = cached
        if spelling in ("details", "both"):
            usage["prompt_tokens_details"] = {"cached_tokens": cached}
        return usage

    def total_usage(self):
        usages = [self.usage(c) for c in self.choices]
        total = dict(usages[0])
        total["completion_tokens"] = sum(u["completion_tokens"] for u in usages)
        total["total_tokens"] = self.prompt_tokens + total["completion_tokens"]
        return total

    def message(self, choice):
        message = {"role": "assistant", "content": "".join(choice["content"])}
        if self.thinking or choice["reasoning"]:
            message["reasoning_content"] = "".join(choice["reasoning"])
        if choice["calls"]:
            message["tool_calls"] = [{"id": c["id"], "type": "function",
                                      "function": {"name": c["name"], "arguments": c["arguments"]}}
                                     for c in choice["calls"]]
        return message

    def completion(self):
        placement = self.scenario.text("usage", "top")
        choices = []
        for i, choice in enumerate(self.choices):
            item = {"index": i, "message": self.message(choice), "finish_reason": choice["finish"]}
            if placement in ("choice", "both"):
                item["usage"] = self.usage(choice)
            choices.append(item)
        body = {"id": self.id, "object": "chat.completion", "created": CREATED, "model": self.model, "choices": choices}
        if placement in ("top", "both"):
            body["usage"] = self.total_usage()
        if self.scenario.get("extra_fields"):
            # Fields a client may not know: openai's optional ones and a new one.
            body.update(system_fingerprint="fp-mock", service_tier="default", kimi_future_field={"a": [1, 2]})
            for item in choices:
                item["logprobs"] = None
                item["message"]["annotations"] = []
            if "usage" in body:
                body["usage"]["completion_tokens_details"] = {"reasoning_tokens": 2}
        return body


def sample(schema, root, depth=0):
    """A value that follows a JSON Schema (the first choice where there are
    several), for structured output answers."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return sample(root.get("$defs", {}).get(name, {}), root, depth + 1) if depth < 3 else None
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return sample(schema["anyOf"][0], root, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {name: sample(sub, root, depth + 1) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [sample(schema.get("items") or {}, root, depth + 1)] if depth < 4 else []
    return {"string": "text", "integer": 7, "number": 1.5, "boolean": True, "null": None}.get(kind, "text")


def partial_prefix(body):
    """The Partial Mode prefix (the last message, when partial), or None."""
    messages = body.get("messages") or []
    last = messages[-1] if messages else {}
    if last.get("role") == "assistant" and last.get("partial"):
        return scen.message_text(last)
    return None


def plan_tools(body, scenario):
    """(calls to make now, or None; [(name, result)] of the last round).

    With tools declared, the model calls them after a user message and again
    after each round of results until `tool_rounds=N` rounds (default 1) are
    done; then it answers with what the tools returned. `tools=a,b` picks
    which declared functions it calls. Ids are functions.NAME:K with K
    counting calls over the whole conversation, as Kimi's do."""
    tools = body.get("tools") or []
    if not tools or body.get("tool_choice") == "none":
        return None, []
    messages = body.get("messages") or []
    last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=-1)
    since = messages[last_user + 1:]
    rounds = sum(1 for m in since if m.get("role") == "assistant" and m.get("tool_calls"))
    issued = sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")
    results = []
    for message in reversed(since):
        if message.get("role") != "tool":
            break
        results.insert(0, (message.get("name", "?"), scen.message_text(message)))
    if any(name == "$web_search" for name, _ in results):
        check_web_search_echo(messages, None)
    if rounds >= (scenario.int("tool_rounds") or 1):
        return None, results
    wanted = [n for n in str(scenario.get("tools", "")).split(",") if n] if scenario.get("tools") else None
    calls = []
    for tool in tools:
        function = tool.get("function") or {}
        name = function.get("name", "")
        if wanted is not None and name not in wanted:
            continue
        if tool.get("type") == "builtin_function":
            arguments = {"search_result": {"search_id": f"ws-{issued + len(calls)}"}, "usage": {"total_tokens": 1200}}
        else:
            arguments = sample_arguments(function.get("parameters") or {})
        text = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
        if scenario.get("bad_args") and tool.get("type") == "function":
            text = text[:-1] + ',"oops"'  # not JSON: a model can send broken arguments
        calls.append({"id": f"functions.{name}:{issued + len(calls)}", "name": name, "arguments": text})
        if len(calls) == 3:
            break
    return (calls or None), results


def sample_arguments(schema, root=None):
    """Arguments a model might send for a JSON Schema: each property's first
    example, enum value or default, else a value of its type (objects,
    $refs to the root's $defs and the first of anyOf filled in likewise)."""
    root = root or schema
    out = {}
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            prop = (root.get("$defs") or {}).get(ref[len("#/$defs/"):]) or {}
        if isinstance(prop.get("anyOf"), list) and prop["anyOf"] and isinstance(prop["anyOf"][0], dict):
            prop = prop["anyOf"][0]
        if prop.get("properties"):
            out[name] = sample_arguments(prop, root)
        elif prop.get("examples"):
            out[name] = prop["examples"][0]
        elif prop.get("enum"):
            out[name] = prop["enum"][0]
        elif "default" in prop:
            out[name] = prop["default"]
        else:
            out[name] = {"string": name, "integer": 2, "number": 2.5, "boolean": True, "array": [],
                         "object": {}}.get(prop.get("type"), None)
    return out


def check_web_search_echo(messages, _):
    """Kimi requires a $web_search result to be the call's arguments, unchanged."""
    arguments = {call.get("id"): (call.get("function") or {}).get("arguments")
                 for m in messages for call in (m.get("tool_calls") or [])
                 if (call.get("function") or {}).get("name") == "$web_search"}
    for m in messages:
        if m.get("role") == "tool" and m.get("tool_call_id") in arguments:
            if m.get("content") != arguments[m["tool_call_id"]]:
                raise APIError(400, "invalid_request_error",
                               "the $web_search tool result must be the tool call's arguments, unchanged")


def chunk(reply, choices, usage=None):
    body = {"id": reply.id, "object": "chat.completion.chunk", "created": CREATED, "model": reply.model, "choices": choices}
    if usage is not None:
        body["usage"] = usage
    return body


def stream_chunks(reply):
    """(kind, payload) pairs: kind 'piece' marks answer pieces for the
    scenario counters; payloads are chunk objects, or the text [DONE]."""
    n = len(reply.choices)
    yield "meta", chunk(reply, [{"index": i, "delta": {"role": "assistant", "content": ""}, "finish_reason": None} for i in range(n)])
    longest = max(len(c["reasoning"]) for c in reply.choices)
    for j in range(longest):
        for i, c in enumerate(reply.choices):
            if j < len(c["reasoning"]):
                yield "meta", chunk(reply, [{"index": i, "delta": {"reasoning_content": c["reasoning"][j]}, "finish_reason": None}])
    longest = max(len(c["content"]) for c in reply.choices)
    serialized = {}  # benchmark streams repeat the same piece: format it once

    def content_chunk(i, piece):
        if reply.scenario.get("multiline"):
            return chunk(reply, [{"index": i, "delta": {"content": piece}, "finish_reason": None}])
        key = (i, piece)
        if key not in serialized:
            serialized[key] = json.dumps(chunk(reply, [{"index": i, "delta": {"content": piece}, "finish_reason": None}]),
                                         ensure_ascii=False, separators=(",", ":"))
        return serialized[key]

    for j in range(longest):
        for i, c in enumerate(reply.choices):
            if j < len(c["content"]):
                yield "piece", content_chunk(i, c["content"][j])
    for i, c in enumerate(reply.choices):
        for fragment in tool_call_fragments(c["calls"], reply.scenario):
            yield "piece", chunk(reply, [{"index": i, "delta": {"tool_calls": [fragment]}, "finish_reason": None}])
    placement = reply.scenario.text("usage", "choice")
    for i, c in enumerate(reply.choices):
        # finish_in_piece: the finish chunk also carries a last piece, so one
        # chunk makes events with text and events without.
        item = {"index": i, "delta": {"content": "!"} if reply.scenario.get("finish_in_piece") else {},
                "finish_reason": c["finish"]}
        if placement in ("choice", "both"):
            item["usage"] = reply.usage(c)
        yield "meta", chunk(reply, [item])
    include = (reply.body.get("stream_options") or {}).get("include_usage")
    if include or placement in ("top", "both"):
        yield "meta", chunk(reply, [], usage=reply.total_usage())
    yield "done", "[DONE]"


def tool_call_fragments(calls, scenario):
    """Kimi's streamed tool calls: a first fragment with index, id, type and
    name, then argument pieces of 6 bytes; interleaved across calls on ask."""
    streams = []
    for k, call in enumerate(calls):
        first = {"index": k, "id": call["id"], "type": "function",
                 "function": {"name": call["name"], "arguments": ""}}
        pieces_ = [{"index": k, "function": {"arguments": call["arguments"][p:p + 6]}}
                   for p in range(0, len(call["arguments"]), 6)]
        streams.append([first] + pieces_)
    if scenario.get("noindex"):
        for stream in streams:
            for fragment in stream:
                fragment.pop("index")
    if scenario.get("interleave"):
        longest = max((len(s) for s in streams), default=0)
        for j in range(longest):
            for stream in streams:
                if j < len(stream):
                    yield stream[j]
    else:
        for stream in streams:
            yield from stream


class SSEWriter:
    """Formats events by the scenario's framing and writes them by its
    network policy (per event, N-byte splits, or one big write)."""

    def __init__(self, response, scenario):
        self.response = response
        s = scenario
        self.eol = b"\r\n" if s.get("crlf") else b"\r" if s.get("cr") else b"\n"
        self.sep = b"data:" if s.get("nospace") else b"data: "
        self.split = s.int("split")
        self.big = bool(s.get("big"))
        self.batch = s.int("batch") or 0
        self.keepalive = bool(s.get("keepalive"))
        self.multiline = bool(s.get("multiline"))
        self.fields = bool(s.get("fields"))
        self.pending = bytearray(b"\xef\xbb\xbf" if s.get("bom") else b"")
        self.count = 0

    def format(self, payload, event=None):
        eol = self.eol
        out = bytearray()
        if self.keepalive:
            out += b": keep-alive" + eol + eol
        if event:
            out += b"event: " + event.encode() + eol
        elif self.fields:
            out += b"event: message" + eol
        if self.fields:
            out += b"id: " + str(self.count).encode() + eol + b"retry: 3000" + eol
        text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        data = text.encode()
        if self.multiline and not isinstance(payload, str):
            data = json.dumps(payload, ensure_ascii=False, indent=1).encode()
        for line in data.split(b"\n"):
            out += self.sep + line + eol
        out += eol
        self.count += 1
        return bytes(out)

    async def send(self, payload, event=None):
        self.pending += self.format(payload, event)
        if self.big or len(self.pending) < self.batch:
            return
        await self.flush()

    async def flush(self):
        data, self.pending = bytes(self.pending), bytearray()
        if not data:
            return
        if self.split:
            for k in range(0, len(data), self.split):
                self.response.write_chunk(data[k:k + self.split])
                await self.response.flush()
        else:
            self.response.write_chunk(data)
            await self.response.flush()


async def respond(body, scenario, text, response, media_notes=(), headers=()):
    reply = Reply(body, scenario, text, media_notes)
    if not body.get("stream"):
        await response.send_json(200, reply.completion(), headers=headers)
        return
    if scenario.get("json_stream"):
        await response.send_json(200, reply.completion(), headers=headers)
        return
    await response.start_stream(headers=headers)
    writer = SSEWriter(response, scenario)
    s = scenario
    delay = (s.int("delay_ms") or 0) / 1000
    answered = 0
    for kind, payload in stream_chunks(reply):
        if kind == "piece":
            if answered == s.int("cut_after"):
                await writer.flush()
                response.abort()
                return
            if answered == s.int("end_after"):
                break
            if answered == s.int("error_after"):
                await writer.send({"error": {"type": "server_error", "message": "the engine failed mid-stream"}})
                break
            if answered == s.int("bad_data_after"):
                await writer.send("{\"choices\": [ this is not json")
                break
            if answered == s.int("event_error_after"):
                await writer.send({"error": {"type": "server_error", "message": "the engine failed mid-stream"}}, event="error")
                break
            if answered == s.int("stall_after"):
                await writer.flush()
                await asyncio.sleep((s.int("stall_ms") or 1000) / 1000)
            answered += 1
            if delay:
                await asyncio.sleep(delay)
        if kind == "done" and s.get("no_done"):
            break
        await writer.send(payload)
    await writer.flush()
    await response.end_stream()


def response_headers(scenario):
    """Headers the scenario adds to its answer: rheader=Name:value,Other:v
    (an underscore in a value stands for a space)."""
    headers = []
    for pair in str(scenario.get("rheader", "")).split(","):
        if ":" in pair:
            name, _, value = pair.partition(":")
            headers.append((name, value.replace("_", " ")))
    return headers


def scripted_error(scenario):
    """An error answer the scenario asks for, or None."""
    status = scenario.int("status")
    if status is None:
        return None
    code = scenario.get("code")
    if scenario.get("code_int"):
        code = status
    headers = []
    if scenario.int("retry_after") is not None:
        headers.append(("Retry-After", str(scenario.int("retry_after"))))
    if scenario.int("retry_after_ms") is not None:
        headers.append(("retry-after-ms", str(scenario.int("retry_after_ms"))))
    if scenario.int("retry_after_date") is not None:
        # Retry-After as an HTTP-date, this many seconds from now.
        when = time.time() + scenario.int("retry_after_date")
        headers.append(("Retry-After", email.utils.formatdate(when, usegmt=True)))
    headers += response_headers(scenario)
    return APIError(status, scenario.get("type") or "invalid_request_error",
                    scenario.text("message", "scripted error"), code, headers)
