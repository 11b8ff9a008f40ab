"""Writes a copy of a spec with one field replaced or deleted: mutate.py SRC DST PATH [JSON|--delete].

PATH is dot-separated keys and list indices (graphs.0.nodes.3.target). The negative tests derive
their broken inputs from real fixtures this way, so they stay in step with the schema.
"""
import json
import sys

src, dst, path = sys.argv[1:4]
spec = json.load(open(src))
*parents, last = [int(p) if p.lstrip("-").isdigit() else p for p in path.split(".")]
holder = spec
for key in parents:
    holder = holder[key]
if sys.argv[4] == "--delete":
    del holder[last]
else:
    holder[last] = json.loads(sys.argv[4])
json.dump(spec, open(dst, "w"), indent=1)
