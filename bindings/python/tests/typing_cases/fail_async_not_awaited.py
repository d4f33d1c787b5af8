from openai import AsyncOpenAI


async def main() -> None:
    client = AsyncOpenAI(api_key="key")
    reply = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}])
    print(reply.choices[0].message.content)
