#!/usr/bin/python3
"""Forbids building SQL from unquoted names in atoll's C++ sources.

Usage: check_sql.py FILE_OR_DIR...   (exit 0: clean; 1: violations, listed on stdout)

The rule (docs/design.md, "SQL text"): an expression that builds SQL is a StrCat(...) or
a chain of `+` holding a string literal that looks like SQL (a keyword such as SELECT,
FROM, COPY, CREATE, DESCRIBE, ATTACH or a reader such as read_csv( ). Every operand of
such an expression that is not a literal must be one of:
  - QuoteIdentifier(...) or QuoteString(...)   (a name or a value, quoted)
  - a number: an integer literal, std::to_string(...), Str(...), arithmetic (a - b)
  - a named constant kSomething
  - SQL built under this same rule: a variable, member or function whose name ends in
    `sql` or `Sql` (select_sql, from_sql, ReaderSql(...)) or starts with `quoted`, a name
    in SQL_NAMES below (conventional ones), or a name the file declares in a comment
    `// sql-names: a, b, c` (reviewers check those declarations)
Only files that use the engine (include atoll/engine/, name engine::, take an Engine&)
are checked.
A statement that cannot follow the rule carries a comment `// sql-checked: <why>` on one
of its lines saying why its operands are safe (e.g. a number, a type checked by
engine::IsTypeName); the checker then skips that statement.
"""
import os
import re
import sys

SQL_LITERAL = re.compile(
    r"\b(SELECT|FROM|COPY|CREATE|DROP|INSERT|DESCRIBE|ATTACH|ALTER|DELETE|UPDATE|"
    r"CAST|REPLACE|UNION|WHERE|VALUES|TABLE|VIEW|SCHEMA)\b|"
    r"\b(read_parquet|read_csv|read_json|sniff_csv|parquet_\w+|iceberg_scan)\(",
)
ALLOWED_CALL = re.compile(
    r"^(?:\w+::)*(QuoteIdentifier|QuoteString|to_string|Str)\s*\(", re.S)
SQL_NAME = re.compile(r"(?:^|[\w.>\-*&]*?[._>]|^)\w*(sql|Sql)(?:\s*\(.*\))?$", re.S)
NUMBER = re.compile(r"^-?\d+(u|ull|ll)?$")
# Variables that hold SQL built under this rule, by name (see the docstring).
SQL_NAMES = {"select", "query", "from", "list", "copy", "columns_ddl", "insert_select",
             "part_columns", "normalized", "converted", "partition_by", "sql"}
CHECKED = "sql-checked:"
# Files that can hand SQL to DuckDB: the engine layer and every file using its header.
ENGINE_USER = re.compile(r"atoll/engine/|namespace atl::engine|\bengine::|Engine&")


def strip_comments_keep_strings(text):
    """Returns (code, comments_by_line): code with comments blanked (same offsets)."""
    out = []
    i, n = 0, len(text)
    checked_lines = set()
    line = 1
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            if CHECKED in text[i:j]:
                checked_lines.add(line)
            out.append(" " * (j - i))
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            chunk = text[i:j]
            if CHECKED in chunk:
                checked_lines.add(line)
            out.append(re.sub(r"[^\n]", " ", chunk))
            line += chunk.count("\n")
            i = j
            continue
        if text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                end = n if end < 0 else end + len(m.group(1)) + 2
                chunk = text[i:end]
                out.append(chunk)
                line += chunk.count("\n")
                i = end
                continue
        if c == '"' or (c == "'" and not (i > 0 and (text[i - 1].isalnum()))):
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            chunk = text[i:j + 1]
            out.append(chunk)
            line += chunk.count("\n")
            i = j + 1
            continue
        if c == "\n":
            line += 1
        out.append(c)
        i += 1
    return "".join(out), checked_lines


def split_top(expr, sep):
    """Splits `expr` at `sep` characters outside brackets and string literals."""
    parts, depth, cur, i = [], 0, [], 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'":
            j = i + 1
            while j < len(expr) and expr[j] != c:
                if expr[j] == "\\":
                    j += 1
                j += 1
            cur.append(expr[i:j + 1])
            i = j + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == sep and depth == 0:
            # `+` of `++`, `+=`, unary plus: not a concatenation.
            if sep == "+" and (expr[i + 1:i + 2] in ("+", "=") or expr[i - 1:i] == "+"):
                cur.append(c)
                i += 1
                continue
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur).strip())
    return parts


def is_literal(operand):
    op = operand.strip()
    while op.startswith("(") and op.endswith(")"):
        op = op[1:-1].strip()
    if re.fullmatch(r'(?:(?:u8|L)?"(?:[^"\\]|\\.)*"\s*)+', op, re.S):
        return True
    if re.fullmatch(r"'(?:[^'\\]|\\.)+'", op):
        return True
    if re.fullmatch(r'std::string(?:_view)?\(\s*"(?:[^"\\]|\\.)*"\s*\)', op):
        return True
    # A conditional between literals: x ? "a" : "b"
    m = re.fullmatch(r"[^?]+\?\s*(.+?)\s*:\s*(.+)", op, re.S)
    if m and all(is_literal(p) or NUMBER.match(p.strip()) for p in m.groups()):
        return True
    return False


