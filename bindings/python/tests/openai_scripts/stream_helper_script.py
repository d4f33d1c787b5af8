import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""The streaming helper as openai-python's README writes it: `with
client.chat.completions.stream(...) as stream`, events by type, the final
completion; with tools, and with a response_format model."""

import json
import os

import pydantic

seen = []
client = openai.OpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"], max_retries=0)

with client.chat.completions.stream(
    model="kimi-k2.6",
    messages=[{"role": "user", "content": "Say this is a test"}],
) as stream:
    for event in stream:
        if event.type == "content.delta":
            seen.append(["delta", event.delta, event.snapshot])
        elif event.type == "content.done":
            seen.append(["done", event.content])
        elif event.type == "chunk":
            seen.append(["chunk", event.chunk.id, event.snapshot.choices[0].message.content])

completion = stream.get_final_completion()
# (completion.usage differs on purpose: Kimi sends usage inside the choice, which openai-python's
# helper drops, and libkimi keeps: see README's deliberate differences.)
seen.append(["final", completion.choices[0].message.content, completion.choices[0].finish_reason])

tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}, "n": {"type": "integer"}}}}}]
with client.chat.completions.stream(
    model="kimi-k2.6",
    messages=[{"role": "user", "content": "Weather? [[mock: calls=get_weather,get_weather]]"}],
    tools=tools,
) as stream:
    for event in stream:
        if event.type == "tool_calls.function.arguments.delta":
            seen.append(["args.delta", event.name, event.index, event.arguments_delta, event.arguments])
        elif event.type == "tool_calls.function.arguments.done":
            seen.append(["args.done", event.name, event.index, json.loads(event.arguments)])
    final = stream.get_final_completion()
seen.append(["tools", [(c.id, c.function.name, c.function.arguments) for c in final.choices[0].message.tool_calls],
             final.choices[0].finish_reason])


class Answer(pydantic.BaseModel):
    city: str
    days: int


with client.beta.chat.completions.stream(
    model="kimi-k2.6",
    messages=[{"role": "user", "content": "A city and a number of days"}],
    response_format=Answer,
) as stream:
    for event in stream:
        if event.type == "content.done":
            seen.append(["parsed.done", type(event.parsed).__name__, event.parsed.model_dump()])
    parsed = stream.get_final_completion().choices[0].message.parsed
seen.append(["parsed", type(parsed).__name__, parsed.model_dump()])

try:
    with client.chat.completions.stream(model="kimi-k2.6", response_format=Answer, messages=[
            {"role": "user", "content": "x [[mock: finish=length]]"}]) as stream:
        for event in stream:
            pass
except openai.LengthFinishReasonError as error:
    seen.append(["length", isinstance(error, openai.OpenAIError), error.completion.choices[0].finish_reason])
client.close()
print(json.dumps(seen, sort_keys=True))
