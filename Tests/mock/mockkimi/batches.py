"""The Batch API: batches advance one state per poll (GET), so tests see
every state: validating -> in_progress (nothing done) -> in_progress (half
done) -> finalizing (all done) -> completed. Each input line runs through
the same deterministic chat engine as /v1/chat/completions; a line fails
when its request asks for it with a [[mock: ...]] directive:

  status=CODE ...   the line gets that API error (response.status_code CODE)
  batch_error       the line gets `error: {code, message}` and no response

Metadata {"mock_outcome": "expired"} makes the batch expire half done;
{"mock_outcome": "failed"} makes validation fail. Output and error files
land in the Files store (purpose batch_output) and download through
GET /v1/files/{id}/content.
"""

import itertools
import json
import re
import urllib.parse

from . import chat, files
from . import scenario as scen
from .validation import APIError, invalid, validate_chat

ENDPOINT = "/v1/chat/completions"
CANCELLABLE = ("validating", "in_progress", "finalizing")
WINDOW = re.compile(r"^(\d+)([hd])$")

batches = {}
ids = itertools.count(1)
clock = itertools.count(1_700_100_000)


def check_window(window):
    match = WINDOW.match(window) if isinstance(window, str) else None
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1) if match else 0
    if not 12 <= hours <= 168:
        raise invalid(f"Invalid completion_window: {window!r}, must be between 12h and 7d")
    return hours


def check_metadata(metadata):
    if metadata is None:
        return
    if not isinstance(metadata, dict):
        raise invalid("Invalid metadata: must be an object")
    if len(metadata) > 16:
        raise invalid(f"Invalid metadata: at most 16 key-value pairs, got {len(metadata)}")
    for key, value in metadata.items():
        if len(key) > 64:
            raise invalid("Invalid metadata: keys are at most 64 characters")
        if not isinstance(value, str) or len(value) > 512:
            raise invalid(f"Invalid metadata: the value of {key!r} must be a string of at most 512 characters")


async def create(request, response, headers):
    try:
        body = request.json()
    except ValueError:
        raise invalid("Invalid request: body is not valid JSON")
    file_id = body.get("input_file_id")
    record = files.store.get(file_id)
    if record is None:
        raise APIError(404, "resource_not_found_error", f"file {file_id} not found")
    if record["meta"]["purpose"] != "batch":
        raise invalid(f"Invalid input_file_id: file {file_id} has purpose {record['meta']['purpose']}, expected batch")
    if not record["meta"]["filename"].endswith(".jsonl"):
        raise invalid(f"Invalid input file: {record['meta']['filename']} must have the .jsonl extension")
    if body.get("endpoint") != ENDPOINT:
        raise invalid(f"Invalid endpoint: {body.get('endpoint')!r}, only {ENDPOINT} is supported")
    hours = check_window(body.get("completion_window"))
    check_metadata(body.get("metadata"))
    now = next(clock)
    batch_id = f"batch_mock{next(ids):06d}"
    obj = {"id": batch_id, "object": "batch", "endpoint": ENDPOINT, "errors": None, "input_file_id": file_id,
           "completion_window": body["completion_window"], "status": "validating", "output_file_id": None,
           "error_file_id": None, "created_at": now, "in_progress_at": None, "expires_at": now + hours * 3600,
           "finalizing_at": None, "completed_at": None, "failed_at": None, "expired_at": None,
           "cancelling_at": None, "cancelled_at": None,
           "request_counts": {"total": 0, "completed": 0, "failed": 0}, "metadata": body.get("metadata")}
    batches[batch_id] = {"obj": obj, "lines": [], "done": [], "outcome": (body.get("metadata") or {}).get("mock_outcome")}
    await response.send_json(200, obj, headers=headers)


def parse_lines(record):
    """The input lines, or the errors that fail validation."""
    data = files.store[record["obj"]["input_file_id"]]["data"]
    lines, errors, seen = [], [], set()
    for number, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            errors.append({"code": "invalid_json_line", "message": "This line is not parseable as valid JSON.", "line": number})
            continue
        if not isinstance(line, dict) or not line.get("custom_id") or line.get("method") != "POST" \
                or line.get("url") != ENDPOINT or not isinstance(line.get("body"), dict):
            errors.append({"code": "invalid_request", "message": "A line needs custom_id, method POST, url "
                           f"{ENDPOINT} and a body object.", "line": number})
            continue
        model = line["body"].get("model")
        if lines and model != lines[0]["body"].get("model"):
            errors.append({"code": "model_mismatch", "message": "All requests in a batch must use the same model.",
                           "line": number})
            continue
        if line["custom_id"] in seen:
            errors.append({"code": "duplicate_custom_id", "message": f"The custom_id {line['custom_id']} is "
                           "used more than once.", "line": number})
            continue
        seen.add(line["custom_id"])
        lines.append(line)
    if record["outcome"] == "failed":
        errors.append({"code": "mock_failure", "message": "validation failed on purpose", "line": 1})
    return lines, errors


