from typing import List

from openai import OpenAI
from openai.types.chat import ChatCompletionMessageParam

client = OpenAI(api_key="key")
messages: List[ChatCompletionMessageParam] = [{"role": "usr", "content": "Hi"}]
client.chat.completions.create(model="kimi-k2.6", messages=messages)
