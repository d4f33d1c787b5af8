from openai import OpenAI

client = OpenAI(api_key="key")
for chunk in client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}]):
    print(chunk.choices[0].delta.content)
