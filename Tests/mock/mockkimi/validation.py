"""Kimi's request rules, answered with Kimi's error shapes, so tests can show
the client catches each one first. Messages follow Kimi's wording where it is
documented and the same pattern where it is not."""

import re

MODELS = {
    "kimi-k2.6": {"context_length": 262144, "supports_image_in": True, "supports_video_in": True, "supports_reasoning": True},
    "kimi-k2.5": {"context_length": 262144, "supports_image_in": True, "supports_video_in": True, "supports_reasoning": True},
    "moonshot-v1-8k": {"context_length": 8192, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
    "moonshot-v1-32k": {"context_length": 32768, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
    "moonshot-v1-128k": {"context_length": 131072, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
}

ROLES = {"system", "user", "assistant", "tool"}


class APIError(Exception):
    def __init__(self, status, type_, message, code=None, headers=(), request_id=None):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.headers = list(headers)
        self.request_id = request_id

    def body(self):
        error = {"message": self.message, "type": self.type}
        if self.code is not None:
            error["code"] = self.code
        if self.request_id is not None:
            error["request_id"] = self.request_id
        return {"error": error}


def invalid(message):
    return APIError(400, "invalid_request_error", message)


def fixed_value_model(model):
    return model.startswith("kimi-k2.6") or model.startswith("kimi-k2.5")


def thinking_enabled(body):
    thinking = body.get("thinking")
    if not fixed_value_model(body.get("model", "")):
        return False
    return not (isinstance(thinking, dict) and thinking.get("type") == "disabled")


def number_text(value):
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def validate_chat(body):
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise invalid("Invalid request: model is required")
    if model not in MODELS:
        raise APIError(404, "resource_not_found_error", f"Not found the model {model} or Permission denied")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise invalid("Invalid request: messages must be a non-empty array")
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise invalid(f"Invalid request: message at index {i} has an invalid role")
        content = message.get("content")
        has_calls = bool(message.get("tool_calls"))
        # An assistant turn may be empty (a model's empty answer sent back); a prefix may not.
        if content in (None, "", []) and not (message["role"] == "assistant" and (has_calls or not message.get("partial"))):
            raise invalid(f"Invalid request: the content of the message at index {i} must not be empty")

    thinking = thinking_enabled(body)
    validate_tools(body, thinking)
    validate_history(body, thinking)
    if fixed_value_model(model):
        fixed = [
            ("temperature", 1.0 if thinking else 0.6),
            ("top_p", 0.95),
            ("n", 1),
            ("presence_penalty", 0.0),
            ("frequency_penalty", 0.0),
        ]
        for field, allowed in fixed:
            if field in body and body[field] is not None and float(body[field]) != float(allowed):
                raise invalid(f"invalid {field}: only {number_text(allowed)} is allowed for this model")


    stop = body.get("stop")
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        if len(stops) > 5:
            raise invalid(f"Invalid request: at most 5 stop sequences are allowed, got {len(stops)}")
        for s in stops:
            if len(s.encode()) > 32:
                raise invalid("Invalid request: each stop sequence must be at most 32 bytes")



NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9-_]{2,63}$")


def validate_tools(body, thinking):
    tools = body.get("tools") or []
    if len(tools) > 128:
        raise invalid(f"Invalid request: too many tools: {len(tools)}, at most 128 are allowed")
    seen = set()
    for tool in tools:
        function = tool.get("function") or {}
        name = function.get("name", "")
        if tool.get("type") == "builtin_function":
            if name == "$web_search" and thinking:
                raise invalid("the builtin function $web_search is not compatible with thinking enabled, please disable thinking")
            continue
        if not NAME.match(name):
            raise invalid(f"Invalid request: function name {name} is invalid, it must match ^[a-zA-Z_][a-zA-Z0-9-_]{{2,63}}$")
        if name in seen:
            raise invalid(f"function name {name} is duplicated")
        seen.add(name)
    choice = body.get("tool_choice")
    if thinking and choice == "required":
        raise invalid("tool_choice 'required' is incompatible with thinking enabled")
    if thinking and isinstance(choice, dict):
        raise invalid("tool_choice 'specified' is incompatible with thinking enabled")


def validate_history(body, thinking):
    """Kimi's rules on earlier turns: reasoning_content kept on tool-call
    messages, tool-call ids sent back exactly as issued (functions.NAME:K,
    K counting calls over the conversation), tool results answering a call,
    and Partial Mode only on the last (assistant) message."""
    messages = body.get("messages") or []
    issued = {}
    count = 0
    for i, message in enumerate(messages):
        role = message.get("role")
        calls = message.get("tool_calls") or []
        if role == "assistant" and calls:
            if thinking and "reasoning_content" not in message:
                raise invalid(f"thinking is enabled but reasoning_content is missing in assistant tool call message at index {i}")
            for call in calls:
                call_id = call.get("id", "")
                name = (call.get("function") or {}).get("name", "")
                if call_id in issued:
                    raise invalid(f"Invalid request: duplicate tool_call_id {call_id}")
                expected = f"functions.{name}:{count}"
                if call_id != expected:
                    raise invalid(f"Invalid request: tool call id {call_id} at index {i} was not issued by the model (expected {expected}); send tool call ids back unchanged")
                issued[call_id] = name
                count += 1
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in issued:
                raise invalid(f"Invalid request: tool_call_id {call_id} of the message at index {i} matches no tool call")
        if message.get("partial"):
            if i != len(messages) - 1 or role != "assistant":
                raise invalid("Invalid request: only the last message can be partial, and it must be an assistant message")
            if (body.get("response_format") or {}).get("type") == "json_object":
                raise invalid("Invalid request: partial mode is not compatible with response_format json_object")
