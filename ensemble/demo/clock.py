"""The demo replays its seasons day by day: each service runs with the clock set to the day the
event happens, so every date it stamps (request, validation, payment, notice) is that day's.

time-machine (a development dependency, like the demo itself) moves the clock; it is imported
only when the demo is loaded.
"""

import contextlib
import datetime
import zoneinfo

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@contextlib.contextmanager
def on(day: datetime.date, hour: int = 10):
    import time_machine

    with time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)):
        yield
