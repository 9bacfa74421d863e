"""The kernel's pyynl library dumping routes (the peer of nlpp-bench-routes ynl-tree):
    python3 bench/pyynl_routes.py PYYNL_DIR RT-ROUTE.YAML
Prints: routes, route attributes (keys but the fixed header's fields), dump milliseconds."""
import sys
import time

sys.path.insert(0, sys.argv[1])
from lib import YnlFamily  # noqa: E402

ynl = YnlFamily(sys.argv[2], schema="")
header = ynl.consts[ynl.msgs["getroute"].fixed_header]
fields = sum(m.type != "pad" for m in header.members)
t0 = time.perf_counter()
routes = ynl.dump("getroute", {"rtm-family": 2})
ms = (time.perf_counter() - t0) * 1000
print(len(routes), sum(len(r) - fields for r in routes), round(ms, 1))
