"""client.models (openai-python's)."""

from .. import _lib
from .._tasks import NO_CALLBACK
from .._results import task_models
from ._resource import Resource, call_settings

L = _lib.functions


class Models(Resource):
    __slots__ = ()

    def list(self, **options):
        """The models, with Kimi's capability fields (a Page of Model)."""
        return self._client._run(self._client._value(_start_list, call_settings("models.list", options), task_models))


def _start_list(client, queue, user_data, out):
    return L.kimi_models_list_start(client, queue, NO_CALLBACK, user_data, out)
