"""Ask about an image. The format is detected from the bytes, and the file
is read and base64-encoded by libkimi while the request is sent.

    python3 examples/python/image.py photo.jpg ["question"]
"""

import sys

import libkimi

if len(sys.argv) < 2:
    sys.exit(__doc__)
client = libkimi.Client()
reply = client.chat.completions.create(model="kimi-k2.6", messages=[{"role": "user", "content": [
    libkimi.image_from_path(sys.argv[1]),
    {"type": "text", "text": sys.argv[2] if len(sys.argv) > 2 else "Describe this image in two sentences."},
]}])
print(reply.choices[0].message.content)
