"""Kimi's request rules, answered with Kimi's error shapes, so tests can show
the client catches each one first. Messages follow Kimi's wording where it is
documented and the same pattern where it is not."""

MODELS = {
    "kimi-k2.6": {"context_length": 262144, "supports_image_in": True, "supports_video_in": True, "supports_reasoning": True},
    "kimi-k2.5": {"context_length": 262144, "supports_image_in": True, "supports_video_in": True, "supports_reasoning": True},
    "moonshot-v1-8k": {"context_length": 8192, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
    "moonshot-v1-32k": {"context_length": 32768, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
    "moonshot-v1-128k": {"context_length": 131072, "supports_image_in": False, "supports_video_in": False, "supports_reasoning": False},
}

ROLES = {"system", "user", "assistant", "tool"}


class APIError(Exception):
    def __init__(self, status, type_, message, code=None):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code

    def body(self):
        error = {"message": self.message, "type": self.type}
        if self.code is not None:
            error["code"] = self.code
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
        if content in (None, "", []) and not (message["role"] == "assistant" and has_calls):
            raise invalid(f"Invalid request: the content of the message at index {i} must not be empty")

    thinking = thinking_enabled(body)
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

    tools = body.get("tools") or []
    if len(tools) > 128:
        raise invalid(f"Invalid request: too many tools: {len(tools)}, at most 128 are allowed")

    stop = body.get("stop")
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        if len(stops) > 5:
            raise invalid(f"Invalid request: at most 5 stop sequences are allowed, got {len(stops)}")
        for s in stops:
            if len(s.encode()) > 32:
                raise invalid("Invalid request: each stop sequence must be at most 32 bytes")

    if thinking:
        for i, message in enumerate(messages):
            if message.get("role") == "assistant" and message.get("tool_calls") and not message.get("reasoning_content"):
                raise invalid(f"thinking is enabled but reasoning_content is missing in assistant tool call message at index {i}")
