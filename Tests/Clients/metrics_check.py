"""Reads a /metrics scrape on stdin with prometheus_client's own text parser and prints what it found
as JSON: {family name: {"type": ..., "samples": [[sample name, labels, value], ...]}}. A scrape the
parser refuses makes it exit 1 with the parser's error."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    families = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = {
            "type": family.type,
            "samples": [[s.name, dict(s.labels), s.value] for s in family.samples],
        }
except Exception as error:  # the parser's refusal is the finding
    print(f"unparseable: {error}", file=sys.stderr)
    sys.exit(1)
json.dump(families, sys.stdout)
