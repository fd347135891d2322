"""Figures of one schemathesis run (``.ci/schemathesis``): requests sent and answered by
status class, failed checks per check and operation, and the server's 5xx and fault lines.

Usage: python .ci/schemathesis_summary.py NAME RUN.ndjson SERVER.log — exits 1 when a check
failed or the server answered any 5xx.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter


def main(name: str, ndjson: str, server_log: str) -> int:
    statuses: Counter[int] = Counter()
    failures: Counter[tuple[str, str]] = Counter()
    requests = 0
    with open(ndjson, encoding="utf-8") as events:
        for line in events:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if finished is None:
                continue
            recorder = finished["recorder"]
            for interaction in recorder.get("interactions", {}).values():
                response = interaction.get("response")
                requests += 1
                if response is not None:
                    statuses[response["status_code"] // 100 * 100] += 1
            for checks in recorder.get("checks", {}).values():
                for check in checks:
                    if check["status"] == "failure":
                        failures[(check["name"], recorder["label"])] += 1
    with open(server_log, encoding="utf-8", errors="replace") as log:
        text = log.read()
    served = Counter(int(m) // 100 * 100 for m in re.findall(r'HTTP/1\.1" (\d{3})', text))
    faults = text.count("unhandled fault")
    classes = ", ".join(f"{k // 100}xx {v}" for k, v in sorted(statuses.items()))
    print(f"{name}: {requests} requests ({classes}); failed checks: {sum(failures.values())}; "
          f"server 5xx: {served.get(500, 0)}, fault lines: {faults}")
    for (check, label), count in sorted(failures.items()):
        print(f"  FAILED {check}: {label} ({count})")
    return 1 if failures or served.get(500, 0) or faults else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
