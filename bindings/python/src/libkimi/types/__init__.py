"""The result types, with openai-python's names (openai.types), for
annotations in code that switches to libkimi: `from libkimi.types import
CompletionUsage`. Each module holds one kind of result; none imports a
client or a resource."""

from . import chat
from .account import Balance, UsageTotals
from .batch import Batch, BatchPage, BatchRequestCounts, BatchResult
from .completion_usage import CompletionTokensDetails, CompletionUsage, PromptTokensDetails
from .file_object import FileContent, FileDeleted, FileObject
from .model import Model
from .page import CursorPage, Page
from .stream_event import StreamEvent

__all__ = ["Batch", "BatchPage", "BatchRequestCounts", "BatchResult", "Balance", "CompletionTokensDetails",
           "CompletionUsage", "CursorPage", "FileContent", "FileDeleted", "FileObject", "Model", "Page", "PromptTokensDetails",
           "StreamEvent", "UsageTotals", "chat"]
