"""Conversations: history kept the way Kimi needs it back, Python callables
as tools, and libkimi's automatic tool loop."""

from __future__ import annotations

import ctypes
import json

from . import _interrupt, _lib
from ._errors import OK, STEP_LIMIT, APIResponseValidationError, ToolError, check, last_error
from ._handles import Handle
from ._requests import make_message
from ._results import response_from
from ._streaming import EventCallback

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, List, Literal, Optional, Tuple, TypedDict, Union

    from typing_extensions import Self, Unpack

    from .types.chat.chat_completion import ChatCompletion
    from .types.chat.params import ChatCompletionToolChoiceOptionParam
    from .types.stream_event import StreamEvent

    Thinking = Union[None, bool, Literal["default", "enabled", "disabled", "keep_all"]]
    #: on_event(event): False stops the stream.
    OnEvent = Callable[[StreamEvent], object]

    class ConversationSettings(TypedDict, total=False):
        """Request fields a conversation sends with each of its calls (as
        JSON), beside its own parameters."""

        temperature: float
        top_p: float
        n: int
        presence_penalty: float
        frequency_penalty: float
        stop: Union[str, List[str]]
        seed: int
        max_tokens: int
        logprobs: bool
        top_logprobs: int
        prompt_cache_key: str
        response_format: Dict[str, object]
        tool_choice: ChatCompletionToolChoiceOptionParam
        parallel_tool_calls: bool
        user: str

L = _lib.functions

THINKING = {None: 0, "default": 0, "enabled": 1, "disabled": 2, "keep_all": 3, True: 1, False: 2}


