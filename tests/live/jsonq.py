#!/usr/bin/env python3
"""jsonq.py - query netprobe's JSON-lines output in the live tests (stdlib only, no jq).

  jsonq.py lint FILE             every non-empty line must be a JSON object with a string "type";
                                 exit 1 (and one line per problem) otherwise
  jsonq.py get FILE EXPR         print the value of the Python expression EXPR as JSON
  jsonq.py check FILE EXPR [SHOW]
                                 exit 0 when EXPR is true; else exit 1 and print what SHOW
                                 (default: EXPR) evaluates to, for the FAIL line

Names available in EXPR (lines that are not JSON objects are skipped here; `lint` reports them):
  objs     every object, in order          probes   the {"type":"probe"} objects
  hops     the {"type":"hop"} objects      summary  the last {"type":"summary"} object, or {}
  get(o, "a.b.c", default=None)            dotted lookup that never raises
  num(x)   x is an int or float (not bool) all, any, len, sorted, set, min, max, abs
A Python error in EXPR is reported and counts as false (exit 1).
"""
import json
import sys


def load(path):
    objs, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                o = json.loads(line)
            except ValueError as e:
                problems.append("line %d: not JSON (%s): %s" % (n, e, line.rstrip()[:200]))
                continue
            if not isinstance(o, dict):
                problems.append("line %d: not a JSON object: %s" % (n, line.rstrip()[:200]))
                continue
            if not isinstance(o.get("type"), str):
                problems.append("line %d: no string \"type\": %s" % (n, line.rstrip()[:200]))
            objs.append(o)
    return objs, problems


def get(o, path, default=None):
    cur = o
    for key in path.split("."):
        if isinstance(cur, dict) and key in cur:
            cur = cur[key]
        elif isinstance(cur, list) and key.lstrip("-").isdigit() and -len(cur) <= int(key) < len(cur):
            cur = cur[int(key)]
        else:
            return default
    return cur


def num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def env(objs):
    summaries = [o for o in objs if o.get("type") == "summary"]
    return {
        "__builtins__": {},
        "objs": objs,
        "probes": [o for o in objs if o.get("type") == "probe"],
        "hops": [o for o in objs if o.get("type") == "hop"],
        "summary": summaries[-1] if summaries else {},
        "get": get, "num": num,
        "all": all, "any": any, "len": len, "sorted": sorted, "set": set, "list": list,
        "min": min, "max": max, "abs": abs, "isinstance": isinstance, "str": str,
        "int": int, "float": float, "dict": dict, "True": True, "False": False, "None": None,
    }


def evaluate(expr, objs):
    try:
        return eval(expr, env(objs)), None  # expressions come from the test scripts only
    except Exception as e:  # noqa: BLE001 - any error means "check failed"
        return None, "%s: %s" % (type(e).__name__, e)


def short(v):
    s = json.dumps(v, sort_keys=True) if not isinstance(v, str) else v
    return s if len(s) <= 600 else s[:600] + "..."


def main(argv):
    if len(argv) == 2 and argv[0] == "lint":
        _, problems = load(argv[1])
        for p in problems:
            print(p)
        return 1 if problems else 0
    if len(argv) == 3 and argv[0] == "get":
        objs, _ = load(argv[1])
        v, err = evaluate(argv[2], objs)
        if err:
            print(err, file=sys.stderr)
            return 1
        print(short(v) if isinstance(v, str) else json.dumps(v))
        return 0
    if len(argv) in (3, 4) and argv[0] == "check":
        objs, _ = load(argv[1])
        v, err = evaluate(argv[2], objs)
        if err is None and v:
            return 0
        if err:
            print("error in %s: %s" % (argv[2], err))
        show = argv[3] if len(argv) == 4 else argv[2]
        sv, serr = evaluate(show, objs)
        print("%s = %s" % (show, serr if serr else short(sv)))
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
