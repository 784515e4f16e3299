#!/usr/bin/python3
"""Checks that every tracked C++ source of a checkout is clang-formatted.

Usage: check_format.py [ROOT]
  ROOT: a git checkout (default: the one holding this script). Exit 0: every tracked
  *.h and *.cc (`git ls-files`) is formatted by the checkout's .clang-format; 1: files
  that are not, one a line on stdout followed by clang-format's findings; 2: git or
  clang-format could not run.

Runs `clang-format --dry-run -Werror` (Debian's /usr/bin/clang-format 14, or the one
named by $CLANG_FORMAT). Fix a finding with `clang-format -i FILE`.
"""
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

FINDING = re.compile(r"^(.+?):\d+:\d+: (?:error|warning): code should be clang-formatted")
BATCH = 50  # files per clang-format run (runs go in parallel, one per core)


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__)
        return 2
    root = argv[1] if len(argv) == 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    clang_format = os.environ.get("CLANG_FORMAT", "/usr/bin/clang-format")
    listed = subprocess.run(["git", "-C", root, "ls-files", "-z", "--", "*.h", "*.cc"],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        print(f"check_format: git ls-files in {root} failed: {listed.stderr.strip()}")
        return 2
    files = [f for f in listed.stdout.split("\0") if f and os.path.isfile(os.path.join(root, f))]
    batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]

    def run(batch):
        return subprocess.run([clang_format, "--dry-run", "-Werror", *batch], cwd=root,
                              capture_output=True, text=True)

    try:
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            runs = list(pool.map(run, batches))
    except OSError as e:
        print(f"check_format: cannot run {clang_format}: {e}")
        return 2
    bad = []
    findings = []
    for result in runs:
        if result.returncode == 0:
            continue
        findings.append(result.stderr)
        before = len(bad)
        for line in result.stderr.splitlines():
            m = FINDING.match(line)
            if m and m.group(1) not in bad:
                bad.append(m.group(1))
        if len(bad) == before:  # failed without naming a file: not a formatting finding
            print(f"check_format: {clang_format} failed: {result.stderr.strip()}")
            return 2
    for path in bad:
        print(f"{path}: not clang-formatted")
    if bad:
        print("".join(findings), end="")
        print(f"check_format: {len(bad)} file(s) not clang-formatted; run clang-format -i on them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