class Conversation:
    """A chat with history, tools and the automatic tool loop.

        conv = client.conversation("kimi-k2.6", tools=[get_weather])
        conv.add_message("user", "Weather in Paris?")
        answer = conv.run()            # calls tools until the model answers

    Tools are Python callables; their JSON Schema comes from the signature,
    type hints and docstring (or pass `parameters`). A tool returns text (or
    any JSON-able value); raising ToolError sends its message to the model
    as a failure; any other exception stops the loop and is re-raised.
    """

    _tools: Dict[str, Tuple[Callable[..., Any], Any]]
    _tool_error: Optional[BaseException]

    def __init__(self, client: Any, model: str = "kimi-k2.6", *, tools: Iterable[Callable[..., Any]] = (),
                 system: Optional[str] = None, thinking: Thinking = None, max_completion_tokens: Optional[int] = None,
                 web_search: bool = False, **settings: Unpack[ConversationSettings]) -> None:
        self._client = client
        pointer = L.kimi_conversation_new(client._pointer(), model.encode() if model else None)
        if not pointer:
            raise last_error()
        self._handle = Handle(pointer, L.kimi_conversation_free)
        self._tool_error = None  # an exception a tool raised, re-raised after the C call
        self._tools = {}  # name -> (callable, C function): kept alive with the conversation
        if thinking is not None:
            if thinking not in THINKING:
                raise ValueError("thinking must be 'enabled', 'disabled', 'keep_all' or None")
            check(L.kimi_chat_request_set_thinking(self._request(), THINKING[thinking]))
        if max_completion_tokens is not None:
            check(L.kimi_chat_request_set_max_completion_tokens(self._request(), int(max_completion_tokens)))
        if settings:
            check(L.kimi_chat_request_set_extra_json(self._request(), json.dumps(settings).encode()))
        if system:
            self.add_message("system", system)
        for tool in tools:
            self.add_tool(tool)
        if web_search:
            self.add_web_search()

    def _request(self) -> int:
        request: int = L.kimi_conversation_request(self._handle.require("conversation"))
        return request

    # --- history -------------------------------------------------------------

    def add_message(self, role: Literal["system", "user", "assistant", "tool"],
                    content: Union[str, Iterable[object]]) -> None:
        """Appends a message: `content` is text or a list of parts (dicts,
        image_from_path(...), ...)."""
        if isinstance(content, str):
            check(L.kimi_conversation_add_message(self._handle.require("conversation"), role.encode(),
                                                  content.encode()))
            return
        message = make_message({"role": role, "content": content})
        try:
            check(L.kimi_conversation_append_message(self._handle.require("conversation"), message))
        finally:
            L.kimi_message_free(message)

    def user(self, content: Union[str, Iterable[object]]) -> None:
        self.add_message("user", content)

    def add_tool_result(self, tool_call_id: str, name: str, content: str) -> None:
        check(L.kimi_conversation_add_tool_result(self._handle.require("conversation"), tool_call_id.encode(),
                                                  name.encode(), content.encode()))

    @property
    def messages(self) -> List[Dict[str, Any]]:
        """The history as a list of message dicts."""
        history: List[Dict[str, Any]] = json.loads(self.to_json())
        return history

    def to_json(self) -> str:
        text = _lib.take_string(L.kimi_conversation_to_json(self._handle.require("conversation")))
        if text is None:
            raise last_error()
        return text

    def load(self, history: Union[str, Iterable[Dict[str, Any]]]) -> None:
        """Replaces the history (a list of message dicts, or its JSON text)."""
        text = history if isinstance(history, str) else json.dumps(list(history))
        check(L.kimi_conversation_load_json(self._handle.require("conversation"), text.encode()))

    def __len__(self) -> int:
        count: int = L.kimi_conversation_message_count(self._handle.require("conversation"))
        return count

    # --- tools ---------------------------------------------------------------

    def add_tool(self, fn: Callable[..., Any], *, name: Optional[str] = None, description: Optional[str] = None,
                 parameters: Optional[Dict[str, Any]] = None, _typed_as: Optional[Callable[..., Any]] = None) -> None:
        """Declares `fn` as a tool the model may call. Its arguments reach it
        converted to the types its annotations declare (dataclasses, Enums,
        TypedDicts, pydantic models, Literal, Optional, lists, nested);
        arguments that are not JSON, are missing, unknown or do not fit go
        back to the model as the tool's failure, naming the argument, and
        `fn` is not called. (`_typed_as`: the function whose annotations
        type the arguments, when `fn` wraps it.)"""
        from ._schema import ArgumentError, argument_reader, describe_function  # only when tools are declared
        auto_name, auto_description, auto_parameters = describe_function(fn)
        name = name or auto_name
        description = description if description is not None else auto_description
        parameters = parameters if parameters is not None else auto_parameters
        read_arguments = argument_reader(_typed_as or fn)
        conversation = self

        def handler(_name: bytes, arguments_json: bytes, result: int, _user_data: Optional[int]) -> int:
            try:
                try:
                    arguments = read_arguments(json.loads(arguments_json.decode()))
                except ValueError as exc:  # not JSON (JSONDecodeError), or ArgumentError
                    what = str(exc) if isinstance(exc, ArgumentError) else f"the arguments are not valid JSON ({exc})"
                    raise ToolError(f"invalid arguments for {name}: {what}") from None
                value: Any = fn(**arguments)
                if not isinstance(value, str):
                    value = json.dumps(value, default=str)
                L.kimi_tool_result_set_text(result, value.encode())
                return 0
            except ToolError as exc:
                L.kimi_tool_result_set_text(result, str(exc).encode())
                return 1
            except BaseException as exc:  # stops the loop; re-raised by run()
                conversation._tool_error = exc
                return -1

        c_function = _lib.tool_fn(handler)
        check(L.kimi_conversation_add_tool(self._handle.require("conversation"), name.encode(),
                                           description.encode() if description else None,
                                           json.dumps(parameters).encode(), c_function, None))
        self._tools[name] = (fn, c_function)

    def add_web_search(self) -> None:
        """Declares Kimi's $web_search (run by Kimi; the loop echoes it back)."""
        check(L.kimi_conversation_add_web_search(self._handle.require("conversation")))

    # --- calls ---------------------------------------------------------------

    def _finish(self, outcome: Tuple[int, Any], pointer: ctypes.c_void_p,
                callback: Optional[EventCallback] = None) -> ChatCompletion:
        status, error = outcome
        response: Optional[ChatCompletion] = None
        if pointer.value:
            try:
                response = response_from(pointer.value)
            finally:
                L.kimi_chat_response_free(pointer.value)
        tool_error, self._tool_error = self._tool_error, None
        if callback is not None:
            callback.raise_stored()
        if tool_error is not None:
            raise tool_error
        if status == STEP_LIMIT:
            error.completion = response
            raise error
        if error is not None:
            error.partial = response
            raise error
        if response is None:  # the library answers OK with a response: never reached
            raise APIResponseValidationError("the conversation call succeeded without a response (please report it)")
        return response

    def _call(self, function: Callable[..., int], *args: Any) -> Tuple[int, Optional[Exception]]:
        """Runs a blocking conversation call; Ctrl-C on the main thread
        cancels it through the conversation's request. Returns its status
        and, on failure, its exception (taken before anything else runs)."""
        conversation = self._handle.require("conversation")
        with _interrupt.Call() as token:
            if token:
                L.kimi_chat_request_set_cancel_token(L.kimi_conversation_request(conversation), token)
            try:
                status = function(conversation, *args)
                return status, (last_error() if status != OK else None)
            finally:
                if token:
                    L.kimi_chat_request_set_cancel_token(L.kimi_conversation_request(conversation), None)

    def create(self) -> ChatCompletion:
        """Sends the history; appends and returns the reply."""
        pointer = ctypes.c_void_p()
        outcome = self._call(L.kimi_conversation_create, ctypes.byref(pointer))
        return self._finish(outcome, pointer)

    def stream(self, on_event: OnEvent) -> ChatCompletion:
        """Streams the reply, calling on_event(StreamEvent) for each event
        (returning False stops it); appends the reply when complete."""
        callback = EventCallback(on_event)
        pointer = ctypes.c_void_p()
        outcome = self._call(L.kimi_conversation_stream, callback.c_function, None, ctypes.byref(pointer))
        return self._finish(outcome, pointer, callback)

    def run(self, max_steps: int = 8, on_event: Optional[OnEvent] = None) -> ChatCompletion:
        """The automatic tool loop: call the model, run the tools it asks for,
        send the results, repeat until it answers (streamed to on_event when
        given). Returns the final ChatCompletion; raises StepLimitError after
        max_steps model calls with tools still pending."""
        callback = EventCallback(on_event) if on_event else None
        pointer = ctypes.c_void_p()
        outcome = self._call(L.kimi_conversation_run, int(max_steps),
                            callback.c_function if callback else _lib.stream_cb(), None, ctypes.byref(pointer))
        return self._finish(outcome, pointer, callback)

    def prefill(self, prefix: str, name: Optional[str] = None) -> None:
        """Partial Mode: the next reply continues `prefix`."""
        check(L.kimi_conversation_prefill(self._handle.require("conversation"), prefix.encode(),
                                          name.encode() if name else None))

    def continue_(self, on_event: Optional[OnEvent] = None) -> ChatCompletion:
        """Continues the last answer (one cut by finish_reason "length")."""
        callback = EventCallback(on_event) if on_event else None
        pointer = ctypes.c_void_p()
        outcome = self._call(L.kimi_conversation_continue, callback.c_function if callback else _lib.stream_cb(),
                            None, ctypes.byref(pointer))
        return self._finish(outcome, pointer, callback)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        self.close()
        return False

