"""client.models (openai-python's)."""

from __future__ import annotations

from .. import _lib
from .._errors import NotFoundError
from .._tasks import NO_CALLBACK
from .._results import task_models
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
        """One model by id (openai-python's models.retrieve), read from the
        models list (the C library lists models; Kimi's answer is small). A
        model the list does not have raises NotFoundError, with status_code
        None: the server was not asked for it alone."""
        return self._client._run(self._retrieve(str(model), call_settings("models.retrieve", options)))

    async def _retrieve(self, model: str, settings: Any) -> Model:
        listed = await self._client._value(_start_list, settings, task_models)
        for found in listed.data:
            if found.id == model:
                return found
        known = ", ".join(repr(m.id) for m in listed.data[:8])
        raise NotFoundError(f"models.retrieve: no model {model!r} among the server's models ({known})",
                            kind="not_found", param="model")


def _start_list(client: Any, queue: Any, user_data: Any, out: Any) -> int:
    status: int = L.kimi_models_list_start(client, queue, NO_CALLBACK, user_data, out)
    return status


if TYPE_CHECKING:
    class AsyncModels(Resource):
        def list(self, **options: Unpack[RequestOptions]) -> AsyncPaginator[Model, Page[Model]]: ...
        async def retrieve(self, model: str, **options: Unpack[RequestOptions]) -> Model: ...
else:
    AsyncModels = Models
