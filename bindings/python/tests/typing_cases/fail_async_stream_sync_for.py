from openai import AsyncOpenAI


async def main() -> None:
    client = AsyncOpenAI(api_key="key")
    stream = await client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}],
                                                  stream=True)
    for chunk in stream:
        print(chunk)
