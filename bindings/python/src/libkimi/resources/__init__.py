"""The resources of a client (client.chat, client.files, client.models,
client.batches and the account's calls), each written once for both
clients: its methods check their arguments and return the client's run of
a coroutine, which the sync client runs to its end at once and the async
client hands to the caller to await (libkimi._tasks)."""

from .batches import Batches
from .chat import Beta, Chat, Completions
from .files import Files
from .models import Models

__all__ = ["Batches", "Beta", "Chat", "Completions", "Files", "Models"]
