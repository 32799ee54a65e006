"""Parses Prometheus text exposition from stdin with the reference client's parser; prints one line per sample
family (name and type). Exits non-zero if the text does not parse."""
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    print(family.name, family.type, len(family.samples))
