"""`python -m bench [NAME ...]`: run every bench module that has a `run()` function, in name
order, or only the modules named on the command line."""
import importlib
import pkgutil
import sys
import time

import bench


def main(names):
    wanted = set(names)
    modules = [info.name for info in pkgutil.iter_modules(bench.__path__) if not info.name.startswith("_")]
    unknown = wanted - set(modules)
    if unknown:
        sys.exit(f"no bench module named {', '.join(sorted(unknown))} (have: {', '.join(modules)})")
    for name in modules:
        if wanted and name not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        if not callable(getattr(module, "run", None)):
            continue
        print(f"== {name}", flush=True)
        started = time.monotonic()
        module.run()
        print(f"== {name}: {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
