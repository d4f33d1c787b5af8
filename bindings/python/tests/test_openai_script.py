"""A script written for openai-python's chat API runs unchanged with
libkimi: only the import and the client construction differ. The same text
also runs with openai-python itself when it is installed, which checks the
mock against the real SDK."""

import base64

import pytest

SCRIPT = '''
client = OpenAI(api_key="sk-test", base_url=BASE_URL)

# 1. A plain completion.
reply = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hello"}])
results["plain"] = reply.choices[0].message.content
results["usage"] = reply.usage.total_tokens

# 2. A stream.
stream = client.chat.completions.create(model="kimi-k2.6", stream=True,
                                        messages=[{"role": "user", "content": "Stream this"}])
results["stream"] = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)

# 3. Tools, with the loop written by hand the openai way.
tools = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
messages = [{"role": "user", "content": "Weather in Paris?"}]
reply = client.chat.completions.create(model="kimi-k2.6", messages=messages, tools=tools)
message = reply.choices[0].message
messages.append(message)  # the message object goes back as is
for call in message.tool_calls:
    messages.append({"role": "tool", "tool_call_id": call.id, "name": call.function.name, "content": "sunny"})
reply = client.chat.completions.create(model="kimi-k2.6", messages=messages, tools=tools)
results["tools"] = reply.choices[0].message.content

# 4. Multimodal content parts.
reply = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "data:image/png;base64," + PNG}},
    {"type": "text", "text": "What is this?"}]}])
results["image"] = reply.choices[0].message.content
'''


def run(OpenAI, mock_url, samples):
    results = {}
    png = base64.b64encode((samples / "image.png").read_bytes()).decode()
    exec(SCRIPT, {"OpenAI": OpenAI, "BASE_URL": mock_url, "PNG": png, "results": results})
    return results


def check(results):
    assert results["plain"] == "You said: Hello"
    assert results["usage"] == 11
    assert results["stream"] == "You said: Stream this"
    assert results["tools"] == "Tool results: get_weather=sunny"
    assert results["image"].startswith("You said: What is this? [image image/png 463 bytes")


def test_libkimi_runs_the_openai_script(mock_url, samples):
    from libkimi import OpenAI
    check(run(OpenAI, mock_url, samples))


def test_openai_python_runs_the_same_script(mock_url, samples):
    openai = pytest.importorskip("openai")
    check(run(openai.OpenAI, mock_url, samples))
