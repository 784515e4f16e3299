#!/usr/bin/python3
"""Checks that atoll's sources follow the layer table of docs/design.md.

Usage: check_layers.py [ROOT]
  ROOT: a checkout (default: the one holding this script). Exit 0: clean; 1: violations,
  one a line on stdout, each naming the file at fault; 2: no usable layer table.

The table is the Markdown table in ROOT/docs/design.md whose header has the columns
`layer` and `may use` (the header cell may go on, e.g. `may use (folders)`). Its rows run from the lowest layer up. The layer cell names a
folder of ROOT/src/atoll/ in backticks; the may-use cell lists, in backticks, the folders
that layer may include (`—` for none). Nothing is inherited: a row lists every folder its
files include directly, and each of them must be a row above it (so there is no cycle).

Checked:
  1. the table: every folder of src/atoll/ has a row, every row a folder, every may-use
     entry is a layer listed above the row;
  2. includes: a file in src/atoll/<folder>/ (any depth; the folder is the first path
     segment, so atoll/iceberg/manifest/x.h belongs to `iceberg`) includes
     "atoll/<other>/..." only when <other> is <folder> or listed in <folder>'s row;
  3. CMake: the atoll::<x> targets named in src/atoll/<folder>/CMakeLists.txt (and the
     CMakeLists.txt of its subfolders) are exactly the folders its files include (other
     than itself): none missing, none unused.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*["<]atoll/([^/">]+)/')
RELATIVE_INCLUDE = re.compile(r'^\s*#\s*include\s*"[^"]*\.\./')
TARGET = re.compile(r"\batoll::(\w+)")
BACKTICKED = re.compile(r"`([^`]*)`")
SOURCE_SUFFIXES = (".h", ".cc", ".hpp", ".cpp", ".inc")


class TableError(Exception):
    pass


def cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def folder_name(cell):
    """`iceberg` or `src/atoll/iceberg/` or `iceberg/…` -> iceberg."""
    names = BACKTICKED.findall(cell)
    if not names:
        return None
    name = names[0].strip().rstrip("…").strip("/")
    if name.startswith("src/atoll/"):
        name = name[len("src/atoll/"):]
    return name.split("/")[0] or None


def read_layer_table(design_path):
    """Returns [(layer, [may use...], line number)] in table order (lowest first)."""
    try:
        with open(design_path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except OSError as e:
        raise TableError(f"{design_path}: cannot read: {e}")
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("|"):
            continue
        header = [c.lower() for c in cells(line)]
        may_use_cols = [n for n, c in enumerate(header) if c.startswith("may use")]
        if not header or not header[0].startswith("layer") or not may_use_cols:
            continue
        may_use_col = may_use_cols[0]
        rows = []
        for n in range(i + 2, len(lines)):  # skip the |---| line
            if not lines[n].lstrip().startswith("|"):
                break
            row = cells(lines[n])
            layer = folder_name(row[0])
            if layer is None:
                raise TableError(f"{design_path}:{n + 1}: a layer row without a `folder`")
            may_use = row[may_use_col] if may_use_col < len(row) else ""
            rest = BACKTICKED.sub("", may_use).replace(",", "").replace("—", "").strip()
            if rest:
                raise TableError(
                    f"{design_path}:{n + 1}: the may-use cell of `{layer}` must list folders in "
                    f"backticks (or —), not {rest!r}")
            rows.append((layer, [m.strip() for m in BACKTICKED.findall(may_use)], n + 1))
        if not rows:
            raise TableError(f"{design_path}:{i + 1}: the layer table has no rows")
        return rows
    raise TableError(f"{design_path}: no table with the columns `layer` and `may use`")


def source_files(folder_dir):
    for root, dirs, names in os.walk(folder_dir):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(SOURCE_SUFFIXES):
                yield os.path.join(root, name)


def cmake_targets(folder_dir):
    """{atoll target name: first CMakeLists.txt naming it}, comments left out."""
    targets = {}
    for root, dirs, names in os.walk(folder_dir):
        dirs.sort()
        if "CMakeLists.txt" not in names:
            continue
        path = os.path.join(root, "CMakeLists.txt")
        with open(path, encoding="utf-8") as f:
            for line in f:
                for target in TARGET.findall(line.split("#", 1)[0]):
                    targets.setdefault(target, path)
    return targets


def check(root):
    problems = []

    def rel(path):
        return os.path.relpath(path, root)

    design = os.path.join(root, "docs", "design.md")
    rows = read_layer_table(design)
    src = os.path.join(root, "src", "atoll")
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))

    # 1. The table itself.
    allowed = {}
    below = set()
    for layer, may_use, line in rows:
        if layer in allowed:
            problems.append(f"{rel(design)}:{line}: layer `{layer}` has two rows")
        for used in may_use:
            if used not in below:
                problems.append(f"{rel(design)}:{line}: layer `{layer}` may use `{used}`, "
                                "which is not in a row above it (a lower layer)")
        allowed[layer] = set(may_use)
        below.add(layer)
        if layer not in folders:
            problems.append(f"{rel(design)}:{line}: layer `{layer}` has no folder src/atoll/{layer}/")
    for folder in folders:
        if folder not in allowed:
            problems.append(f"{rel(os.path.join(src, folder))}/: folder has no row in the layer "
                            f"table of {rel(design)}")

    # 2. Includes; 3. CMake targets.
    for folder in folders:
        folder_dir = os.path.join(src, folder)
        may_use = allowed.get(folder)
        included = {}  # folder -> first "file:line" including it
        for path in source_files(folder_dir):
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    if RELATIVE_INCLUDE.match(line):
                        problems.append(f"{rel(path)}:{number}: relative include leaving its "
                                        "folder; include \"atoll/<folder>/...\"")
                    m = INCLUDE.match(line)
                    if not m or m.group(1) == folder:
                        continue
                    other = m.group(1)
                    included.setdefault(other, f"{rel(path)}:{number}")
                    if other not in allowed:
                        problems.append(f"{rel(path)}:{number}: includes atoll/{other}/, which "
                                        f"is not a layer of {rel(design)}")
                    elif may_use is not None and other not in may_use:
                        listed = ", ".join(sorted(may_use)) or "nothing"
                        problems.append(f"{rel(path)}:{number}: layer `{folder}` includes "
                                        f"atoll/{other}/, but its row in {rel(design)} "
                                        f"allows only: {listed}")
        if not os.path.exists(os.path.join(folder_dir, "CMakeLists.txt")):
            problems.append(f"{rel(folder_dir)}/CMakeLists.txt: missing")
            continue
        linked = cmake_targets(folder_dir)
        linked.pop(folder, None)
        cmake = rel(os.path.join(folder_dir, "CMakeLists.txt"))
        for other in sorted(set(included) - set(linked)):
            problems.append(f"{cmake}: does not link atoll::{other}, but {included[other]} "
                            f"includes atoll/{other}/")
        for other in sorted(set(linked) - set(included)):
            problems.append(f"{rel(linked[other])}: links atoll::{other}, but no file of "
                            f"src/atoll/{folder}/ includes atoll/{other}/")
    return problems


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__)
        return 2
    root = argv[1] if len(argv) == 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        problems = check(root)
    except TableError as e:
        print(f"check_layers: {e}")
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"check_layers: {len(problems)} problem(s); dependencies follow the layer table "
              "of docs/design.md, and each folder's CMakeLists.txt links exactly what it includes")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
