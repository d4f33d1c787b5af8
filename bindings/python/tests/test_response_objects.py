"""Response objects behave like openai-python's pydantic models: dumps
(compact JSON as pydantic writes it, byte-identical for the same object,
indent honoured), model_validate / construct, equality, pickling, repr,
unknown fields kept, for the objects read from JSON and for stream
chunks."""

import json
import pickle

import pytest

import libkimi
from conftest import user

BODY = {"id": "x", "object": "chat.completion", "created": 1, "model": "m", "future_field": {"a": [1, 2.5]},
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": 'hé "q"'}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}


def test_model_dump_json_is_pydantics():
    completion = libkimi.ChatCompletion.model_validate(BODY)
    text = completion.model_dump_json()
    assert ": " not in text and ", " not in text.replace('"hé \\"q\\""', "")  # compact, as pydantic
    assert text == completion.model_dump_json() == libkimi.ChatCompletion.model_validate(BODY).model_dump_json()
    assert "hé" in text  # UTF-8 as it is, not \\u escapes
    assert completion.model_dump_json(indent=2) == json.dumps(completion.model_dump(), indent=2, ensure_ascii=False)
    assert json.loads(completion.to_json(indent=None)) == completion.to_dict()
    openai = pytest.importorskip("openai")
    theirs = openai.types.chat.ChatCompletion.model_validate(BODY)
    for options in ({"exclude_unset": True}, {"exclude_unset": True, "indent": 2}):
        assert completion.model_dump_json(**options) == theirs.model_dump_json(**options), options
    assert completion.to_json() == theirs.to_json() and completion.to_dict() == theirs.to_dict()


def test_validate_construct_equality_and_unknown_fields():
    completion = libkimi.ChatCompletion.model_validate(BODY)
    assert completion.future_field == {"a": [1, 2.5]} and completion.model_extra == {"future_field": {"a": [1, 2.5]}}
    assert completion.choices[0].message.content == 'hé "q"'
    assert libkimi.ChatCompletion.model_validate_json(json.dumps(BODY)) == completion
    assert libkimi.ChatCompletion.construct(**BODY) == completion == libkimi.ChatCompletion.model_construct(**BODY)
    assert libkimi.ChatCompletion.model_validate(completion) is completion
    assert completion != libkimi.ChatCompletion.model_validate(dict(BODY, id="y"))
    assert completion.model_copy(update={"id": "z"}).id == "z" and completion.id == "x"
    with pytest.raises(ValueError, match="takes a dict"):
        libkimi.ChatCompletion.model_validate([1, 2])
    assert repr(completion).startswith("ChatCompletion(id='x', choices=[Choice(")
    odd = libkimi.ChatCompletion.construct(**dict(BODY, future_field=[float("nan"), float("inf"), 1.5]))
    assert '"future_field":[null,null,1.5]' in odd.model_dump_json()  # as pydantic: JSON has no NaN


def test_pickling_keeps_everything(client):
    completion = libkimi.ChatCompletion.model_validate(BODY)
    again = pickle.loads(pickle.dumps(completion))
    assert again == completion and again.model_extra == completion.model_extra
    assert again.model_fields_set == completion.model_fields_set
    reply = client.chat.completions.create(messages=user("hello"))
    assert pickle.loads(pickle.dumps(reply)) == reply
    chunks = list(client.chat.completions.create(messages=user("a b"), stream=True))
    for chunk in chunks:
        copied = pickle.loads(pickle.dumps(chunk))
        assert copied == chunk and copied.model_dump_json() == chunk.model_dump_json()
        assert copied.object == "chat.completion.chunk"
