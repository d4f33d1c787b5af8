"""A tools agent: Python functions as tools, run by libkimi's tool loop.
The JSON Schema of each tool comes from its signature and docstring.

    python3 examples/python/agent.py "What is (17 + 25) * 3, and what time is it?"
"""

import ast
import datetime
import operator
import sys

import libkimi

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
             ast.USub: operator.neg}


def calculator(expression: str) -> str:
    """Evaluates an arithmetic expression with + - * / and parentheses.

    :param expression: the expression, e.g. (17 + 25) * 3
    """
    def evaluate(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in OPERATORS:
            return OPERATORS[type(node.op)](evaluate(node.operand))
        raise libkimi.ToolError(f"cannot evaluate {ast.unparse(node)!r}")  # the model sees this

    return str(evaluate(ast.parse(expression, mode="eval").body))


def clock() -> str:
    """The current date and time in UTC."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def show(event):
    if event.type == "content":
        print(event.text, end="", flush=True)
    elif event.type == "tool_call_start":
        print(f"  [calling {event.tool_call_name}]", file=sys.stderr)


client = libkimi.Client()
with client.conversation("kimi-k2.6", tools=[calculator, clock], max_completion_tokens=8192) as agent:
    agent.add_message("user", sys.argv[1] if len(sys.argv) > 1 else "What is (17 + 25) * 3, and what time is it?")
    agent.run(max_steps=6, on_event=show)
    print()
