"""Stand-ins for pyHanko's check, run in the verification child (by dotted path:
`verify_bounds.CHECK`), to show that the child's bounds hold."""

import time

MB = 2**20


def sleepy(data, roots):
    time.sleep(30)


def greedy(data, roots):
    return bytearray(256 * MB)


def deep(data, roots):
    raise RecursionError
