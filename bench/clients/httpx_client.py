"""The hand-rolled peer: httpx for HTTP and json.loads over the raw
event-stream lines, the least a Python user could write without an SDK.

    httpx_client.py stream "<text>"   one streamed completion
    httpx_client.py small N           N small non-streamed completions in a row

Prints one JSON line with what it measured in-process (imports excluded)."""

import json
import os
import resource
import sys
import time

import httpx


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


url = os.environ["KIMI_BASE_URL"] + "/chat/completions"
headers = {"Authorization": "Bearer " + os.environ["MOONSHOT_API_KEY"]}
client = httpx.Client(headers=headers, timeout=600)
mode, arg = sys.argv[1], sys.argv[2]
cpu0, wall0 = cpu(), time.perf_counter()
if mode == "stream":
    chunks = content = 0
    body = {"model": "kimi-k2.6", "stream": True, "thinking": {"type": "disabled"},
            "messages": [{"role": "user", "content": arg}]}
    with client.stream("POST", url, json=body) as response:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            payload = line[5:].strip()
            if payload == "[DONE]":
                break
            data = json.loads(payload)
            if not data.get("choices"):
                continue
            delta = data["choices"][0].get("delta") or {}
            if delta.get("content"):
                chunks += 1
                content += len(delta["content"])
            for call in delta.get("tool_calls") or ():
                if (call.get("function") or {}).get("arguments"):
                    chunks += 1
    result = {"chunks": chunks, "content_chars": content}
else:
    for i in range(int(arg)):
        body = {"model": "kimi-k2.6", "thinking": {"type": "disabled"}, "messages": [{"role": "user", "content": f"hi {i}"}]}
        answer = client.post(url, json=body).json()
        assert answer["choices"][0]["message"]["content"] == f"You said: hi {i}"
    result = {"requests": int(arg)}
result.update(stream_cpu=cpu() - cpu0, stream_wall=time.perf_counter() - wall0)
print(json.dumps(result))
