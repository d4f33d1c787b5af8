"""One chat completion, exactly as with openai-python (only the import and
the client construction differ).

    python3 examples/python/chat.py "your question"
"""

import sys

import libkimi

client = libkimi.Client()  # MOONSHOT_API_KEY, KIMI_BASE_URL
reply = client.chat.completions.create(
    model="kimi-k2.6",
    messages=[{"role": "system", "content": "You are terse."},
              {"role": "user", "content": sys.argv[1] if len(sys.argv) > 1 else "Hello!"}],
    max_completion_tokens=4096,
)
print(reply.choices[0].message.content)
print(f"[{reply.choices[0].finish_reason}; {reply.usage.prompt_tokens} prompt + "
      f"{reply.usage.completion_tokens} completion tokens]")
