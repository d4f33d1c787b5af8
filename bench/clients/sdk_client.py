"""The same user code against openai-python and libkimi's Python bindings:

    sdk_client.py openai|libkimi stream "<text>"   one streamed completion, as chunk objects
    sdk_client.py openai|libkimi small N           N small non-streamed completions in a row

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
