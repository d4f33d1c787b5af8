from typing import List

from openai.types.chat import ChatCompletionToolParam

tools: List[ChatCompletionToolParam] = [{"type": "function", "function": {"nam": "get_weather"}}]
