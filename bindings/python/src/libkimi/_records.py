"""Records (kimi.h, "Records"): a stream's chunks, many per call into C, as
compact bytes. This is the one reader of the format: the sync Stream and
the asyncio pump both turn records into openai-shaped ChatCompletionChunk
objects here, and a task's other events (progress, data, result lines, its
end) into Event tuples.

A record is a 16-byte header (size, type, part count, the task's user data)
and its parts; a part is a 16-byte header (event type, choice, index, two
lengths) and its bytes. The library writes every record whole inside the
bytes it reports, so slicing never reaches past them; struct.unpack_from
raises rather than reading beyond a buffer in any case."""

from __future__ import annotations

import struct

from .types.chat.chat_completion import ChatCompletion, ChatCompletionMessageToolCall, Function
from .types.chat.chat_completion_chunk import (ChatCompletionChunk, ChoiceDelta, ChoiceDeltaToolCall,
                                               ChoiceDeltaToolCallFunction, ChunkChoice)
from .types.completion_usage import CompletionUsage, PromptTokensDetails
from .types.stream_event import StreamEvent

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Type, Union

    Meta = Tuple[str, int, str]
    Item = Union[ChatCompletionChunk, "Event"]

EVENTS, COMPLETION, RESPONSE = 1, 2, 3
ROLE, REASONING, CONTENT, TOOL_START, TOOL_DELTA, TOOL_DONE, USAGE, FINISH, DONE, END, PROGRESS, DATA, RESULT = \
    range(1, 14)
EVENT_NAMES = {ROLE: "role", REASONING: "reasoning", CONTENT: "content", TOOL_START: "tool_call_start",
               TOOL_DELTA: "tool_call_delta", TOOL_DONE: "tool_call_done", USAGE: "usage", FINISH: "finish",
               DONE: "done", END: "end", PROGRESS: "progress", DATA: "data", RESULT: "result"}

#: A record's header and its first part's header, read in one call: the
#: common record (one content, reasoning or arguments piece) needs no other.
#: The padding byte and the second length are skipped ("x"): unpacking
#: fewer values is a few percent of the hot loop.
HEAD = struct.Struct("=IHHQBxhiI4x")
PART = struct.Struct("=BBhiII")
HEAD_SIZE = 16
PART_SIZE = 16
NUMBERS2 = struct.Struct("=2q")
NUMBERS4 = struct.Struct("=4q")
COMPLETION_HEAD = struct.Struct("=qII")
#: KIMI_RESPONSE_RECORDS_WHOLE: the records hold the whole JSON.
WHOLE = 1

#: Bytes of records one read takes at most, a stream's or a queue's (a
#: larger record grows the reader's buffer): some thousands of chunks, about
#: what one network read of a fast stream brings.
RECORDS_BUFFER = 64 << 10

#: Bytes of records a stream decodes before handing their chunks on: a few
#: dozen chunks, whose objects (4 to 7 each) stay under the garbage
#: collector's 700 new objects, so it does not run while a stream is read;
#: decoding a whole read's thousand chunks first made it run, promote and
#: scan them (15 % of a stream's Python time). The densest records (40
#: bytes: a tool-call piece of up to 8 bytes, 7 objects) give 77 chunks,
#: 539 objects; 4 KiB would be 721.
DECODE_SLICE = 3 << 10

#: A chunk's id, creation time and model before the stream said them.
NO_META: Meta = ("", 0, "")


