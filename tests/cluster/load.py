#!/usr/bin/env python3
"""Steady mutual-TLS load through the cluster's one address, recording every
answer: one line per message (id, HTTP status or 0 for a transport error,
start and end in ms since the epoch, whether it asked for asynchronous
delivery, and the error). The fault test reads the file back and matches it
against the audit log and the delivery queue.

Standard library only: an HTTP stack independent of the hub's. Every worker
keeps one keep-alive connection and opens a new one after any error, as a
member system's client would; a request is never retried (a retry would
need a new message id to be told apart, and a resend with the same id is the
idempotency test's business, not this one's).
"""
import argparse
import http.client
import json
import ssl
import sys
import threading
import time
import urllib.parse

# A citizen of the demo's synthetic population dataset (config/demo).
ID_NUMBER = "001173107163"


def envelope(message_id, consumer, provider, service, purpose):
    return json.dumps({
        "header": {"id": message_id, "from": consumer, "to": provider,
                   "service": service, "version": "v1", "purpose": purpose,
                   "userId": "cluster-load"},
        "body": {"idNumber": ID_NUMBER},
    }).encode()


def worker(index, args, context, deadline, lines, lock):
    url = urllib.parse.urlsplit(args.url)
    connection = None
    sent = 0
    while time.time() < deadline:
        message_id = f"{args.prefix}-{index}-{sent}"
        sent += 1
        # Every n-th message asks for store-and-forward delivery.
        asynchronous = args.async_every > 0 and sent % args.async_every == 0
        headers = {"Content-Type": "application/json"}
        if asynchronous:
            headers["Prefer"] = "respond-async"
        started = time.time()
        status, error = 0, ""
        try:
            if connection is None:
                connection = http.client.HTTPSConnection(
                    url.hostname, url.port, context=context, timeout=args.timeout)
            connection.request("POST", "/exchange/v1/messages",
                               envelope(message_id, args.consumer, args.provider,
                                        args.service, args.purpose), headers)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = None
        except (OSError, http.client.HTTPException) as e:
            error = type(e).__name__
            if connection is not None:
                connection.close()
            connection = None
            time.sleep(0.05)  # a refused connect must not spin
        ended = time.time()
        with lock:
            lines.append(f"{message_id},{status},{int(started * 1000)},{int(ended * 1000)},"
                         f"{int(asynchronous)},{error}\n")
    if connection is not None:
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="https://HOST:PORT of the hub")
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--consumer", default="VN/GOV/000.00.00.G22/GIAMDINH")
    parser.add_argument("--provider", default="VN/GOV/000.00.00.G03/DANCU")
    parser.add_argument("--service", default="citizen-lookup")
    parser.add_argument("--purpose", default="Đối chiếu thông tin người tham gia BHYT")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--async-every", type=int, default=0,
                        help="every N-th message asks Prefer: respond-async (0: none)")
    parser.add_argument("--timeout", type=float, default=15)
    parser.add_argument("--prefix", required=True, help="message ids begin with this")
    parser.add_argument("--out", required=True, help="where the answers are written (CSV)")
    args = parser.parse_args()

    context = ssl.create_default_context(cafile=args.ca)
    context.load_cert_chain(args.cert, args.key)
    lines, lock = [], threading.Lock()
    deadline = time.time() + args.seconds
    threads = [threading.Thread(target=worker, args=(i, args, context, deadline, lines, lock))
               for i in range(args.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.out, "w") as out:
        out.write("message_id,status,start_ms,end_ms,async,error\n")
        out.writelines(lines)
    statuses = {}
    for line in lines:
        status = line.split(",")[1]
        statuses[status] = statuses.get(status, 0) + 1
    json.dump({"messages": len(lines), "per_second": round(len(lines) / args.seconds, 1),
               "statuses": statuses}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
