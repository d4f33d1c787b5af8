import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""Files as openai-python's docs use them: content as bytes, content
streamed to a file or read piece by piece with with_streaming_response,
models.retrieve."""

import hashlib
import json
import os
import tempfile

seen = []
client = openai.OpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"], max_retries=0)

uploaded = client.files.create(file=("notes.txt", "héllo there".encode()), purpose="file-extract")
content = client.files.content(uploaded.id)
seen.append(["content", type(content.content).__name__, content.content.decode(), content.text,
             content.read() == content.content])

with client.files.with_streaming_response.content("file-big-3000000") as response:
    digest, sizes = hashlib.sha256(), []
    for chunk in response.iter_bytes(chunk_size=1 << 20):
        digest.update(chunk)
        sizes.append(len(chunk))
seen.append(["iter_bytes", sizes, digest.hexdigest()])

path = os.path.join(tempfile.mkdtemp(), "big.bin")
with client.files.with_streaming_response.content("file-big-100000") as response:
    response.stream_to_file(path)
with open(path, "rb") as saved:
    seen.append(["stream_to_file", hashlib.sha256(saved.read()).hexdigest()])

try:
    with client.files.with_streaming_response.content("file-missing") as response:
        seen.append(["missing", "entered"])
except openai.NotFoundError as error:
    seen.append(["missing", error.status_code])

deleted = client.files.delete(uploaded.id)
seen.append(["deleted", deleted.deleted, deleted.id == uploaded.id])
model = client.models.retrieve("kimi-k2.6")
seen.append(["model", model.id, model.object, model.owned_by, model.created > 0])
try:
    client.models.retrieve("kimi-k9")
except openai.NotFoundError as error:
    seen.append(["no model", error.status_code, error.response.status_code, error.type, error.param])
client.close()
print(json.dumps(seen, sort_keys=True))
