#!/usr/bin/env python3
"""Open console pages, as a browser tab with the console's script keeps them: the page once,
then its event stream, and the batch grid again after events, at most once every 2 s (what
/assets/console.js does). Used by console-bench.sh; prints how many events and grid loads
each page saw when told to stop (SIGTERM).

  console_viewer.py EXPERIMENT_ID BASE_URL [BASE_URL ...]
"""
import http.client
import signal
import sys
import threading
import time
import urllib.parse

experiment, bases = sys.argv[1], sys.argv[2:]
stop = threading.Event()
counts = {}


def get(base, path):
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def page(base):
    events = grids = 0
    last_grid = 0.0
    url = urllib.parse.urlsplit(base)
    stream = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    stream.request("GET", f"/experiments/{experiment}/events")
    response = stream.getresponse()
    assert response.status == 200, f"{base}: events answered {response.status}"
    get(base, f"/experiments/{experiment}")
    due = False
    while not stop.is_set():
        line = response.fp.readline()
        if not line:
            break
        if line.startswith(b"event: status"):
            events += 1
            due = True
        if due and time.monotonic() - last_grid >= 2:
            get(base, f"/experiments/{experiment}/grid")
            grids += 1
            last_grid = time.monotonic()
            due = False
        counts[base] = (events, grids)


threads = [threading.Thread(target=page, args=(base,), daemon=True) for base in bases]
for thread in threads:
    thread.start()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
while not stop.is_set() and any(t.is_alive() for t in threads):
    stop.wait(0.2)
stop.set()
for base in bases:
    events, grids = counts.get(base, (0, 0))
    print(f"{base}: {events} events, {grids} grid loads")
