import openai  # the line test_openai_scripts.py changes to `import libkimi as openai`

"""Structured output as openai-python's docs write it: parse() with a
pydantic model, and the finish-reason errors it raises."""

import json
import os
from typing import List

import pydantic

seen = []
client = openai.OpenAI(api_key="sk-test-mock", base_url=os.environ["KIMI_BASE_URL"], max_retries=0)


class Step(pydantic.BaseModel):
    explanation: str
    output: str


class MathResponse(pydantic.BaseModel):
    steps: List[Step]
    final_answer: str


completion = client.chat.completions.parse(
    model="kimi-k2.6",
    messages=[{"role": "system", "content": "You are a helpful math tutor."},
              {"role": "user", "content": "solve 8x + 31 = 2"}],
    response_format=MathResponse,
)
message = completion.choices[0].message
seen.append(["parsed", type(message.parsed).__name__, message.parsed.model_dump(), message.refusal])

for reason, error_class in (("length", openai.LengthFinishReasonError),
                            ("content_filter", openai.ContentFilterFinishReasonError)):
    try:
        client.beta.chat.completions.parse(model="kimi-k2.6", response_format=MathResponse, messages=[
            {"role": "user", "content": f"solve [[mock: finish={reason}]]"}])
        seen.append([reason, "no error"])
    except error_class as error:
        seen.append([reason, type(error).__name__, isinstance(error, openai.OpenAIError),
                     isinstance(error, openai.APIError)])
client.close()
print(json.dumps(seen, sort_keys=True))
