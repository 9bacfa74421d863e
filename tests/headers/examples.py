#!/usr/bin/env python3
"""Turns the example in every public header into a C++ file that compiles
it, so that a stale example breaks the build (tests/CMakeLists.txt builds
them with the project's warnings).

Every header under include/nlpp opens with what it is for and one example:
    // Example:                      or  // Example (given T a, U b):
    //   code, indented by three spaces after the //, up to the next
    //   line that is only "//" or is not a comment
The example becomes the body of a function returning nlpp::result<void>
(so it may `return nlpp::fail(e)`), with the given names as its
parameters, after the header itself and the rest of the library.
`/* ... */` stands for code left out. #include lines, and lines
that declare a type (`struct X {` ... `};`) or a constexpr table at the
start of a line, are put at namespace scope, before the function.

    examples.py OUT_DIR INCLUDE_DIR HEADER...
writes OUT_DIR/<header path with _ for />.cpp for each; fails naming any
header without an example.
"""
import os
import re
import sys

PRELUDE = """\
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <span>
#include <string_view>
"""


def extract(path):
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        m = re.fullmatch(r"// Example(?: \(given (.*)\))?:", line)
        if not m:
            continue
        body = []
        for l in lines[i + 1:]:
            if not l.startswith("//   "):
                break
            body.append(l[5:])
        if not body:
            sys.exit(f"{path}:{i + 1}: an empty example")
        return m[1] or "", body
    sys.exit(f"{path}: no '// Example:' block in the opening comment")


def split(body):
    """(namespace-scope lines, function-body lines)."""
    top, inner, in_struct = [], [], False
    for l in body:
        if in_struct or l.startswith(("struct ", "constexpr ", "#include ")):
            top.append(l)
            if l.startswith("struct "):
                in_struct = not l.endswith("};")
            elif l == "};":
                in_struct = False
        else:
            inner.append(l)
    return top, inner


def main():
    out_dir, include_dir, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(out_dir, exist_ok=True)
    # The header comes first (it must stand alone), then the rest of the library the example may use.
    library = "".join(f"#include <{os.path.relpath(h, include_dir)}>\n" for h in sorted(headers)
                      if not os.path.relpath(h, include_dir).startswith(("nlpp/gen/", "nlpp/asio/")))
    for h in headers:
        rel = os.path.relpath(h, include_dir)
        given, body = extract(h)
        top, inner = split(body)
        params = [p.strip() for p in given.split(",")] if given else []
        unused = ["static_cast<void>(" + re.search(r"(\w+)$", p)[1] + ");" for p in params]
        includes = [l for l in top if l.startswith("#include ")]
        top = [l for l in top if l not in includes]
        text = (f"// The example of {rel}, written by tests/headers/examples.py.\n"
                f"#include <{rel}>\n" + "".join(l + "\n" for l in includes) + "\n" + library +
                f"\n{PRELUDE}\nnamespace {{\n\n" + "".join(l + "\n" for l in top) +
                f"\n[[maybe_unused]] nlpp::result<void> example({', '.join(params)}) {{\n" +
                "".join(f"    {l}\n" for l in unused + inner) + "    return {};\n}\n\n}  // namespace\n")
        name = os.path.join(out_dir, rel.replace("/", "_").removesuffix(".hpp") + ".cpp")
        old = open(name).read() if os.path.exists(name) else None
        if old != text:
            with open(name, "w") as f:
                f.write(text)


main()
