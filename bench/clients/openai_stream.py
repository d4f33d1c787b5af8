"""openai-python: iterates one streamed completion (stream=True) and prints
one JSON line with what it measured in-process (import time excluded)."""

import json
import os
import resource
import sys
import time

from openai import OpenAI


def cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


client = OpenAI(base_url=os.environ["KIMI_BASE_URL"], api_key=os.environ["MOONSHOT_API_KEY"], max_retries=0)
text = sys.argv[1]
cpu0, wall0 = cpu(), time.perf_counter()
stream = client.chat.completions.create(model="kimi-k2.6", stream=True, messages=[{"role": "user", "content": text}],
                                        extra_body={"thinking": {"type": "disabled"}})
chunks = 0
content = 0
for chunk in stream:
    if chunk.choices and chunk.choices[0].delta.content:
        chunks += 1
        content += len(chunk.choices[0].delta.content)
print(json.dumps({"chunks": chunks, "stream_cpu": cpu() - cpu0, "stream_wall": time.perf_counter() - wall0,
                  "content_bytes": content}))
