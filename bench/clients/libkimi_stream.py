"""libkimi from Python: iterates one streamed completion as chunk objects
(like openai-python's) and prints one JSON line with what it measured
in-process (import time excluded)."""

import json
import resource
import sys
import time

import libkimi


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


client = libkimi.Client()
text = sys.argv[1]
cpu0, wall0 = cpu(), time.perf_counter()
chunks = 0
content = 0
with client.chat.completions.create(model="kimi-k2.6", stream=True, messages=[{"role": "user", "content": text}],
                                    thinking={"type": "disabled"}) as stream:
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            chunks += 1
            content += len(chunk.choices[0].delta.content)
print(json.dumps({"chunks": chunks, "stream_cpu": cpu() - cpu0, "stream_wall": time.perf_counter() - wall0,
                  "content_bytes": content}))
