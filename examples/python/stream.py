"""A streamed answer: Kimi's reasoning (dimmed on a terminal), then the text.

    python3 examples/python/stream.py "your question"
"""

import sys

import libkimi

client = libkimi.Client()
dim, plain = ("\033[2m", "\033[0m") if sys.stdout.isatty() else ("", "")
question = sys.argv[1] if len(sys.argv) > 1 else "Why is the sky blue?"

with client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": question}],
                                    stream=True, max_completion_tokens=8192) as stream:
    thinking = False
    for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        if delta.reasoning_content:
            if not thinking:
                print(dim, end="")
                thinking = True
            print(delta.reasoning_content, end="", flush=True)
        if delta.content:
            if thinking:
                print(plain + "\n")
                thinking = False
            print(delta.content, end="", flush=True)
print(plain)
