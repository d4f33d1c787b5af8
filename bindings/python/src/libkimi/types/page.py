"""A list result, iterable like openai-python's pages."""

from ._base import _Object


class Page(_Object):
    """A list result (`data`), iterable like openai-python's pages."""

    __slots__ = _fields = ("data", "object")

    def __init__(self, data):
        self.object = "list"
        self.data = data

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)

    def __getitem__(self, i):
        return self.data[i]
