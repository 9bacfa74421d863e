#!/usr/bin/env python3
"""The installed shared libraries export only the API: installs the build
into a scratch prefix, then reads each libnlpp_<layer>.so with readelf -d
(SONAME libnlpp_<layer>.so.0, the .so.0 link) and nm -D (binutils, the
oracle). Every exported function or object must be in namespace nlpp and be
named in an installed header (NLPP_API marks them; the rest is hidden by
-fvisibility=hidden). The only other exports allowed are the weak and unique
vague-linkage copies of std:: templates (to_chars helpers, typeinfo of
std::bad_variant_access...): libstdc++ declares namespace std with default
visibility, so -fvisibility=hidden cannot hide them, and they must stay
weak/unique so that every library resolves to one copy. libnlpp_asio
(and libnlpp_asio_ynl) export Asio's the same way (its header-only statics, such as the thread's
call stack, must be one per program).

    symbols.py BUILD_DIR
"""
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from harness import check, report, run  # noqa: E402

LAYERS = ["core", "socket", "genl", "ipvs", "ynl"]


def out(*cmd):
    return run(list(cmd)).stdout


def header_words(include_dir):
    words = set()
    for root, _, files in os.walk(include_dir):
        for f in files:
            with open(os.path.join(root, f)) as h:
                words.update(re.findall(r"~?\w+", h.read()))
    return words


def qualified(demangled):
    """The qualified name of a demangled symbol, without return type or
    arguments: void std::f<int>(char*) -> std::f<int>."""
    depth, cut, start = 0, len(demangled), 0
    for i, c in enumerate(demangled):  # the argument list: the first '(' outside template brackets
        if re.search(r"operator(<<?|>>?|<=>?|>=|->\*?)$", demangled[:i + 1]):
            continue  # the angle brackets of operator<<, operator<, operator->... are no template's
        if c == "<":
            depth += 1
        elif c == ">":
            depth -= 1
        elif c == " " and depth == 0 and not demangled[:i].endswith("operator"):
            start = i + 1
        elif c == "(" and depth == 0:
            cut = i
            break
    return demangled[start:cut]


def last_name(name):
    """nlpp::socket::~socket -> ~socket; nlpp::error::what[abi:cxx11] -> what; operator= -> operator."""
    name = re.sub(r"<.*>$", "", re.sub(r"\[abi:\w+\]", "", name)).rsplit("::", 1)[-1]
    return "operator" if name.startswith("operator") else name


def main():
    build = sys.argv[1]
    with tempfile.TemporaryDirectory() as prefix:
        out("cmake", "--install", build, "--prefix", prefix)
        # lib, or lib/<multiarch> when the build was configured for /usr (Debian's layout)
        cache = open(os.path.join(build, "CMakeCache.txt")).read()
        lib = os.path.join(prefix, re.search(r"^CMAKE_INSTALL_LIBDIR:PATH=(.*)$", cache, re.M).group(1))
        words = header_words(os.path.join(prefix, "include", "nlpp"))
        # nlpp::asio and nlpp::asio_ynl are built when the build found Asio (src/CMakeLists.txt)
        layers = LAYERS + (["asio", "asio_ynl"] if re.search(r"^NLPP_ASIO_INCLUDE_DIR:PATH=/", cache, re.M) else [])
        shared = sorted(f for f in os.listdir(lib) if re.fullmatch(r"libnlpp_\w+\.so\.\d+\.\d+\.\d+", f))
        check("one shared library per layer", [re.match(r"libnlpp_(\w+)\.so", f)[1] for f in shared] == sorted(layers),
              str(shared))
        for f in shared:
            layer = re.match(r"libnlpp_(\w+)\.so", f)[1]
            path = os.path.join(lib, f)
            soname = re.findall(r"\(SONAME\)\s+Library soname: \[(.*)\]", out("readelf", "-d", path))
            check(f"{f}: SONAME libnlpp_{layer}.so.0", soname == [f"libnlpp_{layer}.so.0"], str(soname))
            link = os.path.join(lib, f"libnlpp_{layer}.so.0")
            check(f"{f}: libnlpp_{layer}.so.0 links to it", os.path.islink(link) and os.path.realpath(link) == path)
            bad, strong = [], 0
            for line in out("nm", "-D", "--defined-only", "--demangle", path).splitlines():
                _, kind, name = line.split(maxsplit=2)
                plain = qualified(re.sub(r"^(typeinfo name for|typeinfo for|vtable for|VTT for|guard variable for) ",
                                         "", name))
                if plain.startswith("nlpp::") and "(anonymous namespace)" not in plain:
                    strong += 1
                    if last_name(plain) not in words:
                        bad.append(f"{kind} {name} (not in an installed header)")
                elif plain.startswith("std::") and kind in "WVu":
                    continue
                elif layer in ("asio", "asio_ynl") and plain.startswith("asio::") and kind in "WVu":
                    continue  # Asio's header-only statics (its thread call stack...): one copy per program
                else:
                    bad.append(f"{kind} {name}")
            check(f"{f}: exports only nlpp:: API", not bad and strong > 0, "\n  " + "\n  ".join(bad), width=3000)
    return report("symbols")


sys.exit(main())
