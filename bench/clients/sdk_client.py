"""The same user code against openai-python and libkimi's Python bindings:

    sdk_client.py openai|libkimi stream "<text>"   one streamed completion, as chunk objects
    sdk_client.py openai|libkimi small N           N small non-streamed completions in a row
    sdk_client.py openai|libkimi async N "<text>"  N streamed completions at once in one asyncio loop

Only the import and the client's construction differ. Prints one JSON line
with what it measured in-process (imports excluded)."""

import json
import os
import resource
import sys
import time


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


sdk, mode, arg = sys.argv[1:4]


async def concurrent_streams(client, n, text):
    """n streams at once, each read to its end as chunk objects."""
    import asyncio

    async def one(i):
        stream = await client.chat.completions.create(model="kimi-k2.6", stream=True, extra_body=no_thinking,
                                                      messages=[{"role": "user", "content": f"{i} {text}"}])
        chunks = 0
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                chunks += 1
        return chunks

    counts = await asyncio.gather(*(one(i) for i in range(n)))
    await client.close()
    return {"streams": n, "chunks": sum(counts)}


if mode == "async":
    import asyncio
    if sdk == "openai":
        from openai import AsyncOpenAI
    else:
        from libkimi import AsyncOpenAI
    no_thinking = {"thinking": {"type": "disabled"}}
    client = AsyncOpenAI(base_url=os.environ["KIMI_BASE_URL"], api_key=os.environ["MOONSHOT_API_KEY"], max_retries=0)
    cpu0, wall0 = cpu(), time.perf_counter()
    result = asyncio.run(concurrent_streams(client, int(arg), sys.argv[4]))
    result.update(stream_cpu=cpu() - cpu0, stream_wall=time.perf_counter() - wall0)
    print(json.dumps(result))
    sys.exit(0)

if sdk == "openai":
    from openai import OpenAI
    client = OpenAI(base_url=os.environ["KIMI_BASE_URL"], api_key=os.environ["MOONSHOT_API_KEY"], max_retries=0)
else:
    import libkimi
    client = libkimi.Client(base_url=os.environ["KIMI_BASE_URL"], api_key=os.environ["MOONSHOT_API_KEY"], max_retries=0)

no_thinking = {"thinking": {"type": "disabled"}}
cpu0, wall0 = cpu(), time.perf_counter()
if mode == "stream":
    chunks = content = 0
    stream = client.chat.completions.create(model="kimi-k2.6", stream=True, messages=[{"role": "user", "content": arg}],
                                            extra_body=no_thinking)
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.content:
            chunks += 1
            content += len(delta.content)
        for call in delta.tool_calls or ():
            if call.function and call.function.arguments:
                chunks += 1
    result = {"chunks": chunks, "content_chars": content}
else:
    for i in range(int(arg)):
        answer = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": f"hi {i}"}],
                                                extra_body=no_thinking)
        assert answer.choices[0].message.content == f"You said: hi {i}"
    result = {"requests": int(arg)}
result.update(stream_cpu=cpu() - cpu0, stream_wall=time.perf_counter() - wall0)
print(json.dumps(result))
