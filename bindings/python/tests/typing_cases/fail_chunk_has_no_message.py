from openai import OpenAI

client = OpenAI(api_key="key")
stream = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}], stream=True)
for chunk in stream:
    print(chunk.choices[0].message)
