from pydantic import BaseModel

from openai import OpenAI


class City(BaseModel):
    name: str
    population: int


client = OpenAI(api_key="key")
completion = client.chat.completions.parse(model="kimi-k2.6", messages=[{"role": "user", "content": "Paris"}],
                                           response_format=City)
city = completion.choices[0].message.parsed
if city is not None:
    print(city.populaton)
