"""Typical openai-python usage: must type-check clean with openai-python
and, with only the import changed, with libkimi."""

import asyncio
from typing import List

from openai import AsyncOpenAI, OpenAI
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionToolParam

client = OpenAI(api_key="key", base_url="http://127.0.0.1:9/v1", timeout=30.0, max_retries=1)

messages: List[ChatCompletionMessageParam] = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "Hello"},
]
tools: List[ChatCompletionToolParam] = [{
    "type": "function",
    "function": {"name": "get_weather", "description": "The weather in a city",
                 "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}},
}]

completion: ChatCompletion = client.chat.completions.create(model="kimi-k2.6", messages=messages, temperature=1.0,
                                                            max_tokens=100, tools=tools, tool_choice="auto")
message = completion.choices[0].message
text: str = message.content or ""
if message.tool_calls:
    for call in message.tool_calls:
        if call.type == "function":
            name: str = call.function.name
            arguments: str = call.function.arguments
            messages.append({"role": "tool", "tool_call_id": call.id, "content": arguments + name})
finish = completion.choices[0].finish_reason
if finish == "length" and completion.usage is not None:
    total: int = completion.usage.total_tokens + completion.usage.prompt_tokens
print(completion.model_dump_json(indent=2), completion.id, completion.created)

stream = client.chat.completions.create(model="kimi-k2.6", messages=messages, stream=True,
                                        stream_options={"include_usage": True})
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        print(chunk.choices[0].delta.content, end="")
    if chunk.usage is not None:
        print(chunk.usage.completion_tokens)

with client.chat.completions.create(model="kimi-k2.6", messages=messages, stream=True) as streamed:
    first: ChatCompletionChunk = next(iter(streamed))
    print(first.id)

raw = client.chat.completions.with_raw_response.create(model="kimi-k2.6", messages=messages)
print(raw.headers.get("x-request-id"), raw.parse().choices[0].message.content)

for model in client.models.list():
    print(model.id)


async def main() -> None:
    async_client = AsyncOpenAI(api_key="key")
    reply = await async_client.chat.completions.create(model="kimi-k2.6", messages=messages)
    print(reply.choices[0].message.content)
    chunks = await async_client.chat.completions.create(model="kimi-k2.6", messages=messages, stream=True)
    async for chunk in chunks:
        print(chunk.choices[0].delta.content if chunk.choices else "")

asyncio.run(main())
