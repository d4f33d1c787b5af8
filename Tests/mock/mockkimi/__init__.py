"""A local mock of Moonshot's Kimi API (standard library only).

It speaks the same HTTP, JSON and SSE as Kimi, validates requests the way
Kimi does, and answers deterministically so tests can assert exact text.
Scenarios are chosen by the request itself (see scenario.py), so any client
can drive it.
"""
