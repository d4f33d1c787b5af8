"""client.models (openai-python's)."""

from __future__ import annotations

from .. import _lib
from .._errors import RequestRefusedError
from .._tasks import NO_CALLBACK
from .._results import task_model, task_models
from ._resource import Resource, call_settings


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from typing_extensions import Unpack

    from ..types.chat.completion_create_params import RequestOptions
    from ..types.model import Model
    from ..types.page import AsyncPaginator, Page

L = _lib.functions


class Models(Resource):
    __slots__ = ()

    def list(self, **options: Unpack[RequestOptions]) -> Page[Model]:
        """The models, with Kimi's capability fields (a Page of Model)."""
        return self._client._paginate(self._client._value(_start_list, call_settings("models.list", options),
                                                          task_models))

    def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model:
        """One model by id (GET /v1/models/{model}). An id the key cannot
        use raises NotFoundError (status_code 404), as openai-python does;
        a value that is no id ("../x", "a?b", over 256 bytes) raises
        RequestRefusedError before anything is sent."""
        text = str(model)
        if "\0" in text:
            raise RequestRefusedError(f"model: {text!r} holds a NUL character, which cannot be sent", param="model")
        encoded = text.encode()

        def start(client: Any, queue: Any, user_data: int, out: Any) -> int:
            status: int = L.kimi_model_retrieve_start(client, encoded, queue, NO_CALLBACK, user_data, out)
            return status
        return self._client._run(self._client._value(start, call_settings("models.retrieve", options), task_model))


def _start_list(client: Any, queue: Any, user_data: Any, out: Any) -> int:
    status: int = L.kimi_models_list_start(client, queue, NO_CALLBACK, user_data, out)
    return status


if TYPE_CHECKING:
    class AsyncModels(Resource):
        def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Model, Page[Model]]: ...
        async def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model: ...
else:
    AsyncModels = Models
