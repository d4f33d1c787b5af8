import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""Pagination as openai-python's README writes it: `for x in
client.batches.list(...)` fetching the following pages by itself,
has_next_page(), get_next_page(), iter_pages(); files listed whole."""

import io
import json
import os

seen = []
client = openai.OpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"], max_retries=0)

line = {"custom_id": "a", "method": "POST", "url": "/v1/chat/completions",
        "body": {"model": "kimi-k2.6", "messages": [{"role": "user", "content": "x"}]}}
batch_input = client.files.create(file=("input.jsonl", io.BytesIO(json.dumps(line).encode() + b"\n")),
                                  purpose="batch")
mine = [client.batches.create(input_file_id=batch_input.id, endpoint="/v1/chat/completions",
                              completion_window="24h").id for _ in range(5)]

# Automatically fetches more pages as needed.
walked = [batch.id for batch in client.batches.list(limit=2)]
seen.append(["walked", [mine.index(i) for i in walked if i in mine], len(walked) == len(set(walked))])

first_page = client.batches.list(limit=2)
seen.append(["first", len(first_page.data), first_page.has_next_page()])
if first_page.has_next_page():
    next_page = first_page.get_next_page()
    seen.append(["next", len(next_page.data), [b.id for b in next_page.data] == walked[2:4]])
pages = list(first_page.iter_pages())
seen.append(["pages", all(len(p.data) <= 2 for p in pages), [b.id for p in pages for b in p.data] == walked,
             pages[-1].has_next_page()])
names = [f.filename for f in client.files.list()]
seen.append(["files", "input.jsonl" in names])
client.close()
print(json.dumps(seen, sort_keys=True))
