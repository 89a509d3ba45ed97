#!/usr/bin/python3
"""Checks dutyd's OpenAPI file, and API answers against it.

  check-openapi.py SPEC                          the file is a valid OpenAPI 3.1 document
  check-openapi.py SPEC METHOD PATH STATUS FILE  FILE (JSON) fits the response schema of that operation
                                                 and status ("default" when the status is not listed)
  check-openapi.py SPEC --batch FILE             the same for every line of FILE: {"method", "path",
                                                 "status", "body"} (one Python start for many answers)

openapi-3.1-schema.json beside this file is the OpenAPI Initiative's schema for 3.1 documents
(https://spec.openapis.org/oas/3.1/schema/2022-10-07, Apache-2.0). Uses Debian's python3-jsonschema
and python3-yaml. Exit 0 when it fits; 1 with the reasons on stderr.
"""
import json
import os
import sys

import jsonschema
import yaml

here = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    sys.stderr.write(message + "\n")
    sys.exit(1)


# libyaml's loader when Debian's python3-yaml has it (it does): the same YAML, read 8 times faster.
spec = yaml.load(open(sys.argv[1], encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
if len(sys.argv) == 2:
    meta = json.load(open(os.path.join(here, "openapi-3.1-schema.json"), encoding="utf-8"))
    errors = sorted(jsonschema.Draft202012Validator(meta).iter_errors(spec), key=lambda e: list(e.path))
    if errors:
        fail("\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors))
    # YAML 1.1 reads a bare on/off/yes/no as a boolean: a key `on:` would silently become True.
    def keys(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if not isinstance(k, str):
                    fail(f"{path}: key {k!r} is not a string; quote it (\"on\": ...)")
                keys(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                if isinstance(v, bool):
                    fail(f"{path}[{i}]: {v!r} is a boolean; quote it")
                keys(v, f"{path}[{i}]")
    keys(spec, "")
    # Every $ref resolves.
    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)
    for ref in refs(spec):
        target = spec
        for part in ref.lstrip("#/").split("/"):
            if part not in target:
                fail(f"unresolved $ref {ref}")
            target = target[part]
    sys.exit(0)

validators = {}


def problems(method, path, status, body, content_type="application/json"):
    """What is wrong with `body` as the answer `status` of `method path` in `content_type` (for
    application/jsonl: one of its lines); empty when it fits."""
    method = method.lower()
    key = (method, path, status, content_type)
    if key not in validators:
        validators[key] = validator(method, path, status, content_type)
    found = validators[key]
    if isinstance(found, list):
        return found
    errors = sorted(found.iter_errors(body), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:20]]


def validator(method, path, status, content_type):
    """The schema validator of that answer, or the reason there is none (a list of one problem); made
    once per operation, status and type (a streamed answer's thousand lines share one)."""
    operation = spec["paths"].get(path, {}).get(method)
    if operation is None:
        return [f"{method.upper()} {path} is not in the OpenAPI file"]
    responses = operation["responses"]
    response = responses.get(status) or responses.get("default")
    if response is None:
        return [f"{method.upper()} {path} does not document status {status}"]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].split("/")[-1]]
    if content_type not in response["content"]:
        return [f"{method.upper()} {path} does not document {content_type} for status {status}"]
    schema = response["content"][content_type]["schema"]
    # The spec itself is the root document, so #/components/... references resolve inside it.
    root = dict(spec)
    root.update(schema)
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())


if sys.argv[2] == "--batch":
    # One answer a line: {"method", "path", "status", "body"} and optionally "content_type" (a line of
    # a JSON Lines answer is checked alone); every one that does not fit is named.
    failures = []
    for number, line in enumerate(open(sys.argv[3], encoding="utf-8"), 1):
        try:
            a = json.loads(line)
        except ValueError as e:
            failures.append(f"line {number}: the answer is not JSON ({e}): {line[:300]}")
            continue
        for p in problems(a["method"], a["path"], str(a["status"]), a["body"], a.get("content_type", "application/json")):
            failures.append(f"{a['method']} {a['path']} {a['status']}: {p}")
    if failures:
        fail("\n".join(failures))
    sys.exit(0)

method, path, status, file = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
found = problems(method, path, status, json.load(open(file, encoding="utf-8")))
if found:
    fail("\n".join(found))
