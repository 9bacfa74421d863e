"""The kernel's pyynl library dumping routes (the peer of nlpp-bench-routes ynl):
    python3 bench/pyynl_routes.py PYYNL_DIR rt-route.yaml
Prints: routes, dump milliseconds."""
import sys
import time

sys.path.insert(0, sys.argv[1])
from lib import YnlFamily  # noqa: E402

ynl = YnlFamily(sys.argv[2], schema="")
t0 = time.perf_counter()
routes = ynl.dump("getroute", {"rtm-family": 2})
print(len(routes), round((time.perf_counter() - t0) * 1000, 1))
