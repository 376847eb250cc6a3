#!/usr/bin/env python3
"""module-cycles: fails when a crate's modules import each other in a cycle.

A cycle (a uses b, b uses a) means neither module can be read, tested or moved alone;
`make lint` runs this over the widget, the rules core and the server. It reads `crate::` and
`super::` paths outside comments and `#[cfg(test)] mod tests`, which is what the crates use
(no glob re-exports hide an edge). Usage: module-cycles.py SRC_DIR...
"""
import os
import re
import sys


def modules(root):
    found = {}
    for d, _, names in os.walk(root):
        for f in names:
            if not f.endswith(".rs"):
                continue
            p = os.path.join(d, f)
            parts = os.path.relpath(p, root)[:-3].split("/")
            if parts[-1] == "mod":
                parts = parts[:-1]
            if parts in (["lib"], ["main"]):
                parts = []
            found["::".join(parts)] = p
    return found


def resolve(mods, cur, path):
    """The longest module a `crate::`/`super::` path names, or None."""
    segs = path.split("::")
    if segs[0] == "crate":
        base, segs = [], segs[1:]
    else:
        base = cur.split("::")[:-1] if cur else []
        segs = segs[1:]
        while segs and segs[0] == "super":
            base, segs = base[:-1], segs[1:]
    for i in range(len(segs), 0, -1):
        m = "::".join(base + segs[:i])
        if m in mods:
            return m
    return None


def edges(mods):
    out = {m: set() for m in mods}
    for m, p in mods.items():
        if not m:
            continue  # the crate root declares the modules; it is everyone's parent
        with open(p, encoding="utf-8") as fh:
            src = re.sub(r"//[^\n]*", "", fh.read())
        src = re.sub(r"#\[cfg\(test\)\]\s*mod tests\s*\{.*", "", src, flags=re.S)
        paths = re.findall(r"\b((?:crate|super)(?:::\w+)+)", src)
        for head, group in re.findall(r"use (crate|super)::\{([^;]*)\};", src, flags=re.S):
            paths += [head + "::" + item for item in re.findall(r"\w+(?:::\w+)*", group)]
        for path in paths:
            t = resolve(mods, m, path)
            # A module and its own parent or child are one unit, not a cycle.
            if t and t != m and not m.startswith(t + "::") and not t.startswith(m + "::"):
                out[m].add(t)
    return out


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def main(roots):
    bad = 0
    for root in roots:
        graph = edges(modules(root))
        for comp in cycles(graph):
            bad += 1
            print(f"{root}: import cycle among {', '.join(comp)}")
            for a in comp:
                for b in sorted(graph[a] & set(comp)):
                    print(f"    {a} uses {b}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
