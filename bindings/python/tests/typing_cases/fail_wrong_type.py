from openai import OpenAI

client = OpenAI(api_key="key")
client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": "Hi"}], temperature="hot")
