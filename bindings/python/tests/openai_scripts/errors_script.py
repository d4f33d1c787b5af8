import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""Errors caught by openai-python's classes, as its README catches them."""

import json
import os

seen = []
base_url = os.environ["KIMI_BASE_URL"]
client = openai.OpenAI(api_key="sk-test-mock", base_url=base_url, max_retries=0)


def ask(text, **options):
    return client.chat.completions.create(model=options.pop("model", "kimi-k2.6"),
                                          messages=[{"role": "user", "content": text}], **options)


def describe(error):
    return [type(error).__name__, isinstance(error, openai.OpenAIError), isinstance(error, openai.APIError),
            isinstance(error, openai.APIStatusError), getattr(error, "status_code", None)]


cases = [
    ("auth", lambda: openai.OpenAI(api_key="sk-bad", base_url=base_url, max_retries=0).models.list()),
    ("not found", lambda: ask("x", model="kimi-k9")),
    ("rate limit", lambda: ask("x [[mock: status=429 type=rate_limit_reached_error message=slow]]")),
    ("server", lambda: ask("x [[mock: html=502]]")),
    ("bad request", lambda: ask("x [[mock: status=400 type=invalid_request_error message=no]]")),
    ("unprocessable", lambda: ask("x [[mock: status=422 type=invalid_request_error message=no]]")),
    ("conflict", lambda: ask("x [[mock: status=409 type=invalid_request_error message=no]]")),
    ("connection", lambda: openai.OpenAI(api_key="sk", base_url="http://127.0.0.1:1/v1",
                                         max_retries=0).models.list()),
    ("timeout", lambda: ask("x [[mock: stall_ms=3000]]", timeout=0.3)),
    ("file", lambda: client.files.retrieve("file-missing")),
]
for name, call in cases:
    try:
        call()
        seen.append([name, "no error"])
    except openai.APITimeoutError as error:
        seen.append([name, "APITimeoutError", isinstance(error, openai.APIConnectionError)] + describe(error))
    except openai.APIConnectionError as error:
        seen.append([name, "APIConnectionError"] + describe(error))
    except openai.RateLimitError as error:
        seen.append([name, "RateLimitError", error.body, error.response.status_code] + describe(error))
    except openai.APIStatusError as error:
        seen.append([name, "APIStatusError", error.type, error.code] + describe(error))

os.environ.pop("OPENAI_API_KEY", None)
os.environ.pop("MOONSHOT_API_KEY", None)
os.environ.pop("KIMI_API_KEY", None)
try:
    openai.OpenAI(base_url=base_url)
except openai.OpenAIError as error:
    seen.append(["no key", type(error).__name__, isinstance(error, openai.APIError)])
client.close()
print(json.dumps(seen, sort_keys=True))
