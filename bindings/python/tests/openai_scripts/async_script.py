import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""An openai-python script, async: AsyncOpenAI with per-call options, raw
responses, concurrent streams and errors. It prints a transcript of what it
saw, which must be the same with openai-python and with libkimi."""

import asyncio
import json
import os


async def main():
    seen = []
    async with openai.AsyncOpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"],
                                  max_retries=0) as client:
        reply = await client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}],
                                                     timeout=30, extra_headers={"X-Trace": "t2"})
        seen.append(["create", reply.choices[0].message.content, reply.usage.total_tokens])

        async def one(i):
            stream = await client.chat.completions.create(
                model="kimi-k2.6", messages=[{"role": "user", "content": f"n {i}"}], stream=True)
            text = []
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    text.append(chunk.choices[0].delta.content)
            return "".join(text)

        seen.append(["streams", await asyncio.gather(*(one(i) for i in range(20)))])
        raw = await client.chat.completions.with_raw_response.create(
            model="kimi-k2.6", messages=[{"role": "user", "content": "raw"}])
        seen.append(["raw", raw.status_code, raw.headers.get("content-type"), raw.parse().choices[0].message.content])
        try:
            await client.chat.completions.create(model="kimi-k2.6", messages=[
                {"role": "user", "content": "x [[mock: status=400 message=no_good]]"}])
        except openai.BadRequestError as error:
            seen.append(["400", error.status_code, error.body, error.response.status_code])
        models = await client.models.list()
        seen.append(["models", [m.id for m in models.data][:2]])
    print(json.dumps(seen, sort_keys=True))


asyncio.run(main())
