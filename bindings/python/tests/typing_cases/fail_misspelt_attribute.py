from openai import OpenAI

client = OpenAI(api_key="key")
completion = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}])
print(completion.choices[0].message.contnet)
