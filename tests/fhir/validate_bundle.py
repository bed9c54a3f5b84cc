"""Validates a trdcheck FHIR Bundle (a course export) with the fhir.resources R4B models.

Usage: validate_bundle.py BUNDLE.json
Validates the Bundle and each of its resources with its own model, and checks that every
reference inside it resolves to an entry of the Bundle. Prints "valid:" and the resource counts
as JSON; exits 1 on the first problem.
"""
import importlib
import json
import sys

from fhir.resources.R4B.bundle import Bundle


def references(value):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "reference" and isinstance(v, str):
                yield v
            else:
                yield from references(v)
    elif isinstance(value, list):
        for v in value:
            yield from references(v)


def main(path):
    with open(path) as f:
        data = json.load(f)
    Bundle.model_validate(data)
    counts = {}
    urls = {e["fullUrl"] for e in data["entry"]}
    for e in data["entry"]:
        r = e["resource"]
        kind = r["resourceType"]
        module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
        getattr(module, kind).model_validate(r)
        counts[kind] = counts.get(kind, 0) + 1
        dangling = [ref for ref in references(r) if ref not in urls]
        if dangling:
            sys.exit(f"{kind} {r.get('id')} refers outside the bundle: {dangling}")
    print("valid: " + json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