def operand_ok(operand, declared=frozenset()):
    op = operand.strip()
    if not op or is_literal(op) or NUMBER.match(op):
        return True
    if re.fullmatch(r"k[A-Z]\w*", op):  # a named constant (kLineageMetadataKey, ...)
        return True
    # Arithmetic (a - b, n * 2): C++ strings have no such operators, so it is a number.
    if re.search(r"[\w)\]]\s*[-*/%]\s*[\w(]", op) and '"' not in op and "->" not in op:
        return True
    if ALLOWED_CALL.match(op) and op.endswith(")"):
        return True
    m = re.fullmatch(r"std::string(?:_view)?\((.*)\)", op, re.S)
    if m:
        return operand_ok(m.group(1), declared)
    m = re.fullmatch(r"(?:\*|&)?([\w.:>\-\[\]]+?)(?:\s*\(.*\))?", op, re.S)
    if m:
        last = re.split(r"\.|->|::", m.group(1))[-1]
        last = re.sub(r"\[.*\]$", "", last)
        if re.search(r"(sql|Sql)$|^quoted|Quoted$", last) or last in SQL_NAMES or last in declared:
            return True
    # A conditional whose branches each pass.
    m = re.fullmatch(r"[^?]+\?\s*(.+?)\s*:\s*(.+)", op, re.S)
    if m and all(operand_ok(p, declared) for p in m.groups()):
        return True
    return False


def skip_parenthesised(text, i):
    """The index just past the ')' closing the '(' before `i` (quotes skipped)."""
    depth = 1
    while i < len(text) and depth:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            i = j + 1
            continue
        depth += c == "("
        depth -= c == ")"
        i += 1
    return i


def sql_expressions(code):
    """Yields (offset, operands) of StrCat calls and `+` chains in `code`."""
    for m in re.finditer(r"\bStrCat\s*\(", code):
        start = m.end()
        i = skip_parenthesised(code, start)
        yield m.start(), split_top(code[start:i - 1], ",")
    # `+` chains: per statement (text between ; { } at depth 0 of parentheses).
    for stmt in re.finditer(r"[^;{}]+", code):
        text = stmt.group(0)
        if "+" not in text or '"' not in text:
            continue
        # The right-hand side of an assignment or the arguments of calls: take every
        # parenthesised group and the statement itself, split at top-level '+'.
        candidates = [text]
        for p in re.finditer(r"\(", text):
            i = skip_parenthesised(text, p.end())
            for arg in split_top(text[p.end():i - 1], ","):
                candidates.append(arg)
        for cand in candidates:
            cand = re.sub(r"^.*?(?<![=!<>+])=(?!=)", "", cand, count=1, flags=re.S) \
                if re.match(r"[^\"(]*[^=!<>+]=[^=]", cand) else cand
            cand = re.sub(r"^\s*(return|\+=)\s*", "", cand)
            cand = re.sub(r"^[^\"(]*\+=\s*", "", cand)
            parts = split_top(cand, "+")
            if len(parts) > 1:
                yield stmt.start(), parts


def check_file(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if not ENGINE_USER.search(text):
        return []
    declared = set()
    for m in re.finditer(r"//\s*sql-names:([^\n]*)", text):
        declared.update(n.strip() for n in m.group(1).split(",") if n.strip())
    code, checked_lines = strip_comments_keep_strings(text)
    problems = []
    seen = set()
    for offset, operands in sql_expressions(code):
        literals = [o for o in operands if is_literal(o)]
        if not any(SQL_LITERAL.search(l) for l in literals):
            continue
        first_line = code.count("\n", 0, offset) + 1
        # The whole statement holding the expression, for the sql-checked: comment.
        start = max(code.rfind(c, 0, offset) for c in ";{}") + 1
        start_line = code.count("\n", 0, start) + 1
        end = code.find(";", offset)
        last_line = code.count("\n", 0, end if end >= 0 else len(code)) + 1
        if any(l in checked_lines for l in range(start_line, last_line + 1)):
            continue
        for op in operands:
            if operand_ok(op, declared):
                continue
            key = (first_line, op)
            if key in seen:
                continue
            seen.add(key)
            problems.append(f"{path}:{first_line}: unquoted operand in SQL: {' '.join(op.split())}")
    return problems


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    files = []
    for arg in argv[1:]:
        if os.path.isdir(arg):
            for root, _, names in os.walk(arg):
                files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".cc", ".h"))]
        else:
            files.append(arg)
    problems = []
    for path in sorted(files):
        problems += check_file(path)
    for p in problems:
        print(p)
    if problems:
        print(f"check_sql: {len(problems)} unquoted operand(s) in SQL; quote names with "
              "engine::QuoteIdentifier/QuoteString (docs/design.md, 'SQL text')")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