def run_line(line, n):
    """One result line of the OpenAI batch output format."""
    body = line["body"]
    result = {"id": f"batch_req_{n:06d}", "custom_id": line["custom_id"], "response": None, "error": None}
    s, text = scen.extract(body, None)
    if s.get("batch_error"):
        result["error"] = {"code": "request_failed", "message": "the engine could not run this request"}
        return result, False
    try:
        error = chat.scripted_error(s)
        if error:
            raise error
        if body.get("stream"):
            raise invalid("Invalid request: stream is not supported in batches")
        validate_chat(body)
        answer, status = chat.Reply(body, s, text).completion(), 200
    except APIError as exc:
        answer, status = exc.body(), exc.status
    result["response"] = {"status_code": status, "request_id": f"req-batch-{n:06d}", "body": answer}
    return result, status == 200


def process(record, upto):
    """Runs the input lines up to `upto` (a count) and updates the counts."""
    counts = record["obj"]["request_counts"]
    while len(record["done"]) < upto:
        result, ok = run_line(record["lines"][len(record["done"])], len(record["done"]) + 1)
        record["done"].append((result, ok))
        counts["completed" if ok else "failed"] += 1


def write_files(record):
    obj = record["obj"]
    for key, wanted in (("output_file_id", True), ("error_file_id", False)):
        data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r, ok in record["done"] if ok == wanted)
        if data:
            n = next(files.ids)
            file_id = f"file-mock{n:06d}"
            name = f"{obj['id']}_{'output' if wanted else 'error'}.jsonl"
            files.store[file_id] = {"meta": files.meta(file_id, name, len(data), "batch_output", 1700000000 + n),
                                    "data": data}
            obj[key] = file_id


def advance(record):
    """One step of the lifecycle, taken on each poll."""
    obj = record["obj"]
    status, now = obj["status"], next(clock)
    if status == "validating":
        record["lines"], errors = parse_lines(record)
        if errors:
            obj.update(status="failed", failed_at=now, errors={"object": "list", "data": errors})
        else:
            obj.update(status="in_progress", in_progress_at=now)
            obj["request_counts"]["total"] = len(record["lines"])
    elif status == "in_progress" and len(record["done"]) == 0 and record["lines"]:
        process(record, (len(record["lines"]) + 1) // 2)
    elif status == "in_progress":
        if record["outcome"] == "expired":
            write_files(record)
            obj.update(status="expired", expired_at=now)
        else:
            process(record, len(record["lines"]))
            obj.update(status="finalizing", finalizing_at=now)
    elif status == "finalizing":
        write_files(record)
        obj.update(status="completed", completed_at=now)
    elif status == "cancelling":
        write_files(record)
        obj.update(status="cancelled", cancelled_at=now)


def lookup(path):
    batch_id = path.split("/")[3]
    if batch_id not in batches:
        raise APIError(404, "resource_not_found_error", f"batch {batch_id} not found")
    return batches[batch_id]


async def retrieve(request, response, headers):
    record = lookup(request.path)
    advance(record)
    await response.send_json(200, record["obj"], headers=headers)


async def cancel(request, response, headers):
    record = lookup(request.path)
    obj = record["obj"]
    if obj["status"] not in CANCELLABLE:
        raise invalid(f"Batch {obj['id']} cannot be cancelled: its status is {obj['status']}")
    obj.update(status="cancelling", cancelling_at=next(clock))
    await response.send_json(200, obj, headers=headers)


async def list_batches(request, response, headers):
    query = urllib.parse.parse_qs(request.query)
    limit = int(query.get("limit", ["20"])[0])
    after = query.get("after", [None])[0]
    newest = list(reversed(batches.values()))
    if after is not None:
        positions = [i for i, r in enumerate(newest) if r["obj"]["id"] == after]
        newest = newest[positions[0] + 1:] if positions else []
    page = [r["obj"] for r in newest[:limit]]
    await response.send_json(200, {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
                                   "last_id": page[-1]["id"] if page else None, "has_more": len(newest) > limit},
                             headers=headers)


def route(method, path):
    """The handler for a /v1/batches... request, or None."""
    parts = path.split("/")
    if path == "/v1/batches":
        return {"POST": create, "GET": list_batches}.get(method)
    if len(parts) == 4 and parts[2] == "batches" and method == "GET":
        return retrieve
    if len(parts) == 5 and parts[2] == "batches" and parts[4] == "cancel" and method == "POST":
        return cancel
    return None
