import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""An openai-python script, sync: per-call options, raw responses, streams,
errors, dumps. It prints a transcript of what it saw, which must be the same
with openai-python and with libkimi."""

import json
import os

seen = []
client = openai.OpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"], max_retries=0)
user = [{"role": "user", "content": "Hello"}]

reply = client.chat.completions.create(model="kimi-k2.6", messages=user, timeout=30,
                                       extra_headers={"X-Trace": "t1"}, extra_query={"trace": "1"},
                                       extra_body={"thinking": {"type": "disabled"}}, temperature=openai.NOT_GIVEN)
seen.append(["create", reply.object, reply.choices[0].message.content, reply.choices[0].finish_reason,
             reply.usage.total_tokens, reply._request_id is not None])
extra = client.chat.completions.create(model="kimi-k2.6", messages=[
    {"role": "user", "content": "Hi [[mock: extra_fields]]"}])
seen.append(["dump", extra.to_dict(), extra.model_dump(exclude_none=True), json.loads(extra.to_json()),
             json.loads(extra.model_dump_json(exclude_unset=True)), extra.system_fingerprint,
             extra.model_extra, extra.choices[0].message.reasoning_content])

raw = client.chat.completions.with_raw_response.create(model="kimi-k2.6", messages=user)
seen.append(["raw", raw.status_code, raw.headers.get("content-type"), raw.headers["X-REQUEST-ID"].startswith("req-"),
             raw.parse().choices[0].message.content])

stream = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "a b c"}],
                                        stream=True, stream_options={"include_usage": True})
pieces, reasoning, usage = [], [], None
for chunk in stream:
    if chunk.usage:
        usage = chunk.usage.total_tokens
    if chunk.choices:
        pieces.append(chunk.choices[0].delta.content or "")
        reasoning.append(getattr(chunk.choices[0].delta, "reasoning_content", None) or "")
seen.append(["stream", "".join(pieces), "".join(reasoning), usage, stream.response.status_code,
             stream.response.headers.get("content-type")])

quick = client.with_options(timeout=20, max_retries=0)
seen.append(["with_options", quick.chat.completions.create(model="kimi-k2.6", messages=user).choices[0].message.content])

try:
    client.chat.completions.create(model="kimi-k2.6", messages=[
        {"role": "user", "content": "x [[mock: status=429 type=rate_limit_reached_error message=slow_down retry_after=3]]"}])
except openai.RateLimitError as error:
    seen.append(["429", type(error).__name__, isinstance(error, openai.APIStatusError), error.status_code, error.body,
                 error.type, error.code, error.request_id is not None, error.response.status_code,
                 error.response.headers.get("retry-after")])
try:
    client.chat.completions.create(model="kimi-k2.6", messages=user, max_token=10)
except TypeError as error:
    seen.append(["typo", "max_token" in str(error)])

models = client.models.list()
seen.append(["models", [m.id for m in models.data][:2], models.data[0].object])
uploaded = client.files.create(file=("notes.txt", b"hello there"), purpose="file-extract", timeout=30)
seen.append(["file", uploaded.object, uploaded.filename, uploaded.bytes, uploaded.purpose])
client.close()
print(json.dumps(seen, sort_keys=True))
