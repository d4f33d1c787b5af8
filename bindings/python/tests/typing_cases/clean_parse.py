"""parse() and stream() are generic as in openai-python: `.parsed` is the
response_format type, so its fields check (sync, async, the beta alias and
the streaming helper's final completion)."""

import asyncio
from typing import Optional

from pydantic import BaseModel

from openai import AsyncOpenAI, OpenAI


class City(BaseModel):
    name: str
    population: int


def population(city: Optional[City]) -> int:
    return city.population if city is not None else 0


client = OpenAI(api_key="key")
completion = client.chat.completions.parse(model="kimi-k2.6", messages=[{"role": "user", "content": "Paris"}],
                                           response_format=City)
parsed = completion.choices[0].message.parsed
if parsed is not None:
    name: str = parsed.name
    print(name.upper(), parsed.population + 1)
print(population(completion.choices[0].message.parsed))

with client.chat.completions.stream(model="kimi-k2.6", messages=[{"role": "user", "content": "Lima"}],
                                    response_format=City) as stream:
    final = stream.get_final_completion()
    print(population(final.choices[0].message.parsed))

beta = client.beta.chat.completions.parse(model="kimi-k2.6", messages=[{"role": "user", "content": "Rome"}],
                                          response_format=City)
print(population(beta.choices[0].message.parsed))


async def main() -> None:
    aclient = AsyncOpenAI(api_key="key")
    answer = await aclient.chat.completions.parse(model="kimi-k2.6", messages=[{"role": "user", "content": "Oslo"}],
                                                  response_format=City)
    city = answer.choices[0].message.parsed
    if city is not None:
        print(city.name.lower(), city.population // 2)

asyncio.run(main())
