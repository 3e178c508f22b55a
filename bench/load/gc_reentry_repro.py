"""The CPython 3.11 bug behind the worker crashes, in pure Python (no extension module).

    PYTHONMALLOC=debug python bench/load/gc_reentry_repro.py            # 3.11: SIGSEGV
    PYTHONMALLOC=debug python bench/load/gc_reentry_repro.py --gc-off   # no crash

``s.__dict__`` makes a dict from the instance's inline values. Allocating that dict starts a
collection on CPython 3.11 (3.12 and later wait for the next bytecode). The collection frees
an object whose weakref callback touches ``s``: it makes a second dict from the same values
and adds a key, which converts that dict to a combined table and frees the values array. The
outer ``s.__dict__`` then points at freed memory. With ``PYTHONMALLOC=debug`` freed memory is
overwritten at once, so the first use crashes; with the default allocator the memory is
reused later and the crash comes later, somewhere else (pymalloc_alloc, dictresize).
SQLAlchemy's InstanceState._cleanup is such a callback (bench/load/README.md,
"Worker crashes"); tracker/gc_guard.py is the workaround.
"""

from __future__ import annotations

import faulthandler
import gc
import sys
import weakref


class State:
    added = 0

    def __init__(self) -> None:
        self.a, self.b, self.c = 1, 2, 3

    def cleanup(self, ref: weakref.ref[object]) -> None:
        # A second dict from the same values, then a key never seen before: once the class's
        # shared keys are full (30 names), it cannot go into them and the dict is converted.
        State.added += 1
        self.__dict__[f"added_{State.added}"] = None


class Mapped:
    pass


def main(argv: list[str]) -> int:
    faulthandler.enable()
    if "--gc-off" in argv:
        gc.disable()
    callbacks_inside = 0
    for _ in range(200):
        s = State()
        m = Mapped()
        m.cycle = m  # only the collector frees it
        ref = weakref.ref(m, s.cleanup)
        del m
        drain = [
            {} for _ in range(100)
        ]  # empty the dict free list: the next dict is a new allocation
        gc.set_threshold(1)  # the next container allocation starts a collection (when enabled)
        d = s.__dict__
        gc.set_threshold(700)
        callbacks_inside += ref() is None and f"added_{State.added}" not in d
        del drain
        for k in range(40):  # grows the outer dict: reads the values array
            d[f"k{k}"] = k
        if (d["a"], d["b"], d["c"]) != (1, 2, 3):
            print("outer __dict__ lost its values:", dict(d))
            return 1
    gc.enable()
    print(f"no crash; the callback ran inside s.__dict__ {callbacks_inside} of 200 times")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
