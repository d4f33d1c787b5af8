"""Several questions at once from one asyncio loop, each answer streamed;
Ctrl-C (or a timeout) cancels what is still running.

    python3 examples/python/async_many.py "first question" "second question" ...
"""

import asyncio
import sys

import libkimi


async def ask(client, question):
    stream = await client.chat.completions.create(messages=[{"role": "user", "content": question}], stream=True,
                                                  max_completion_tokens=8192)
    async with stream:
        async for chunk in stream:
            pass  # a real program would show each piece as it arrives
    answer = stream.completion.choices[0].message
    return f"{question!r}: {answer.content}"


async def main(questions):
    async with libkimi.AsyncClient() as client:
        # Every stream is a task of libkimi's event loop; nothing here needs a thread.
        for line in await asyncio.wait_for(asyncio.gather(*(ask(client, q) for q in questions)), timeout=600):
            print(line)


asyncio.run(main(sys.argv[1:] or ["Why is the sky blue?", "What is a prime number?"]))