def decode(data: bytes, metas: Dict[int, Meta], into: Callable[[int], List[Item]], pos: int = 0,
           stop: int = 1 << 62) -> int:
    """Appends the items of a buffer of records, in order, to the lists
    `into(user data)` gives: a ChatCompletionChunk for each chat chunk, an
    Event for each other event of a task (its END included). `into` is
    asked once per run of records of one task (the library writes a task's
    records together), so a reader of many tasks routes each item without a
    second pass. `metas` maps a record's user data to its stream's (id,
    created, model), kept up to date from COMPLETION records.

    This is the hot loop of every Python stream: a record holding one piece
    of text (nearly all of them) is read with one struct call and made into
    its chunk here; the others go through chunk_of.

    Reads the records from byte `pos` until one ends at or past `stop`
    (each is read whole); returns where it stopped."""
    head = HEAD.unpack_from
    new = object.__new__  # the one-piece chunks are built here field by field: a call to each __init__ costs more
    last_user, meta = -1, NO_META
    unset: List[Item] = []
    append = unset.append  # replaced at the first record (user data is never -1)
    end = len(data)
    stop = min(stop, end)
    while pos < stop:
        size, kind, count, user, part, choice, index, n1 = head(data, pos)
        if not 32 <= size <= end - pos:  # the library writes whole records: never follow one that is not
            raise _corrupt(size, pos, end)
        if user != last_user:
            last_user, meta, append = user, metas.get(user, NO_META), into(user).append
        if count == 1 and kind == EVENTS and (part == CONTENT or part == REASONING or part == TOOL_DELTA or part == ROLE):
            text = data[pos + 32:pos + 32 + n1].decode()
            delta = new(ChoiceDelta)
            delta.role = None
            if part == CONTENT:
                delta.content = text
                delta.reasoning_content = None
                delta.tool_calls = None
            elif part == REASONING:
                delta.content = None
                delta.reasoning_content = text
                delta.tool_calls = None
            elif part == ROLE:  # a stream's first chunk
                role: Any = text  # a wire value: a checker sees openai's Literal
                delta.role = role
                delta.content = None
                delta.reasoning_content = None
                delta.tool_calls = None
            else:
                delta.content = None
                delta.reasoning_content = None
                function = new(ChoiceDeltaToolCallFunction)
                function.name = None
                function.arguments = text
                call = new(ChoiceDeltaToolCall)
                call.index = index
                call.id = None
                call.type = None
                call.function = function
                delta.tool_calls = [call]
            chunk_choice = new(ChunkChoice)
            chunk_choice.index = choice
            chunk_choice.delta = delta
            chunk_choice.finish_reason = None
            piece = new(ChatCompletionChunk)
            piece.id, piece.created, piece.model = meta
            piece.choices = [chunk_choice]
            piece.usage = None
            append(piece)
        elif kind == COMPLETION:
            meta = metas[user] = completion_meta(data, pos)
        elif count == 1 and part == DONE and kind == EVENTS:
            pass  # [DONE]: no chunk (chunk_of would give None)
        elif kind == EVENTS:
            if part >= END:  # a task's own events come one per record
                append(task_event(data, pos + HEAD_SIZE))
            else:
                chunk = chunk_of(data, pos, count, meta)
                if chunk is not None:
                    append(chunk)
        pos += size
    return pos


def _corrupt(size: int, pos: int, end: int) -> Exception:
    from ._errors import APIResponseValidationError
    return APIResponseValidationError(f"a record of {size} bytes at byte {pos} of {end}: the records from the "
                                      "library are corrupt (please report it)")


def completion_meta(data: bytes, pos: int) -> Meta:
    """(id, created, model) of the COMPLETION record at `pos`."""
    created, id_len, model_len = COMPLETION_HEAD.unpack_from(data, pos + HEAD_SIZE)
    start = pos + HEAD_SIZE + 16
    return (data[start:start + id_len].decode(), created,
            data[start + id_len:start + id_len + model_len].decode())


def usage_of(data: bytes, at: int) -> CompletionUsage:
    prompt, completion, total, cached = NUMBERS4.unpack_from(data, at)
    return CompletionUsage(prompt if prompt >= 0 else None, completion if completion >= 0 else None,
                           total if total >= 0 else None, cached if cached >= 0 else None)


def parts(data: bytes, pos: int, count: int) -> Iterator[Tuple[int, int, int, int, int, int]]:
    """(type, choice, index, first start, first length, second length) of
    each part of the EVENTS record at `pos`."""
    at = pos + HEAD_SIZE
    for _ in range(count):
        kind, _, choice, index, n1, n2 = PART.unpack_from(data, at)
        yield kind, choice, index, at + PART_SIZE, n1, n2
        at += PART_SIZE + ((n1 + n2 + 7) & -8)


