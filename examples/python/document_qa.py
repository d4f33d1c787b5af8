"""Questions about a document: upload it for extraction, then ask.

    python3 examples/python/document_qa.py report.pdf "What are the findings?"
"""

import sys

import libkimi

if len(sys.argv) < 3:
    sys.exit(__doc__)
client = libkimi.Client()
document = client.files.create(file=sys.argv[1], purpose="file-extract")
try:
    text = client.files.content(document.id).text
    reply = client.chat.completions.create(model="kimi-k2.6", messages=[
        {"role": "system", "content": "Answer from the document below. Say so when it does not tell."},
        {"role": "system", "content": text},
        {"role": "user", "content": sys.argv[2]},
    ])
    print(reply.choices[0].message.content)
finally:
    client.files.delete(document.id)
