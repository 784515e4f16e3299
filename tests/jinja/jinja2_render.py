#!/usr/bin/python3
"""Renders the Jinja corpus with Debian's python3-jinja2, the reference for atoll's engine.

Usage: /usr/bin/python3 jinja2_render.py CORPUS_DIR OUT_JSON

Each case of CORPUS_DIR is NAME.j2 (the template) with an optional NAME.json (the
context, a JSON object). Templates named by include/import/from come from
CORPUS_DIR/_lib/. The environment has the settings dbt uses: no autoescape,
trim_blocks/lstrip_blocks/keep_trailing_newline false, the `do` and `loopcontrols`
extensions. OUT_JSON receives {"NAME": {"ok": true, "output": "..."} or
{"ok": false, "error": "..."}}; differential_test.cc compares atoll's rendering with it.
Exit status: 0, or 2 when jinja2 cannot be imported.
"""
import json
import os
import sys

try:
    import jinja2
except ImportError as e:  # the test must fail, not skip, without the reference
    print(f"cannot import jinja2 (apt-get install python3-jinja2): {e}", file=sys.stderr)
    sys.exit(2)


def main():
    corpus, out_path = sys.argv[1], sys.argv[2]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(corpus, "_lib")),
        extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
    )
    results = {}
    for name in sorted(os.listdir(corpus)):
        if not name.endswith(".j2"):
            continue
        case = name[:-3]
        with open(os.path.join(corpus, name), encoding="utf-8", newline="") as f:
            source = f.read()
        context = {}
        ctx_path = os.path.join(corpus, case + ".json")
        if os.path.exists(ctx_path):
            with open(ctx_path, encoding="utf-8") as f:
                context = json.load(f)
        try:
            output = env.from_string(source).render(context)
            results[case] = {"ok": True, "output": output}
        except Exception as e:  # any jinja2 failure: atoll must fail too
            results[case] = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False, indent=1)
    print(f"{jinja2.__version__}: {len(results)} cases")


if __name__ == "__main__":
    main()