def chunk_of(data: bytes, pos: int, count: int, meta: Meta) -> Optional[ChatCompletionChunk]:
    """The ChatCompletionChunk of the EVENTS record at `pos` (any parts), or
    None when it holds no choice and no usage (the [DONE] record, a task's
    end). The record's one-piece shapes are built by the readers
    themselves, faster; this is the rest (the first chunk's role, the
    finishing chunk's finish reason and usage, tool-call starts, several
    choices)."""
    choices: Dict[int, ChunkChoice] = {}
    usage: Optional[CompletionUsage] = None
    for kind, choice_index, index, at, n1, n2 in parts(data, pos, count):
        if kind == USAGE and choice_index < 0:
            usage = usage_of(data, at)
            continue
        if kind >= DONE:
            continue
        choice = choices.get(choice_index)
        if choice is None:
            choice = choices[choice_index] = ChunkChoice(choice_index, ChoiceDelta())
        delta = choice.delta
        if kind == CONTENT:
            text = data[at:at + n1].decode()
            delta.content = text if delta.content is None else delta.content + text
        elif kind == REASONING:
            text = data[at:at + n1].decode()
            delta.reasoning_content = text if delta.reasoning_content is None else delta.reasoning_content + text
        elif kind == ROLE:
            role: Any = data[at:at + n1].decode()  # a wire value: a checker sees openai's Literal
            delta.role = role
        elif kind == TOOL_START or kind == TOOL_DELTA:
            calls = delta.tool_calls
            if calls is None:
                calls = delta.tool_calls = []
            call = next((c for c in calls if c.index == index), None)
            if kind == TOOL_START:
                if call is None:
                    call = ChoiceDeltaToolCall(index, function=ChoiceDeltaToolCallFunction(arguments=""))
                    calls.append(call)
                call.id = data[at:at + n1].decode()
                call.type = "function"
                function = call.function
                if function is None:
                    function = call.function = ChoiceDeltaToolCallFunction(arguments="")
                function.name = data[at + n1:at + n1 + n2].decode()
            else:
                piece = data[at:at + n1].decode()
                if call is None:
                    calls.append(ChoiceDeltaToolCall(index, function=ChoiceDeltaToolCallFunction(arguments=piece)))
                elif call.function is None:
                    call.function = ChoiceDeltaToolCallFunction(arguments=piece)
                else:
                    call.function.arguments = (call.function.arguments or "") + piece
        elif kind == FINISH:
            reason: Any = data[at:at + n1].decode()  # a wire value: a checker sees openai's Literal
            choice.finish_reason = reason
        elif kind == USAGE:
            choice.usage = usage_of(data, at)
    if not choices and usage is None:
        return None
    return ChatCompletionChunk(meta[0], meta[1], meta[2], list(choices.values()), usage)


def stream_events(data: bytes, pos: int, count: int,
                  calls: Dict[Tuple[int, int], Tuple[str, str]]) -> List[StreamEvent]:
    """libkimi's finer StreamEvent objects of the EVENTS record at `pos`;
    `calls` remembers each tool call's id and name ({(choice, index): (id,
    name)}) for the events that follow its start."""
    out: List[StreamEvent] = []
    for kind, choice, index, at, n1, n2 in parts(data, pos, count):
        event = StreamEvent(EVENT_NAMES.get(kind, str(kind)), "", choice,
                            index if kind in (TOOL_START, TOOL_DELTA, TOOL_DONE) else -1)
        if kind in (ROLE, REASONING, CONTENT, TOOL_DELTA):
            event.text = data[at:at + n1].decode()
        if kind == TOOL_START:
            calls[choice, index] = (data[at:at + n1].decode(), data[at + n1:at + n1 + n2].decode())
        if kind in (TOOL_START, TOOL_DELTA, TOOL_DONE):
            event.tool_call_id, event.tool_call_name = calls.get((choice, index), ("", ""))
        elif kind == FINISH:
            event.finish_reason = data[at:at + n1].decode()
        elif kind == USAGE:
            event.usage = usage_of(data, at)
        out.append(event)
    return out


