"""pyroute2's get_routes on the benchmark table (the peer of nlpp-bench-routes gen):
    python3 bench/pyroute2_routes.py        (run inside the netns)
Prints: routes, dump milliseconds."""
import time

from pyroute2 import IPRoute

with IPRoute() as ipr:
    t0 = time.perf_counter()
    routes = ipr.get_routes(family=2, table=100)
    print(len(routes), round((time.perf_counter() - t0) * 1000, 1))
