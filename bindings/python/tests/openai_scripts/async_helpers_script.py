import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""AsyncOpenAI with the streaming helper, pages walked with `async for`,
and errors caught by openai-python's classes."""

import asyncio
import io
import json
import os


async def main():
    seen = []
    async with openai.AsyncOpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"],
                                  max_retries=0) as client:
        async with client.chat.completions.stream(
            model="kimi-k2.6", messages=[{"role": "user", "content": "Say this is a test"}],
        ) as stream:
            async for event in stream:
                if event.type == "content.delta":
                    seen.append(["delta", event.delta])
            final = await stream.get_final_completion()
        seen.append(["final", final.choices[0].message.content])

        line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
                "body": {"model": "kimi-k2.6", "messages": [{"role": "user", "content": "x"}]}}
        batch_input = await client.files.create(file=("in.jsonl", io.BytesIO(json.dumps(line).encode() + b"\n")),
                                                purpose="batch")
        mine = [(await client.batches.create(input_file_id=batch_input.id, endpoint="/v1/chat/completions",
                                             completion_window="24h")).id for _ in range(3)]
        walked = [batch.id async for batch in client.batches.list(limit=2)]
        seen.append(["walked", [mine.index(i) for i in walked if i in mine]])
        first_page = await client.batches.list(limit=2)
        next_page = await first_page.get_next_page()
        seen.append(["next", first_page.has_next_page(), [b.id for b in next_page.data] == walked[2:4]])
        pages = [page async for page in first_page.iter_pages()]
        seen.append(["pages", [b.id for p in pages for b in p.data] == walked])
        try:
            await client.chat.completions.create(model="kimi-k9", messages=[{"role": "user", "content": "x"}])
        except openai.NotFoundError as error:
            seen.append(["not found", error.status_code, isinstance(error, openai.APIStatusError)])
    print(json.dumps(seen, sort_keys=True))


asyncio.run(main())