#: What each object read from records had as JSON members (their
#: `model_fields_set`, as objects read from the JSON record it): by which
#: optional members were there.
_MESSAGE_SETS = tuple(frozenset({"role"} | {name for bit, name in ((1, "content"), (2, "reasoning_content"),
                                                                     (4, "tool_calls")) if present & bit})
                      for present in range(8))
_CHOICE_SETS = (frozenset({"index", "message", "finish_reason"}), frozenset({"index", "message", "finish_reason", "usage"}))
_COMPLETION_SETS = (frozenset({"id", "object", "created", "model", "choices"}),
                    frozenset({"id", "object", "created", "model", "choices", "usage"}))
_USAGE_SETS = tuple(frozenset({"prompt_tokens", "completion_tokens", "total_tokens"}
                              | {name for bit, name in ((1, "cached_tokens"), (2, "prompt_tokens_details"))
                                 if spelling & bit}) for spelling in range(4))
_TOOL_CALL_SET = frozenset({"id", "type", "function"})
_FUNCTION_SET = frozenset({"name", "arguments"})
_DETAILS_SET = frozenset({"cached_tokens"})
def read_response(data: bytes, cls: Type[ChatCompletion]) -> Tuple[Optional[ChatCompletion], float, int, str, str]:
    """What kimi_chat_response_read_records wrote: (the response as `cls`
    when the records hold it whole, else None: read its JSON; its cost, its
    $web_search calls, its request id, its Partial Mode prefix).

    The objects are what `cls.from_json` makes of the same JSON, field for
    field (which members were set included; a field left unset reads as
    None, as in stream chunks), built here directly: reading the JSON again
    cost more than the rest of a small request's Python side.
    tests/test_response_records.py holds the two side by side."""
    end = len(data)
    if end < 80:
        raise _corrupt(end, 0, end)
    size, kind, _, _, cost, searches, flags, id_len, prefix_len = RESPONSE_START.unpack_from(data)
    if kind != RESPONSE or not 48 <= size <= end - 32:
        raise _corrupt(size, 0, end)
    request_id = data[48:48 + id_len].decode()
    prefix = data[48 + id_len:48 + id_len + prefix_len].decode() if prefix_len else ""
    if not flags & WHOLE:
        return None, cost, searches, request_id, prefix
    pos = size
    size, kind = HEAD.unpack_from(data, pos)[:2]
    if kind != COMPLETION or not 32 <= size <= end - pos:
        raise _corrupt(size, pos, end)
    completion = object.__new__(cls)
    completion.id, completion.created, completion.model = completion_meta(data, pos)
    completion.object = "chat.completion"
    pos += size
    kinds = _KINDS.get(cls) or _kinds(cls)
    choice_cls, message_cls = kinds
    new = object.__new__
    unpack_part = PART.unpack_from
    choices: List[Any] = []
    usage: Optional[CompletionUsage] = None
    while pos < end:
        size, kind, count = HEAD.unpack_from(data, pos)[:3]
        if kind != EVENTS or not 32 <= size <= end - pos:
            raise _corrupt(size, pos, end)
        message = new(message_cls)
        present = 0
        finish: Any = None
        own_usage = None
        number = -1
        at = pos + HEAD_SIZE
        for _ in range(count):
            kind, _, number, index, n1, n2 = unpack_part(data, at)
            start = at + PART_SIZE
            if kind == CONTENT:
                message.content = data[start:start + n1].decode()
                present |= 1
            elif kind == ROLE:
                role: Any = data[start:start + n1].decode()  # a wire value: a checker sees openai's Literal
                message.role = role
            elif kind == FINISH:
                finish = data[start:start + n1].decode()
            elif kind == USAGE:
                if number < 0:
                    usage = _whole_usage(data, start, index)
                else:
                    own_usage = _whole_usage(data, start, index)
            elif kind == REASONING:
                message.reasoning_content = data[start:start + n1].decode()
                present |= 2
            elif kind == TOOL_START:
                function = new(Function)
                function.name = data[start + n1:start + n1 + n2].decode()
                function.arguments = ""
                function._set = _FUNCTION_SET
                call = new(ChatCompletionMessageToolCall)
                call.id = data[start:start + n1].decode()
                call.type = "function"
                call.function = function
                call._set = _TOOL_CALL_SET
                if present & 4:
                    message.tool_calls.append(call)
                else:
                    message.tool_calls = [call]
                    present |= 4
            elif kind == TOOL_DELTA and present & 4:
                message.tool_calls[-1].function.arguments = data[start:start + n1].decode()
            at = start + ((n1 + n2 + 7) & -8)
        if number >= 0:
            message._set = _MESSAGE_SETS[present]
            choice = new(choice_cls)
            choice.index = number
            choice.message = message
            choice.finish_reason = finish
            choice.usage = own_usage
            choice._set = _CHOICE_SETS[own_usage is not None]
            choices.append(choice)
        pos += size
    completion.choices = choices
    completion.usage = usage if usage is not None or not choices else choices[0].usage
    completion._set = _COMPLETION_SETS[usage is not None]
    return completion, cost, searches, request_id, prefix


