"""Classifies reviews through Kimi's Batch API, with a progress line and the
total cost.

    python batch_classify.py [count (1000)] [poll interval in seconds (5)]
"""

import sys
import tempfile

import libkimi

SUBJECTS = ["The battery", "The screen", "Delivery", "The price", "Customer support"]
VERDICTS = ["is excellent", "was a disappointment", "is fine, nothing special", "exceeded what I expected",
            "broke after a week"]
INSTRUCTION = "Classify the sentiment of the review. Answer with one word: positive, negative or neutral."


def main(count=1000, poll_interval=5.0):
    client = libkimi.Client()
    with tempfile.NamedTemporaryFile(suffix=".jsonl") as file:
        with libkimi.BatchInput(file.name) as requests:
            for i in range(count):
                review = f"{SUBJECTS[i % 5]} {VERDICTS[i // 5 % 5]}."
                requests.add(f"review-{i}", messages=[{"role": "system", "content": INSTRUCTION},
                                                      {"role": "user", "content": review}],
                             thinking={"type": "disabled"}, max_tokens=5)
        batch = client.batches.submit(file.name, metadata={"job": "batch_classify example"})

    def progress(b):
        counts = b.request_counts
        print(f"\r{b.id}: {b.status:<11} {counts.completed + counts.failed}/{counts.total} done, "
              f"{counts.failed} failed", end="", file=sys.stderr, flush=True)

    client.batches.wait(batch, poll_interval=poll_interval, on_progress=progress)
    print(file=sys.stderr)
    labels = {"positive": 0, "negative": 0, "neutral": 0, "unclear": 0, "failed": 0}
    for result in client.batches.results(batch):
        if not result.ok:
            labels["failed"] += 1
            print(f"{result.custom_id} failed (HTTP {result.status_code}): {result.error}", file=sys.stderr)
            continue
        answer = (result.response.choices[0].message.content or "").lower()
        labels[next((label for label in ("positive", "negative", "neutral") if label in answer), "unclear")] += 1
    print(f"{count} reviews: " + ", ".join(f"{n} {label}" for label, n in labels.items()))
    usage = client.usage
    print(f"tokens: {usage.prompt_tokens} prompt ({usage.cached_tokens} cached), {usage.completion_tokens} "
          f"completion; total cost ${usage.cost_usd:.6f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, float(sys.argv[2]) if len(sys.argv) > 2 else 5.0)
