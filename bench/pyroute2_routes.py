"""pyroute2's get_routes dumping every IPv4 route (the peer of nlpp-bench-routes gen):
    python3 bench/pyroute2_routes.py        (run inside the netns)
Prints: routes, route attributes, dump milliseconds."""
import time

from pyroute2 import IPRoute

with IPRoute() as ipr:
    t0 = time.perf_counter()
    routes = ipr.get_routes(family=2)
    ms = (time.perf_counter() - t0) * 1000
    print(len(routes), sum(len(r["attrs"]) for r in routes), round(ms, 1))