#: The RESPONSE record that starts a response's records: its header, then
#: cost, $web_search calls, flags, request id and prefix lengths (then 4
#: bytes of 0).
RESPONSE_START = struct.Struct("=IHHQdqIII")
#: Per completion class, its choice and message classes (parse()'s are
#: the Parsed ones).
_KINDS: Dict[type, Tuple[Any, Any]] = {}


def _kinds(cls: Type[ChatCompletion]) -> Tuple[Any, Any]:
    choice_cls = cls._nested["choices"][0]
    kinds = _KINDS[cls] = (choice_cls, choice_cls._nested["message"])
    return kinds


def _whole_usage(data: bytes, at: int, spelling: int) -> CompletionUsage:
    """The usage of a USAGE part of whole response records: `spelling`
    says where the JSON had its cached tokens (bit 0 the top level, bit 1
    prompt_tokens_details)."""
    usage = object.__new__(CompletionUsage)
    usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, cached = NUMBERS4.unpack_from(data, at)
    usage._set = _USAGE_SETS[spelling & 3]
    if spelling & 1:
        usage.cached_tokens = cached
    if spelling & 2:
        details = object.__new__(PromptTokensDetails)
        details.cached_tokens = cached
        details._set = _DETAILS_SET
        usage.prompt_tokens_details = details
    if spelling & 3:
        usage._after_json()  # the spelling the JSON left out, as when read from it
    return usage


class Event:
    """A task's event other than a chat piece: `kind` (PROGRESS, DATA,
    RESULT, END), `done` and `total` (progress and data), `text` (a batch's
    status; a result line's custom id), `data` (bytes of a file's content),
    `error` (a result line's), `status` (END's kimi_status; RESULT's HTTP
    status)."""

    __slots__ = ("kind", "done", "total", "text", "data", "error", "status")

    kind: int
    status: int
    done: int
    total: int
    text: str
    data: Any  # a DATA event's bytes; a Batch or ChatCompletion the queue attached (batch waits, results)
    error: str

    def __init__(self, kind: int, status: int = 0, done: int = 0, total: int = 0, text: str = "", data: bytes = b"",
                 error: str = "") -> None:
        self.kind = kind
        self.status = status
        self.done = done
        self.total = total
        self.text = text
        self.data = data
        self.error = error


def task_event(data: bytes, at: int) -> Event:
    """The Event of a task's part at `at` (END, PROGRESS, DATA, RESULT;
    another type becomes an Event of that type)."""
    kind, _, _, index, n1, n2 = PART.unpack_from(data, at)
    at += PART_SIZE
    if kind == PROGRESS or kind == DATA:
        done, total = NUMBERS2.unpack_from(data, at)
        body = data[at + n1:at + n1 + n2]
        if kind == DATA:
            return Event(DATA, 0, done, total, data=body)
        return Event(PROGRESS, 0, done, total, text=body.decode("utf-8", "replace"))
    if kind == RESULT:
        return Event(RESULT, index, text=data[at:at + n1].decode("utf-8", "replace"),
                     error=data[at + n1:at + n1 + n2].decode("utf-8", "replace"))
    return Event(kind, index)
