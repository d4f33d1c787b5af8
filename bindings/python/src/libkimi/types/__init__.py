"""openai-python's type names (openai.types), for annotations in code that
switches to libkimi: `from libkimi.types import CompletionUsage`."""

from .._batches import Batch, BatchRequestCounts
from .._types import (Balance, CompletionTokensDetails, CompletionUsage, FileContent, FileDeleted, FileObject, Model,
                      PromptTokensDetails)
from . import chat

__all__ = ["Batch", "BatchRequestCounts", "Balance", "CompletionTokensDetails", "CompletionUsage", "FileContent",
           "FileDeleted", "FileObject", "Model", "PromptTokensDetails", "chat"]
