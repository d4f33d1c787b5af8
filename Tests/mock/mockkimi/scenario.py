"""Scenarios are chosen by the request itself, so any client can drive the
mock: a `[[mock: key=value flag ...]]` directive in the last user message,
or the same text in an `X-Mock-Scenario` header. Directives are removed
from the text the reply echoes.

Keys (all optional):
  reply=TEXT        the answer text (use _ for spaces); default "You said: <text>"
  unicode           answer with non-ASCII text (multi-byte UTF-8 and an emoji)
  chunks=N          answer with N content pieces "tok " (benchmarks)
  mixed             with chunks=N: N/2 non-ASCII pieces, then a tool call whose
                    arguments come in N/2 pieces (finish_reason tool_calls)
  reasoning_chunks=N  N reasoning pieces "think " before the answer
  split=N           write the stream in N-byte network writes
  big               write the whole stream in one network write
  batch=N           write the stream in writes of at least N bytes
  crlf | cr         end SSE lines with CRLF or CR instead of LF
  nospace           "data:" without the space before the payload
  bom               start the stream with a UTF-8 byte order mark
  keepalive         ": keep-alive" comments between events
  multiline         split each payload over several data: lines
  fields            add event:, id: and retry: lines to every event
  usage=choice|top|both|none   where usage goes (default choice: Kimi's
                    choices[i].usage in the finish chunk; non-stream: top)
  cached=N          cached tokens; spelling=top|details|both (default top)
  prompt_tokens=N completion_tokens=N   report these token counts (cost tests)
  calls=NAME,NAME   answer with calls to these functions (finish_reason tool_calls),
                    ids functions.NAME:i, arguments {"city":"Paris","n":i}
  interleave        stream the calls' argument pieces alternately
  tool_rounds=N     with tools declared, call them for N rounds (default 1),
                    then answer "Tool results: name=result; ..."
  tools=NAME,NAME   which declared tools to call (default: each, at most 3)
  bad_args          send function arguments that are not valid JSON
  noindex           leave "index" out of streamed tool-call fragments
  bad_data_after=N  after N answer pieces send a data: payload that is not JSON
  error_after=N     after N answer pieces send data: {"error":...} and end
  event_error_after=N  the same as "event: error"
  cut_after=N       drop the connection after N answer pieces
  end_after=N       end the body cleanly after N pieces, without [DONE]
  no_done           send everything except data: [DONE]
  finish=REASON     end the answer with this finish_reason (content_filter, say)
  finish_in_piece   the streamed finish chunk also carries a last content
                    piece "!" (one chunk: content, finish and usage events)
  stall_after=N stall_ms=M   pause M ms after N pieces
  stall_ms=M        pause M ms before answering
  delay_ms=M        pause M ms between pieces (demos)
  status=CODE type=T message=TEXT code=C code_int   answer with an API error
  retry_after=S | retry_after_ms=N   with status=: send Retry-After / retry-after-ms
  drop              close the connection without answering
  redirect=URL      answer 307 with Location: URL
  echo_auth         answer 400 quoting the Authorization header (redaction tests);
                    echo_auth=fields puts it, with control characters, in the
                    error's type, code, message and x-request-id; echo_auth=header
                    answers normally with it in x-request-id
  html=CODE         answer with an HTML error page (a proxy)
  empty=CODE        answer CODE with an empty body
  garbage           answer 200 with bytes that are not JSON
  json_stream       answer a streamed request with a non-streamed JSON body
  long_ids=N        answer with an id and a model name N characters long
  show_header=N,M   append "[N=value]" for these request headers to the answer
  show_query        append "[query=...]" (the request's query string) to the answer
  rheader=N:V,M:W   send these response headers (use _ for spaces)
  key=NAME          count the request under NAME: GET /mock/count/NAME tells
                    how many came, how many are in flight and the peak
  times=K           with key=: the failure keys above apply to the first K
                    requests of that key only; later ones are answered normally
"""

import collections
import contextlib
import re

DIRECTIVE = re.compile(r"\[\[mock:(.*?)\]\]", re.S)


class Scenario(dict):
    def int(self, key, default=None):
        value = self.get(key)
        if value is None or value is True:
            return default
        return int(value)

    def text(self, key, default=None):
        value = self.get(key)
        if value is None or value is True:
            return default
        return str(value).replace("_", " ")


def parse(text):
    scenario = Scenario()
    for token in text.split():
        key, eq, value = token.partition("=")
        scenario[key] = value if eq else True
    return scenario


def message_text(message):
    """The text of a message: a string, or its text parts joined."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def extract(body, header):
    """The scenario of a chat request and the last user text without directives."""
    scenario = parse(header) if header else Scenario()
    text = ""
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            text = message_text(message)
            break
    for match in DIRECTIVE.finditer(text):
        scenario.update(parse(match.group(1)))
    text = DIRECTIVE.sub("", text).strip()
    return scenario, text


# Keys that make a request fail, which `times=K` limits to the first K requests.
FAILURES = {"status", "type", "message", "code", "code_int", "retry_after", "retry_after_ms", "drop", "redirect", "echo_auth",
            "html", "empty", "garbage", "json_stream", "stall_ms", "stall_after", "cut_after", "end_after",
            "no_done", "error_after", "event_error_after", "bad_data_after", "bad_args"}

counts = collections.Counter()
active = collections.Counter()
peak = collections.Counter()


@contextlib.contextmanager
def in_flight(key):
    """Tracks the requests of `key` being answered, and their peak."""
    if not key or key is True:
        yield
        return
    active[key] += 1
    peak[key] = max(peak[key], active[key])
    try:
        yield
    finally:
        active[key] -= 1


def count(scenario):
    """Counts the request under its key, and drops the failure keys once a
    `times=K` scenario has failed K times."""
    key = scenario.get("key")
    if not key or key is True:
        return scenario
    seen = counts[key]
    counts[key] += 1
    times = scenario.int("times")
    if times is None or seen < times:
        return scenario
    return Scenario({k: v for k, v in scenario.items() if k not in FAILURES})
