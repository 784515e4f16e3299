#!/usr/bin/env python3
"""Writes a generated dbt project for the parse benchmark (docs/benchmarks.md).

Usage: gen_dbt_project.py N DIR

N models in 10 folders, each with a config() call and refs to up to three earlier models
(a seeded random DAG), one properties file per folder giving every model a described
column with unique and not_null tests, a source and a seed.
"""
import os
import random
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    n, root = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(18)
    os.makedirs(os.path.join(root, "seeds"), exist_ok=True)
    with open(os.path.join(root, "dbt_project.yml"), "w") as f:
        f.write("name: gen\nversion: '1'\nmodels:\n  gen:\n    +materialized: view\n")
        for d in range(10):
            f.write(f"    f{d}:\n      +tags: [folder{d}]\n")
    with open(os.path.join(root, "seeds", "codes.csv"), "w") as f:
        f.write("code,label\n1,one\n")
    props = {d: ["version: 2", "models:"] for d in range(10)}
    for i in range(n):
        d = i % 10
        folder = os.path.join(root, "models", f"f{d}")
        os.makedirs(folder, exist_ok=True)
        if i == 0:
            deps = ["{{ source('raw', 'events') }}", "{{ ref('codes') }}"]
        else:
            deps = [f"{{{{ ref('m{j}') }}}}" for j in rng.sample(range(i), min(i, 3))]
        body = "\nunion all\n".join(f"select id from {dep}" for dep in deps)
        with open(os.path.join(folder, f"m{i}.sql"), "w") as f:
            f.write(f"{{{{ config(materialized='table', tags=['m{i % 7}']) }}}}\n{body}\n")
        props[d] += [f"  - name: m{i}", "    description: generated", "    columns:",
                     "      - name: id", "        data_tests: [unique, not_null]"]
    for d, lines in props.items():
        if d == 0:
            lines += ["sources:", "  - name: raw", "    tables:", "      - name: events"]
        folder = os.path.join(root, "models", f"f{d}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "_props.yml"), "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
