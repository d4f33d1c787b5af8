"""The rest of openai-python's surface, typed as its docs use it: must
type-check clean with openai-python and, with only the import changed,
with libkimi (streaming helper, parse, pages, errors, files)."""

import asyncio
from typing import List

from openai import (APIConnectionError, APIStatusError, APITimeoutError, AsyncOpenAI, OpenAI, OpenAIError,
                    RateLimitError)
from openai.types.chat import ChatCompletionMessageParam

client = OpenAI(api_key="key", base_url="http://127.0.0.1:9/v1")
messages: List[ChatCompletionMessageParam] = [{"role": "user", "content": "Hello"}]

with client.chat.completions.stream(model="kimi-k2.6", messages=messages) as stream:
    for event in stream:
        if event.type == "content.delta":
            print(event.delta, event.snapshot)
        elif event.type == "content.done":
            print(event.content)
    final = stream.get_final_completion()
    print(final.choices[0].message.content)

for batch in client.batches.list(limit=2):
    print(batch.id, batch.status)
first_page = client.batches.list(limit=2)
if first_page.has_next_page():
    print(len(first_page.get_next_page().data))
for page in first_page.iter_pages():
    print(len(page.data))
print(client.models.retrieve("kimi-k2.6").id, client.api_key, client.max_retries)

with client.files.with_streaming_response.content("file-1") as response:
    response.stream_to_file("out.bin")
content: bytes = client.files.content("file-1").content

try:
    client.chat.completions.create(model="kimi-k2.6", messages=messages)
except APITimeoutError as error:
    print(error.message)
except APIConnectionError as error:
    print(error.message)
except RateLimitError as error:
    print(error.status_code, error.response.headers)
except APIStatusError as error:
    print(error.status_code, error.body)
except OpenAIError as error:
    print(error)


async def main() -> None:
    async_client = AsyncOpenAI(api_key="key")
    async with async_client.chat.completions.stream(model="kimi-k2.6", messages=messages) as events:
        async for event in events:
            if event.type == "content.delta":
                print(event.delta)
        done = await events.get_final_completion()
        print(done.choices[0].message.content)
    async for batch in async_client.batches.list(limit=2):
        print(batch.id)
    page = await async_client.batches.list(limit=2)
    print(page.has_next_page())
    async with async_client.files.with_streaming_response.content("file-1") as streamed:
        async for piece in streamed.iter_bytes():
            print(len(piece))


asyncio.run(main())
